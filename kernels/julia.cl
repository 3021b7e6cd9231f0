/* julia.cl — escape-time counts of the filled Julia set of z^2 + c, one
 * work-item per pixel. The maths is specified in include/clrender/julia.h;
 * host/julia_reference.c is the scalar twin that --verify compares against.
 *
 * Build with -DJULIA_DOUBLE for double precision, otherwise float.
 */
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

    real z_re = linspace_at(x_min, x_max, x_step, width, col);
    real z_im = linspace_at(y_min, y_max, y_step, height, height - 1 - row);
    uint count = max_iter;
    for (uint i = 0; i < max_iter; ++i) {
        const real next_re = (z_re * z_re - z_im * z_im) + c_re;
        z_im = (z_re * z_im + z_im * z_re) + c_im;
        z_re = next_re;
        if (z_re * z_re + z_im * z_im >= escape_r2) {
            count = i;
            break;
        }
    }
    counts[(size_t)row * width + col] = count;
}

/* ---- julia_simd: a vector of adjacent pixels per work-item, for CPU devices ----------------
 * PoCL cannot vectorise julia() above: its work-items leave the loop at different iterations.
 * Here one work-item iterates LANES adjacent pixels of a row at once, with a mask of the lanes
 * still iterating, and stops when none is. Per lane it performs exactly the operations of
 * julia(), so the counts are identical. Build with -DLANES=2, 4, 8 or 16. */
#ifdef LANES
#define JOIN(a, b) a##b
#define VECTOR(type, n) JOIN(type, n)
#ifdef JULIA_DOUBLE
#define REAL double
#define MASK long /* what comparing two double vectors gives */
#define TO_UINT VECTOR(convert_uint, LANES)
#else
#define REAL float
#define MASK int
#define TO_UINT VECTOR(as_uint, LANES)
#endif
typedef VECTOR(REAL, LANES) realv;
typedef VECTOR(MASK, LANES) maskv;
typedef VECTOR(uint, LANES) uintv;
#define VLOAD VECTOR(vload, LANES)
#define VSTORE VECTOR(vstore, LANES)
#define CONVERT_REAL VECTOR(VECTOR(convert_, REAL), LANES)
#define CONVERT_MASK VECTOR(VECTOR(convert_, MASK), LANES)

__constant uint lane_offsets[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

/* The global size is ceil(width / LANES) x height. */
__kernel void julia_simd(__global uint *counts, uint width, uint height, real x_min, real x_max,
                         real x_step, real y_min, real y_max, real y_step, real c_re, real c_im,
                         real escape_r2, uint max_iter) {
    const uint col0 = get_global_id(0) * LANES;
    const uint row = get_global_id(1);
    if (col0 >= width || row >= height)
        return;

    /* as julia(): i * step + start, rounding i to real first; the last column is x_max */
    const uintv col = (uintv)(col0) + VLOAD(0, lane_offsets);
    const maskv last = CONVERT_MASK(col == (uintv)(width - 1)) & (maskv)(width > 1 ? -1 : 0);
    realv z_re = select(CONVERT_REAL(col) * x_step + x_min, (realv)(x_max), last);
    realv z_im = (realv)(linspace_at(y_min, y_max, y_step, height, height - 1 - row));
    realv re2 = z_re * z_re, im2 = z_im * z_im;
    maskv count = (maskv)((MASK)max_iter);
    maskv iterating = (maskv)(-1);
    for (uint i = 0; i < max_iter; ++i) {
        /* The squares of the escape test serve the next step: they are the same products. */
        const realv cross = z_re * z_im;
        z_re = (re2 - im2) + c_re;
        z_im = (cross + cross) + c_im;
        re2 = z_re * z_re;
        im2 = z_im * z_im;
        const maskv escaped = iterating & (re2 + im2 >= escape_r2);
        count = select(count, (maskv)((MASK)i), escaped);
        iterating &= ~escaped;
        if (!any(iterating))
            break;
    }

    /* Counts up to 2^32 - 1 travel through MASK's bits and come back intact as uint. */
    __global uint *out = counts + (size_t)row * width + col0;
    if (col0 + LANES <= width) {
        VSTORE(TO_UINT(count), 0, out);
        return;
    }
    uint lanes[LANES]; /* the right edge, lane by lane */
    VSTORE(TO_UINT(count), 0, lanes);
    for (uint lane = 0; col0 + lane < width; ++lane)
        out[lane] = lanes[lane];
}
#endif
