/* julia.cl — escape-time counts of the filled Julia set of z^2 + c, one
 * work-item per pixel. The maths is specified in host/renderers/julia/julia.h;
 * host/renderers/julia/reference.c is the scalar twin that --verify compares against.
 *
 * Build with -DJULIA_DOUBLE for double precision, otherwise float; with -DMANDELBROT
 * the same loop draws the Mandelbrot set: z starts at 0 and c is the pixel. With
 * -DSMOOTH a pixel's value is the float nu = n + 1 - log2(ln|z_n|) (+infinity inside)
 * instead of the count n. With `spp` > 1 each pixel holds spp samples, one after the
 * other, at the offsets sample_offset() gives.
 */
#include "julia_layout.h"

#ifdef JULIA_DOUBLE
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real;
#else
typedef float real;
#endif

#ifdef SMOOTH
typedef float sample_t;
#else
typedef uint sample_t;
#endif

/* Counts must match numpy/numba and the C reference bit for bit, so no
 * multiply-add may be fused into one rounding. */
#pragma OPENCL FP_CONTRACT OFF

/* numpy.linspace(start, stop, count)[i] given step = (stop - start) / (count - 1). */
static real linspace_at(real start, real stop, real step, uint count, uint i) {
    return (count > 1 && i == count - 1) ? stop : (real)i * step + start;
}

/* Sample s of a pixel's spp, as a fraction of the pixel step from its centre: a rank-1
 * lattice (as the sphere tracer's), stratified in x and golden-ratio spaced in y. */
static real sample_dx(uint s, uint spp) {
    return ((real)s + (real)0.5) / (real)spp - (real)0.5;
}
static real sample_dy(uint s) {
    const real lattice = (real)0.5 + (real)s * (real)JULIA_GOLDEN;
    return lattice - floor(lattice) - (real)0.5;
}

#ifdef SMOOTH
/* The smooth value of a point that escaped at iteration n with |z|^2 = r2. */
static float smooth_value(uint n, real r2) {
    return (float)((real)n + (real)1 - log2(log(r2) * (real)0.5));
}
#endif

__kernel void julia(__global sample_t *out, uint width, uint height, real x_min, real x_max,
                    real x_step, real y_min, real y_max, real y_step, real c_re, real c_im,
                    real escape_r2, uint max_iter, uint spp) {
    const uint col = get_global_id(0);
    const uint row = get_global_id(1);
    if (col >= width || row >= height)
        return;

    const real x_pixel = linspace_at(x_min, x_max, x_step, width, col);
    const real y_pixel = linspace_at(y_min, y_max, y_step, height, height - 1 - row);
    /* The output holds the rows of this launch's band, which starts at the global offset. */
    __global sample_t *pixel_out = out + ((size_t)(row - get_global_offset(1)) * width + col) * spp;
    for (uint s = 0; s < spp; ++s) {
        const real x = spp > 1 ? x_pixel + sample_dx(s, spp) * x_step : x_pixel;
        const real y = spp > 1 ? y_pixel + sample_dy(s) * y_step : y_pixel;
#ifdef MANDELBROT
        real z_re = 0, z_im = 0;
        const real add_re = x, add_im = y;
#else
        real z_re = x, z_im = y;
        const real add_re = c_re, add_im = c_im;
#endif
        uint count = max_iter;
        real escaped_r2 = 0;
        for (uint i = 0; i < max_iter; ++i) {
            const real next_re = (z_re * z_re - z_im * z_im) + add_re;
            z_im = (z_re * z_im + z_im * z_re) + add_im;
            z_re = next_re;
            const real r2 = z_re * z_re + z_im * z_im;
            if (r2 >= escape_r2) {
                count = i;
                escaped_r2 = r2;
                break;
            }
        }
#ifdef SMOOTH
        pixel_out[s] = count == max_iter ? INFINITY : smooth_value(count, escaped_r2);
#else
        (void)escaped_r2;
        pixel_out[s] = count;
#endif
    }
}

/* ---- julia_simd: blocks of pixels per work-item, for CPU devices ---------------------------
 * PoCL cannot vectorise julia() above: its work-items leave the loop at different iterations.
 * Here one work-item iterates a block of LANES adjacent pixels in each of JULIA_SIMD_ROWS rows
 * (which the host's bands follow): one vector per row, until no lane of any still iterates.
 * The vectors are independent dependency chains that the core overlaps, and a square-ish block
 * holds pixels of similar counts, so few lanes wait idle for the slowest. Per lane it performs
 * exactly the operations of julia(), so the counts are identical. Build with -DLANES=2, 4, 8
 * or 16.
 *
 * Written for what LLVM makes of it on AVX-512 (tools/julia_limit_bench.py measures it against
 * a hand-written intrinsics loop): a lane's only state besides z is its count, the steps after
 * which it still iterated, so it iterates while count == steps. A mask carried from step to
 * step instead was a long vector that LLVM converted to and from a mask register every step;
 * a compare of the count gives the mask register directly, and the count's update is one
 * masked move of the next step number. */
#ifdef LANES
#include "lanes.h"
#ifdef JULIA_DOUBLE
#define REAL    double
#define MASK    long /* what comparing two double vectors gives */
#define TO_UINT VECTOR(convert_uint, LANES)
#else
#define REAL    float
#define MASK    int
#define TO_UINT VECTOR(as_uint, LANES)
#endif
typedef VECTOR(REAL, LANES) realv;
typedef VECTOR(MASK, LANES) maskv;
typedef VECTOR(uint, LANES) uintv;
#define VLOAD        VECTOR(vload, LANES)
#define VSTORE       VECTOR(vstore, LANES)
#define CONVERT_REAL VECTOR(VECTOR(convert_, REAL), LANES)
#define CONVERT_MASK VECTOR(VECTOR(convert_, MASK), LANES)

__constant uint lane_offsets[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

/* With SMOOTH, |z|^2 at the escape is kept for nu: one more select per step. */
#ifdef SMOOTH
#define KEPT_R2(v) realv escaped_r2_##v = (realv)(0);
#define KEEP_R2(v, r2, steps)                                                                      \
    escaped_r2_##v = select(escaped_r2_##v, r2, (count_##v == (steps)) & (r2 >= escape_r2));
#else
#define KEPT_R2(v)
#define KEEP_R2(v, r2, steps)
#endif

#define Y_AT(row)                                                                                  \
    (linspace_at(y_min, y_max, y_step, height, height - 1 - min((uint)(row), height - 1)) +        \
     y_offset)
#ifdef MANDELBROT /* z from 0, c the pixel */
#define START(v, k)                                                                                \
    const realv add_re_##v = z_re_first, add_im_##v = (realv)(Y_AT(row0 + k));                     \
    realv z_re_##v = (realv)(0), z_im_##v = (realv)(0), re2_##v = (realv)(0),                      \
          im2_##v = (realv)(0);                                                                    \
    maskv count_##v = (maskv)(0);                                                                  \
    KEPT_R2(v)
#else
#define START(v, k)                                                                                \
    const realv add_re_##v = (realv)(c_re), add_im_##v = (realv)(c_im);                            \
    realv z_re_##v = z_re_first, z_im_##v = (realv)(Y_AT(row0 + k));                               \
    realv re2_##v = z_re_##v * z_re_##v, im2_##v = z_im_##v * z_im_##v;                            \
    maskv count_##v = (maskv)(0);                                                                  \
    KEPT_R2(v)
#endif

/* One step of z <- z^2 + c; the squares of the escape test serve the next step. A lane still
 * iterating (count == steps) that does not escape now counts this step (count = next). */
#define STEP(v, k)                                                                                 \
    {                                                                                              \
        const realv cross = z_re_##v * z_im_##v;                                                   \
        z_re_##v = (re2_##v - im2_##v) + add_re_##v;                                               \
        z_im_##v = cross * 2 + add_im_##v; /* 2x is exact: the same value as cross + cross */      \
        re2_##v = z_re_##v * z_re_##v;                                                             \
        im2_##v = z_im_##v * z_im_##v;                                                             \
        const realv r2 = re2_##v + im2_##v;                                                        \
        KEEP_R2(v, r2, steps)                                                                      \
        count_##v = select(count_##v, next, (count_##v == steps) & ~(r2 >= escape_r2));            \
    }
/* A lane of row v that still iterates, OR-ed onto the expression before. */
#define STILL(v, k) | (count_##v == steps)
#define ADVANCE                                                                                    \
    steps = next;                                                                                  \
    next += 1;
/* What a pixel holds: the count (up to 2^32 - 1, through MASK's bits intact as uint), or
 * with SMOOTH nu, +infinity where the count is max_iter. */
#ifdef SMOOTH
typedef VECTOR(float, LANES) samplev;
#define SAMPLES(v)                                                                                 \
    VECTOR(convert_float, LANES)                                                                   \
    (select((CONVERT_REAL(TO_UINT(count_##v)) + (realv)(1)) -                                      \
                log2(log(escaped_r2_##v) * (realv)(0.5)),                                          \
            (realv)(INFINITY), count_##v == (maskv)((MASK)max_iter)))
#else
typedef uintv samplev;
#define SAMPLES(v) TO_UINT(count_##v)
#endif

#define STORE(v, k)                                                                                \
    if (row0 + k < height) {                                                                       \
        const samplev values = SAMPLES(v);                                                         \
        __global sample_t *row_out =                                                               \
            out + ((size_t)(row0 + k - band_first_row) * width + col0) * spp;                      \
        if (spp == 1 && col0 + LANES <= width) {                                                   \
            VSTORE(values, 0, row_out);                                                            \
        } else { /* several samples per pixel, or the right edge: lane by lane */                  \
            sample_t lanes[LANES];                                                                 \
            VSTORE(values, 0, lanes);                                                              \
            for (uint lane = 0; lane < LANES && col0 + lane < width; ++lane)                       \
                row_out[(size_t)lane * spp + s] = lanes[lane];                                     \
        }                                                                                          \
    }

/* The global size is ceil(width / LANES) x ceil(height / JULIA_SIMD_ROWS); rows a, b, ... */
#if JULIA_SIMD_ROWS == 4
#define FOR_ROWS(F) F(a, 0) F(b, 1) F(c, 2) F(d, 3)
#elif JULIA_SIMD_ROWS == 5
#define FOR_ROWS(F) F(a, 0) F(b, 1) F(c, 2) F(d, 3) F(e, 4)
#elif JULIA_SIMD_ROWS == 6
#define FOR_ROWS(F) F(a, 0) F(b, 1) F(c, 2) F(d, 3) F(e, 4) F(f, 5)
#else
#error "julia_simd names its rows a to f: JULIA_SIMD_ROWS must be 4, 5 or 6"
#endif
__kernel void julia_simd(__global sample_t *out, uint width, uint height, real x_min, real x_max,
                         real x_step, real y_min, real y_max, real y_step, real c_re, real c_im,
                         real escape_r2, uint max_iter, uint spp) {
    const uint col0 = get_global_id(0) * LANES;
    const uint row0 = get_global_id(1) * JULIA_SIMD_ROWS;
    /* The output holds the rows of this launch's band, which starts at the global offset. */
    const uint band_first_row = get_global_offset(1) * JULIA_SIMD_ROWS;
    if (col0 >= width || row0 >= height)
        return;

    /* as julia(): i * step + start, rounding i to real first; the last column is x_max */
    const uintv col = (uintv)(col0) + VLOAD(0, lane_offsets);
    const realv x_pixel =
        select(CONVERT_REAL(col) * x_step + x_min, (realv)(x_max),
               CONVERT_MASK(col == (uintv)(width - 1)) & (maskv)(width > 1 ? -1 : 0));
    for (uint s = 0; s < spp; ++s) {
        /* as julia(): the sample's offset is added only when there are several */
        const realv z_re_first = spp > 1 ? x_pixel + sample_dx(s, spp) * x_step : x_pixel;
        const real y_offset = spp > 1 ? sample_dy(s) * y_step : (real)0;
        FOR_ROWS(START)
        /* steps counts the steps taken, next the steps after this one, as vectors: one add
         * per step instead of a broadcast. Asking whether any lane still iterates is a
         * reduction: ask every fourth step; the last max_iter % 4 steps go one by one. */
        maskv steps = (maskv)(0), next = (maskv)(1);
        uint i = 0;
        bool iterating = true;
        for (; iterating && max_iter - i >= 4; i += 4) {
            FOR_ROWS(STEP)
            ADVANCE
            FOR_ROWS(STEP)
            ADVANCE
            FOR_ROWS(STEP)
            ADVANCE
            FOR_ROWS(STEP)
            ADVANCE
            iterating = ANY_LANE((maskv)(0)FOR_ROWS(STILL));
        }
        for (; iterating && i < max_iter; ++i) {
            FOR_ROWS(STEP)
            ADVANCE
        }

        FOR_ROWS(STORE)
    }
}
#endif
