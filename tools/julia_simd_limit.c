/* julia_simd_limit.c — the hand-written SIMD C loop that `clrender julia` is measured against.
 *
 * What it measures: how fast this CPU can compute the Julia escape-time counts of
 * `clrender julia --preset blog-zoom|blog-overview` when the loop is written by hand with
 * vector intrinsics and OpenMP, i.e. the practical limit for the kernels julia and julia_simd
 * in kernels/julia.cl on a CPU. tools/julia_limit_bench.py runs it next to clrender.
 *
 * Why it can be trusted as a peer: it computes exactly the same counts, with the same
 * operations in the same order (no multiply-add is fused: explicit mul and add intrinsics,
 * built with -ffp-contract=off), from the same sample points (host/renderers/julia/launch.c:
 * x = i * x_step + x_min with the last column exactly x_max, y likewise with row 0 at the top,
 * y = y_max; float runs narrow the step, the region, c and threshold^2 to float as clrender
 * does). A pixel's count is the iteration index, from 0, after whose step |z|^2 >= threshold^2,
 * or max_iter when that never happens. --save writes the counts as .npy for comparison with
 * `clrender julia --preset ... -o x.npy`.
 *
 * How: each OpenMP task (dynamic schedule) takes a strip of R rows; for each block of LANES
 * adjacent columns (8 doubles or 16 floats per AVX-512 register; 4 or 8 with AVX2) it iterates
 * R vectors, one per row: R independent dependency chains that hide the latency of mul and add
 * (about 3-4 cycles) behind each other. Each vector carries a mask of its lanes still iterating;
 * every TEST_EVERY steps a kortest asks whether any lane of the block still does.
 *
 * Build:
 *   gcc -O3 -march=native -fopenmp -ffp-contract=off tools/julia_simd_limit.c \
 *       -o /tmp/julia_simd_limit -lm
 * Run:
 *   /tmp/julia_simd_limit --preset blog-zoom --precision double --rows 6 --repeat 5 \
 *       [--save counts.npy] [--json]
 * The thread count is OpenMP's (OMP_NUM_THREADS; by default one per CPU).
 */
#include <immintrin.h>
#include <omp.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ALWAYS_INLINE inline __attribute__((always_inline))

enum {
    MAX_ROWS = 8,   /* the most rows (dependency chains) a block may have */
    TEST_EVERY = 4, /* steps between two tests whether any lane still iterates */
    /* The vector operations of one step of one row (see STEP below): 3 mul (z_re * z_im,
     * z_re^2, z_im^2), 1 for cross * 2 (GCC emits the exact cross + cross), 4 add/sub
     * ((re2 - im2) + c_re, + c_im, re2 + im2), 1 compare into the mask, 1 masked integer add
     * of the count. */
    OPS_PER_STEP = 10,
};

/* ---- the vector operations, for AVX-512 or AVX2 ---------------------------------------------
 * d_ works on doubles, f_ on floats. A mask holds the lanes still iterating; a count vector the
 * number of steps after which each lane still iterated, which is the escape index. */
#if defined(__AVX512F__)
#define ISA "AVX-512"
enum { D_LANES = 8, F_LANES = 16 };

typedef __m512d d_vec;
typedef __mmask8 d_mask;
typedef __m512i d_count; /* 8 x int64 */
static ALWAYS_INLINE d_vec d_set1(double v) {
    return _mm512_set1_pd(v);
}
static ALWAYS_INLINE d_vec d_load(const double *p) {
    return _mm512_loadu_pd(p);
}
static ALWAYS_INLINE d_vec d_mul(d_vec a, d_vec b) {
    return _mm512_mul_pd(a, b);
}
static ALWAYS_INLINE d_vec d_add(d_vec a, d_vec b) {
    return _mm512_add_pd(a, b);
}
static ALWAYS_INLINE d_vec d_sub(d_vec a, d_vec b) {
    return _mm512_sub_pd(a, b);
}
static ALWAYS_INLINE d_mask d_all(void) {
    return 0xFF;
}
/* The lanes of `it` that do not escape: !(norm >= r2), the kernel's escape test negated. */
static ALWAYS_INLINE d_mask d_still(d_mask it, d_vec norm, d_vec r2) {
    return _mm512_mask_cmp_pd_mask(it, norm, r2, _CMP_NGE_UQ);
}
static ALWAYS_INLINE d_count d_zero(void) {
    return _mm512_setzero_si512();
}
static ALWAYS_INLINE d_count d_tally(d_count n, d_mask it) {
    return _mm512_mask_add_epi64(n, it, n, _mm512_set1_epi64(1));
}
static ALWAYS_INLINE d_mask d_or(d_mask a, d_mask b) {
#ifdef __AVX512DQ__
    return _kor_mask8(a, b);
#else
    return a | b;
#endif
}
static ALWAYS_INLINE bool d_none(d_mask m) {
#ifdef __AVX512DQ__
    return _kortestz_mask8_u8(m, m);
#else
    return m == 0;
#endif
}
static ALWAYS_INLINE void d_store(uint32_t *out, d_count n, unsigned lanes) {
    _mm512_mask_cvtepi64_storeu_epi32(out, (__mmask8)((1u << lanes) - 1), n);
}

typedef __m512 f_vec;
typedef __mmask16 f_mask;
typedef __m512i f_count; /* 16 x int32 */
static ALWAYS_INLINE f_vec f_set1(float v) {
    return _mm512_set1_ps(v);
}
static ALWAYS_INLINE f_vec f_load(const float *p) {
    return _mm512_loadu_ps(p);
}
static ALWAYS_INLINE f_vec f_mul(f_vec a, f_vec b) {
    return _mm512_mul_ps(a, b);
}
static ALWAYS_INLINE f_vec f_add(f_vec a, f_vec b) {
    return _mm512_add_ps(a, b);
}
static ALWAYS_INLINE f_vec f_sub(f_vec a, f_vec b) {
    return _mm512_sub_ps(a, b);
}
static ALWAYS_INLINE f_mask f_all(void) {
    return 0xFFFF;
}
static ALWAYS_INLINE f_mask f_still(f_mask it, f_vec norm, f_vec r2) {
    return _mm512_mask_cmp_ps_mask(it, norm, r2, _CMP_NGE_UQ);
}
static ALWAYS_INLINE f_count f_zero(void) {
    return _mm512_setzero_si512();
}
static ALWAYS_INLINE f_count f_tally(f_count n, f_mask it) {
    return _mm512_mask_add_epi32(n, it, n, _mm512_set1_epi32(1));
}
static ALWAYS_INLINE f_mask f_or(f_mask a, f_mask b) {
    return _kor_mask16(a, b);
}
static ALWAYS_INLINE bool f_none(f_mask m) {
    return _kortestz_mask16_u8(m, m);
}
static ALWAYS_INLINE void f_store(uint32_t *out, f_count n, unsigned lanes) {
    _mm512_mask_storeu_epi32(out, (__mmask16)((1u << lanes) - 1), n);
}

#elif defined(__AVX2__)
#define ISA "AVX2"
enum { D_LANES = 4, F_LANES = 8 };

typedef __m256d d_vec;
typedef __m256d d_mask;  /* all ones in the lanes still iterating */
typedef __m256i d_count; /* 4 x int64 */
static ALWAYS_INLINE d_vec d_set1(double v) {
    return _mm256_set1_pd(v);
}
static ALWAYS_INLINE d_vec d_load(const double *p) {
    return _mm256_loadu_pd(p);
}
static ALWAYS_INLINE d_vec d_mul(d_vec a, d_vec b) {
    return _mm256_mul_pd(a, b);
}
static ALWAYS_INLINE d_vec d_add(d_vec a, d_vec b) {
    return _mm256_add_pd(a, b);
}
static ALWAYS_INLINE d_vec d_sub(d_vec a, d_vec b) {
    return _mm256_sub_pd(a, b);
}
static ALWAYS_INLINE d_mask d_all(void) {
    return _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
}
static ALWAYS_INLINE d_mask d_still(d_mask it, d_vec norm, d_vec r2) {
    return _mm256_and_pd(it, _mm256_cmp_pd(norm, r2, _CMP_NGE_UQ));
}
static ALWAYS_INLINE d_count d_zero(void) {
    return _mm256_setzero_si256();
}
static ALWAYS_INLINE d_count d_tally(d_count n, d_mask it) {
    return _mm256_sub_epi64(n, _mm256_castpd_si256(it)); /* it is -1 where iterating */
}
static ALWAYS_INLINE d_mask d_or(d_mask a, d_mask b) {
    return _mm256_or_pd(a, b);
}
static ALWAYS_INLINE bool d_none(d_mask m) {
    return _mm256_testz_pd(m, m);
}
static ALWAYS_INLINE void d_store(uint32_t *out, d_count n, unsigned lanes) {
    const __m256i low = _mm256_permutevar8x32_epi32(n, _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0));
    uint32_t all[D_LANES];
    _mm_storeu_si128((__m128i *)all, _mm256_castsi256_si128(low));
    memcpy(out, all, lanes * sizeof *out);
}

typedef __m256 f_vec;
typedef __m256 f_mask;
typedef __m256i f_count; /* 8 x int32 */
static ALWAYS_INLINE f_vec f_set1(float v) {
    return _mm256_set1_ps(v);
}
static ALWAYS_INLINE f_vec f_load(const float *p) {
    return _mm256_loadu_ps(p);
}
static ALWAYS_INLINE f_vec f_mul(f_vec a, f_vec b) {
    return _mm256_mul_ps(a, b);
}
static ALWAYS_INLINE f_vec f_add(f_vec a, f_vec b) {
    return _mm256_add_ps(a, b);
}
static ALWAYS_INLINE f_vec f_sub(f_vec a, f_vec b) {
    return _mm256_sub_ps(a, b);
}
static ALWAYS_INLINE f_mask f_all(void) {
    return _mm256_castsi256_ps(_mm256_set1_epi32(-1));
}
static ALWAYS_INLINE f_mask f_still(f_mask it, f_vec norm, f_vec r2) {
    return _mm256_and_ps(it, _mm256_cmp_ps(norm, r2, _CMP_NGE_UQ));
}
static ALWAYS_INLINE f_count f_zero(void) {
    return _mm256_setzero_si256();
}
static ALWAYS_INLINE f_count f_tally(f_count n, f_mask it) {
    return _mm256_sub_epi32(n, _mm256_castps_si256(it));
}
static ALWAYS_INLINE f_mask f_or(f_mask a, f_mask b) {
    return _mm256_or_ps(a, b);
}
static ALWAYS_INLINE bool f_none(f_mask m) {
    return _mm256_testz_ps(m, m);
}
static ALWAYS_INLINE void f_store(uint32_t *out, f_count n, unsigned lanes) {
    uint32_t all[F_LANES];
    _mm256_storeu_si256((__m256i *)all, n);
    memcpy(out, all, lanes * sizeof *out);
}
#else
#error "julia_simd_limit needs AVX-512 or AVX2: build with -march=native on such a CPU"
#endif

/* ---- the escape-time loop -------------------------------------------------------------------- */

/* One image's parameters. x and y hold the sample points (double or float, as the precision):
 * x[col] padded with x_max to a whole number of vectors, y[row] with row 0 the top. */
typedef struct {
    uint32_t width, height, max_iter;
    const void *x, *y;
    double c_re, c_im, escape_r2; /* narrowed to float by the float loop */
} frame;

/* Computes the counts of rows row0 .. row0 + R - 1 (those inside the image). */
typedef void strip_fn(const frame *fr, uint32_t row0, uint32_t *counts);

/* One step of z <- z^2 + c for one row, as julia_simd's STEP: the squares of the escape test
 * serve the next step; cross * 2 is exact, the same value as julia()'s z_re*z_im + z_im*z_re. */
#define STEP(T, s)                                                                                 \
    do {                                                                                           \
        const T##_vec cross = T##_mul((s).z_re, (s).z_im);                                         \
        (s).z_re = T##_add(T##_sub((s).re2, (s).im2), c_re);                                       \
        (s).z_im = T##_add(T##_mul(cross, two), c_im);                                             \
        (s).re2 = T##_mul((s).z_re, (s).z_re);                                                     \
        (s).im2 = T##_mul((s).z_im, (s).z_im);                                                     \
        (s).iterating = T##_still((s).iterating, T##_add((s).re2, (s).im2), escape_r2);            \
        (s).count = T##_tally((s).count, (s).iterating);                                           \
    } while (0)

/* T##_strip(fr, row0, counts, rows): a strip of `rows` rows, block by block of LANES columns.
 * A lane escaping at step i was still iterating after steps 0 .. i - 1: its count is i. Rows
 * below the image repeat the last row and are not stored. */
#define DEFINE_STRIP(T, REAL, LANES)                                                               \
    typedef struct {                                                                               \
        T##_vec z_re, z_im, re2, im2;                                                              \
        T##_mask iterating;                                                                        \
        T##_count count;                                                                           \
    } T##_state;                                                                                   \
                                                                                                   \
    static ALWAYS_INLINE void T##_strip(const frame *fr, uint32_t row0, uint32_t *counts,          \
                                        const int rows) {                                          \
        const REAL *xs = fr->x, *ys = fr->y;                                                       \
        const uint32_t width = fr->width, height = fr->height, max_iter = fr->max_iter;            \
        const T##_vec c_re = T##_set1((REAL)fr->c_re), c_im = T##_set1((REAL)fr->c_im);            \
        const T##_vec escape_r2 = T##_set1((REAL)fr->escape_r2), two = T##_set1(2);                \
        for (uint32_t col0 = 0; col0 < width; col0 += LANES) {                                     \
            T##_state s[MAX_ROWS];                                                                 \
            const T##_vec x = T##_load(xs + col0);                                                 \
            _Pragma("GCC unroll 8") for (int r = 0; r < rows; ++r) {                               \
                const uint32_t row = row0 + r < height ? row0 + r : height - 1;                    \
                s[r].z_re = x;                                                                     \
                s[r].z_im = T##_set1(ys[row]);                                                     \
                s[r].re2 = T##_mul(x, x);                                                          \
                s[r].im2 = T##_mul(s[r].z_im, s[r].z_im);                                          \
                s[r].iterating = T##_all();                                                        \
                s[r].count = T##_zero();                                                           \
            }                                                                                      \
            for (uint32_t i = 0; i < max_iter; i += TEST_EVERY) {                                  \
                if (max_iter - i >= TEST_EVERY) {                                                  \
                    _Pragma("GCC unroll 4") for (int k = 0; k < TEST_EVERY; ++k)                   \
                        _Pragma("GCC unroll 8") for (int r = 0; r < rows; ++r) STEP(T, s[r]);      \
                } else {                                                                           \
                    for (uint32_t k = i; k < max_iter; ++k)                                        \
                        _Pragma("GCC unroll 8") for (int r = 0; r < rows; ++r) STEP(T, s[r]);      \
                }                                                                                  \
                T##_mask any = s[0].iterating;                                                     \
                _Pragma("GCC unroll 8") for (int r = 1; r < rows; ++r) any =                       \
                    T##_or(any, s[r].iterating);                                                   \
                if (T##_none(any))                                                                 \
                    break;                                                                         \
            }                                                                                      \
            const unsigned lanes = width - col0 < LANES ? width - col0 : LANES;                    \
            _Pragma("GCC unroll 8") for (int r = 0; r < rows; ++r) {                               \
                if (row0 + r < height)                                                             \
                    T##_store(counts + (size_t)(row0 + r) * width + col0, s[r].count, lanes);      \
            }                                                                                      \
        }                                                                                          \
    }

DEFINE_STRIP(d, double, D_LANES)
DEFINE_STRIP(f, float, F_LANES)

/* The strip functions for R = 1 .. MAX_ROWS rows, each with its loops over rows unrolled. */
#define DEFINE_ROWS(R)                                                                             \
    static void d_strip_##R(const frame *fr, uint32_t row0, uint32_t *counts) {                    \
        d_strip(fr, row0, counts, R);                                                              \
    }                                                                                              \
    static void f_strip_##R(const frame *fr, uint32_t row0, uint32_t *counts) {                    \
        f_strip(fr, row0, counts, R);                                                              \
    }
DEFINE_ROWS(1)
DEFINE_ROWS(2)
DEFINE_ROWS(3)
DEFINE_ROWS(4)
DEFINE_ROWS(5)
DEFINE_ROWS(6)
DEFINE_ROWS(7)
DEFINE_ROWS(8)

static strip_fn *const strips[2][MAX_ROWS] = {
    {d_strip_1, d_strip_2, d_strip_3, d_strip_4, d_strip_5, d_strip_6, d_strip_7, d_strip_8},
    {f_strip_1, f_strip_2, f_strip_3, f_strip_4, f_strip_5, f_strip_6, f_strip_7, f_strip_8},
};

/* The whole image: strips of `rows` rows handed out to the threads one at a time. */
static void compute(const frame *fr, strip_fn *strip, int rows, uint32_t *counts) {
    const uint32_t n = (fr->height + (uint32_t)rows - 1) / (uint32_t)rows;
#pragma omp parallel for schedule(dynamic)
    for (uint32_t i = 0; i < n; ++i)
        strip(fr, i * (uint32_t)rows, counts);
}

/* ---- the sample points, as host/renderers/julia/launch.c passes them to the kernel ---------- */

/* numpy.linspace(start, stop, count)[i]: i * step + start, the last point exactly stop. */
static double sample_double(double start, double stop, double step, uint32_t count, uint32_t i) {
    return count > 1 && i == count - 1 ? stop : (double)i * step + start;
}

/* The float kernel gets start, stop and step narrowed to float and computes in float. */
static float sample_float(double start, double stop, double step, uint32_t count, uint32_t i) {
    return count > 1 && i == count - 1 ? (float)stop : (float)i * (float)step + (float)start;
}

/* Fills `points` (count values, then padding up to `padded`) with the samples of
 * [start, stop]; reversed puts stop first, as image rows do. */
static void fill_samples(void *points, bool is_double, double start, double stop, uint32_t count,
                         uint32_t padded, bool reversed) {
    const double step = count > 1 ? (stop - start) / (double)(count - 1) : 0.0;
    for (uint32_t k = 0; k < padded; ++k) {
        const uint32_t i = k >= count ? count - 1 : reversed ? count - 1 - k : k;
        if (is_double)
            ((double *)points)[k] = sample_double(start, stop, step, count, i);
        else
            ((float *)points)[k] = sample_float(start, stop, step, count, i);
    }
}

/* ---- the command line ------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    uint32_t width, height, max_iter;
    double region[4], c[2], threshold;
} preset;

/* host/renderers/julia/params.c's presets, with its defaults for c and the threshold. */
static const preset presets[] = {
    {"blog-zoom", 4000, 4000, 100, {-0.1, 0.1, -0.1, 0.1}, {-0.835, -0.2321}, 2.0},
    {"blog-overview", 1000, 625, 80, {-1.6, 1.6, -1.0, 1.0}, {-0.835, -0.2321}, 2.0},
};

static void usage(FILE *to) {
    fprintf(to,
            "usage: julia_simd_limit [--preset blog-zoom|blog-overview]"
            " [--precision double|float]\n"
            "                        [--rows R] [--repeat N] [--save FILE.npy] [--json]\n"
            "Computes the counts of `clrender julia --preset P --precision X` with a"
            " hand-written\n"
            "SIMD loop (" ISA ") and prints the median time of N runs after one warm-up.\n"
            "  --rows R   rows iterated together per block, 1 to %d (default 6, the fastest here)\n"
            "  --measure-clock  print the clock of the cores while all count cycles, and"
            " exit\n",
            MAX_ROWS);
}

static int compare_doubles(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

/* The clock each thread runs at while all run: a chain of dependent integer adds, one a cycle.
 * For the arithmetic bound, which needs cycles per second; /proc/cpuinfo's figure may be the
 * base clock under a hypervisor. */
static double measure_clock_ghz(void) {
    double sum_ghz = 0;
#pragma omp parallel reduction(+ : sum_ghz)
    {
        uint64_t adds = UINT64_C(1) << 30, x = 0;
        const double start = now_ms();
        __asm__ volatile("1:\n\t"
                         "add $1, %0\n\t"
                         "add $1, %0\n\t"
                         "add $1, %0\n\t"
                         "add $1, %0\n\t"
                         "sub $4, %1\n\t"
                         "jnz 1b"
                         : "+r"(x), "+r"(adds));
        sum_ghz += (double)(UINT64_C(1) << 30) / (now_ms() - start) * 1e-6;
    }
    return sum_ghz / omp_get_max_threads();
}

/* Writes counts as a .npy file (format 1.0): uint32, shape (height, width), C order. */
static int save_npy(const char *path, const uint32_t *counts, uint32_t width, uint32_t height) {
    char header[128];
    int len =
        snprintf(header, sizeof header,
                 "{'descr': '<u4', 'fortran_order': False, 'shape': (%u, %u), }", height, width);
    const int total = (10 + len + 1 + 63) / 64 * 64; /* magic, version, length, dict, '\n' */
    memset(header + len, ' ', (size_t)(total - 10 - len - 1));
    header[total - 10 - 1] = '\n';
    const unsigned char prefix[10] = {0x93,
                                      'N',
                                      'U',
                                      'M',
                                      'P',
                                      'Y',
                                      1,
                                      0,
                                      (unsigned char)((total - 10) & 0xFF),
                                      (unsigned char)((total - 10) >> 8)};
    FILE *out = fopen(path, "wb");
    if (!out)
        return -1;
    const size_t n = (size_t)width * height;
    const bool ok = fwrite(prefix, 1, sizeof prefix, out) == sizeof prefix &&
                    fwrite(header, 1, (size_t)(total - 10), out) == (size_t)(total - 10) &&
                    fwrite(counts, sizeof *counts, n, out) == n; /* little-endian x86 */
    return fclose(out) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv) {
    const preset *p = &presets[0];
    bool is_double = true, json = false, clock = false;
    int rows = 6, repeat = 5;
    const char *save = NULL;
    for (int a = 1; a < argc; ++a) {
        const char *value = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[a], "--json")) {
            json = true;
            continue;
        } else if (!strcmp(argv[a], "--measure-clock")) {
            clock = true;
            continue;
        } else if (!value) {
            usage(stderr);
            return 2;
        } else if (!strcmp(argv[a], "--preset")) {
            p = NULL;
            for (size_t i = 0; i < sizeof presets / sizeof presets[0]; ++i)
                if (!strcmp(value, presets[i].name))
                    p = &presets[i];
        } else if (!strcmp(argv[a], "--precision")) {
            is_double = !strcmp(value, "double");
            if (!is_double && strcmp(value, "float")) {
                fprintf(stderr, "julia_simd_limit: --precision is double or float\n");
                return 2;
            }
        } else if (!strcmp(argv[a], "--rows")) {
            rows = atoi(value);
        } else if (!strcmp(argv[a], "--repeat")) {
            repeat = atoi(value);
        } else if (!strcmp(argv[a], "--save")) {
            save = value;
        } else {
            usage(stderr);
            return 2;
        }
        ++a;
    }
    if (!p || rows < 1 || rows > MAX_ROWS || repeat < 1) {
        usage(stderr);
        return 2;
    }
    if (clock) {
        const double ghz = measure_clock_ghz();
        printf(json ? "{\"clock_ghz\": %.4f, \"threads\": %d}\n" : "%.4f GHz (%d threads)\n", ghz,
               omp_get_max_threads());
        return 0;
    }

    const unsigned lanes = is_double ? D_LANES : F_LANES;
    const size_t real_size = is_double ? sizeof(double) : sizeof(float);
    const uint32_t padded_width = (p->width + lanes - 1) / lanes * lanes;
    void *x = malloc(padded_width * real_size), *y = malloc(p->height * real_size);
    uint32_t *counts = malloc((size_t)p->width * p->height * sizeof *counts);
    double *runs_ms = malloc((size_t)repeat * sizeof *runs_ms);
    if (!x || !y || !counts || !runs_ms) {
        fprintf(stderr, "julia_simd_limit: out of memory\n");
        return 1;
    }
    fill_samples(x, is_double, p->region[0], p->region[1], p->width, padded_width, false);
    fill_samples(y, is_double, p->region[2], p->region[3], p->height, p->height, true);
    const frame fr = {
        .width = p->width,
        .height = p->height,
        .max_iter = p->max_iter,
        .x = x,
        .y = y,
        .c_re = p->c[0],
        .c_im = p->c[1],
        .escape_r2 = p->threshold * p->threshold,
    };
    strip_fn *strip = strips[is_double ? 0 : 1][rows - 1];

    compute(&fr, strip, rows, counts); /* warm-up: page faults, thread start, clocks */
    for (int k = 0; k < repeat; ++k) {
        const double start = now_ms();
        compute(&fr, strip, rows, counts);
        runs_ms[k] = now_ms() - start;
    }
    double *sorted = malloc((size_t)repeat * sizeof *sorted);
    if (!sorted)
        return 1;
    memcpy(sorted, runs_ms, (size_t)repeat * sizeof *sorted);
    qsort(sorted, (size_t)repeat, sizeof *sorted, compare_doubles);
    const double median =
        repeat % 2 ? sorted[repeat / 2] : (sorted[repeat / 2 - 1] + sorted[repeat / 2]) / 2;

    /* clrender's count of iterations (julia_iterations): count + 1 steps for an escaped pixel */
    uint64_t iterations = 0;
    for (size_t i = 0; i < (size_t)p->width * p->height; ++i)
        iterations += counts[i] < p->max_iter ? (uint64_t)counts[i] + 1 : p->max_iter;

    const char *precision = is_double ? "double" : "float";
    if (json) {
        printf("{\"preset\": \"%s\", \"precision\": \"%s\", \"isa\": \"%s\", \"lanes\": %u, "
               "\"rows\": %d, \"threads\": %d, \"width\": %u, \"height\": %u, \"max_iter\": %u, "
               "\"repeat\": %d, \"median_ms\": %.3f, \"runs_ms\": [",
               p->name, precision, ISA, lanes, rows, omp_get_max_threads(), p->width, p->height,
               p->max_iter, repeat, median);
        for (int k = 0; k < repeat; ++k)
            printf("%s%.3f", k ? ", " : "", runs_ms[k]);
        printf("], \"iterations\": %llu, \"ops_per_lane_step\": %d}\n",
               (unsigned long long)iterations, OPS_PER_STEP);
    } else {
        printf("%s %s: %s, %u lanes x %d rows, %d threads\n", p->name, precision, ISA, lanes, rows,
               omp_get_max_threads());
        printf("median %.3f ms of %d runs (after one warm-up)\n", median, repeat);
        printf("iterations %llu (%.3f G/s)\n", (unsigned long long)iterations,
               (double)iterations / median * 1e-6);
    }
    if (save && save_npy(save, counts, p->width, p->height)) {
        fprintf(stderr, "julia_simd_limit: cannot write %s\n", save);
        return 1;
    }
    free(sorted);
    free(runs_ms);
    free(counts);
    free(y);
    free(x);
    return 0;
}
