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
