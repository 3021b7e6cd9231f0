/* julia.cl — escape-time counts of the filled Julia set of z^2 + c, one
 * work-item per pixel. The maths is specified in include/clrender/julia.h;
 * host/julia_reference.c is the scalar twin that --verify compares against.
 *
 * Build with -DJULIA_DOUBLE for double precision, otherwise float; with -DMANDELBROT
 * the same loop draws the Mandelbrot set: z starts at 0 and c is the pixel.
 */
#include "julia_layout.h"

#ifdef JULIA_DOUBLE
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real;
#else
typedef float real;
#endif

/* Counts must match numpy/numba and the C reference bit for bit, so no
 * multiply-add may be fused into one rounding. */
#pragma OPENCL FP_CONTRACT OFF

/* numpy.linspace(start, stop, count)[i] given step = (stop - start) / (count - 1). */
static real linspace_at(real start, real stop, real step, uint count, uint i) {
    return (count > 1 && i == count - 1) ? stop : (real)i * step + start;
}

__kernel void julia(__global uint *counts, uint width, uint height, real x_min, real x_max,
                    real x_step, real y_min, real y_max, real y_step, real c_re, real c_im,
                    real escape_r2, uint max_iter) {
    const uint col = get_global_id(0);
    const uint row = get_global_id(1);
    if (col >= width || row >= height)
        return;

    const real x = linspace_at(x_min, x_max, x_step, width, col);
    const real y = linspace_at(y_min, y_max, y_step, height, height - 1 - row);
#ifdef MANDELBROT
    real z_re = 0, z_im = 0;
    const real add_re = x, add_im = y;
#else
    real z_re = x, z_im = y;
    const real add_re = c_re, add_im = c_im;
#endif
    uint count = max_iter;
    for (uint i = 0; i < max_iter; ++i) {
        const real next_re = (z_re * z_re - z_im * z_im) + add_re;
        z_im = (z_re * z_im + z_im * z_re) + add_im;
        z_re = next_re;
        if (z_re * z_re + z_im * z_im >= escape_r2) {
            count = i;
            break;
        }
    }
    /* The output holds the rows of this launch's band, which starts at the global offset. */
    counts[(size_t)(row - get_global_offset(1)) * width + col] = count;
}

/* ---- julia_simd: blocks of pixels per work-item, for CPU devices ---------------------------
 * PoCL cannot vectorise julia() above: its work-items leave the loop at different iterations.
 * Here one work-item iterates a block of LANES adjacent pixels in each of four rows
 * (JULIA_SIMD_ROWS, which the host's bands follow): four
 * vectors, each with a mask of the lanes still iterating, until no lane of any iterates. The
 * vectors are independent dependency chains that the core overlaps, and a square-ish block
 * holds pixels of similar counts, so few lanes wait idle for the slowest. Per lane it performs
 * exactly the operations of julia(), so the counts are identical. Build with -DLANES=2, 4, 8
 * or 16. */
#ifdef LANES
#define JOIN(a, b)      a##b
#define VECTOR(type, n) JOIN(type, n)
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

/* The four rows of a block are vectors a, b, c and d. Rows below the image repeat the last
 * row and are not stored. */
#ifdef MANDELBROT /* z from 0, c the pixel */
#define START(v, row)                                                                              \
    const realv add_re_##v = z_re_first,                                                           \
                add_im_##v = (realv)(linspace_at(y_min, y_max, y_step, height,                     \
                                                 height - 1 - min((uint)(row), height - 1)));      \
    realv z_re_##v = (realv)(0), z_im_##v = (realv)(0), re2_##v = (realv)(0),                      \
          im2_##v = (realv)(0);                                                                    \
    maskv count_##v = (maskv)((MASK)max_iter), iterating_##v = (maskv)(-1);
#else
#define START(v, row)                                                                              \
    const realv add_re_##v = (realv)(c_re), add_im_##v = (realv)(c_im);                            \
    realv z_re_##v = z_re_first,                                                                   \
          z_im_##v = (realv)(linspace_at(y_min, y_max, y_step, height,                             \
                                         height - 1 - min((uint)(row), height - 1)));              \
    realv re2_##v = z_re_##v * z_re_##v, im2_##v = z_im_##v * z_im_##v;                            \
    maskv count_##v = (maskv)((MASK)max_iter), iterating_##v = (maskv)(-1);
#endif

/* One step of z <- z^2 + c; the squares of the escape test serve the next step. */
#define STEP(v)                                                                                    \
    {                                                                                              \
        const realv cross = z_re_##v * z_im_##v;                                                   \
        z_re_##v = (re2_##v - im2_##v) + add_re_##v;                                               \
        z_im_##v = cross * 2 + add_im_##v; /* 2x is exact: the same value as cross + cross */      \
        re2_##v = z_re_##v * z_re_##v;                                                             \
        im2_##v = z_im_##v * z_im_##v;                                                             \
        const maskv escaped = iterating_##v & (re2_##v + im2_##v >= escape_r2);                    \
        count_##v = select(count_##v, (maskv)((MASK)i), escaped);                                  \
        iterating_##v &= ~escaped;                                                                 \
    }
#define STEP_ALL STEP(a) STEP(b) STEP(c) STEP(d)

/* Counts up to 2^32 - 1 travel through MASK's bits and come back intact as uint. */
#define STORE(v, row)                                                                              \
    if ((row) < height) {                                                                          \
        __global uint *out = counts + (size_t)((row)-band_first_row) * width + col0;               \
        if (col0 + LANES <= width) {                                                               \
            VSTORE(TO_UINT(count_##v), 0, out);                                                    \
        } else { /* the right edge, lane by lane */                                                \
            uint lanes[LANES];                                                                     \
            VSTORE(TO_UINT(count_##v), 0, lanes);                                                  \
            for (uint lane = 0; col0 + lane < width; ++lane)                                       \
                out[lane] = lanes[lane];                                                           \
        }                                                                                          \
    }

/* The global size is ceil(width / LANES) x ceil(height / JULIA_SIMD_ROWS); four rows, a to d. */
#if JULIA_SIMD_ROWS != 4
#error "julia_simd iterates four rows (a, b, c, d): change it together with JULIA_SIMD_ROWS"
#endif
__kernel void julia_simd(__global uint *counts, uint width, uint height, real x_min, real x_max,
                         real x_step, real y_min, real y_max, real y_step, real c_re, real c_im,
                         real escape_r2, uint max_iter) {
    const uint col0 = get_global_id(0) * LANES;
    const uint row0 = get_global_id(1) * JULIA_SIMD_ROWS;
    /* The output holds the rows of this launch's band, which starts at the global offset. */
    const uint band_first_row = get_global_offset(1) * JULIA_SIMD_ROWS;
    if (col0 >= width || row0 >= height)
        return;

    /* as julia(): i * step + start, rounding i to real first; the last column is x_max */
    const uintv col = (uintv)(col0) + VLOAD(0, lane_offsets);
    const realv z_re_first =
        select(CONVERT_REAL(col) * x_step + x_min, (realv)(x_max),
               CONVERT_MASK(col == (uintv)(width - 1)) & (maskv)(width > 1 ? -1 : 0));
    START(a, row0)
    START(b, row0 + 1)
    START(c, row0 + 2)
    START(d, row0 + 3)
    /* Asking whether any lane still iterates is a reduction: ask every fourth step. */
    for (uint i = 0; i < max_iter; ++i) {
        STEP_ALL
        if (++i == max_iter)
            break;
        STEP_ALL
        if (++i == max_iter)
            break;
        STEP_ALL
        if (++i == max_iter)
            break;
        STEP_ALL
        if (!any((iterating_a | iterating_b) | (iterating_c | iterating_d)))
            break;
    }
    STORE(a, row0)
    STORE(b, row0 + 1)
    STORE(c, row0 + 2)
    STORE(d, row0 + 3)
}
#endif
