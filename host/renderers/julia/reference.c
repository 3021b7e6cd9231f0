/* The scalar twin of kernels/julia.cl: plain loops over C99 complex numbers,
 * written from the definition in julia.h rather than from the kernel. */
#include "renderers/julia/julia.h"

#include <complex.h>

/* re + im*i. C11 lays a complex number out as an array of its two parts; this
 * spares CMPLX(), which glibc's complex.h defines for GCC but not for clang. */
static double complex complex_of(double re, double im) {
    double complex z;
    ((double *)&z)[0] = re;
    ((double *)&z)[1] = im;
    return z;
}

static float complex complexf_of(float re, float im) {
    float complex z;
    ((float *)&z)[0] = re;
    ((float *)&z)[1] = im;
    return z;
}

double julia_sample(double start, double stop, uint64_t count, uint64_t i) {
    if (count > 1 && i == count - 1)
        return stop; /* numpy.linspace pins the endpoint */
    double step = count > 1 ? (stop - start) / (double)(count - 1) : 0.0;
    return (double)i * step + start;
}

static float julia_sample_float(double start, double stop, uint64_t count, uint64_t i) {
    if (count > 1 && i == count - 1)
        return (float)stop;
    float step = count > 1 ? (float)((stop - start) / (double)(count - 1)) : 0.0f;
    return (float)i * step + (float)start;
}

uint32_t julia_count(double z_re, double z_im, double c_re, double c_im, double escape_r2,
                     uint32_t max_iter) {
    double complex z = complex_of(z_re, z_im);
    const double complex c = complex_of(c_re, c_im);
    for (uint32_t i = 0; i < max_iter; ++i) {
        z = z * z + c;
        if (creal(z) * creal(z) + cimag(z) * cimag(z) >= escape_r2)
            return i;
    }
    return max_iter;
}

uint32_t julia_count_float(float z_re, float z_im, float c_re, float c_im, float escape_r2,
                           uint32_t max_iter) {
    float complex z = complexf_of(z_re, z_im);
    const float complex c = complexf_of(c_re, c_im);
    for (uint32_t i = 0; i < max_iter; ++i) {
        z = z * z + c;
        if (crealf(z) * crealf(z) + cimagf(z) * cimagf(z) >= escape_r2)
            return i;
    }
    return max_iter;
}

uint8_t julia_gray(uint32_t count, uint32_t iter_min, uint32_t iter_max) {
    uint64_t above = count > iter_min ? (uint64_t)count - iter_min : 0;
    return (uint8_t)(255u * above / ((uint64_t)iter_max - iter_min));
}

void julia_reference(const void *params, size_t frame, image *rows, size_t first_row) {
    (void)frame; /* one frame */
    const julia_params *p = params;
    uint32_t *counts = rows->pixels;
    const uint64_t width = p->size.width, height = p->size.height;
    const double x_min = p->region[0], x_max = p->region[1];
    const double y_min = p->region[2], y_max = p->region[3];
    const uint32_t max_iter = (uint32_t)p->iter_max;
    const double escape_r2 = p->threshold * p->threshold;
    for (uint64_t row = first_row; row < first_row + rows->height; ++row) {
        uint64_t y_index = height - 1 - row; /* row 0 is the top: the largest y */
        for (uint64_t col = 0; col < width; ++col) {
            uint32_t n;
            /* Julia: z from the pixel, c given; Mandelbrot: z from 0, c the pixel */
            if (p->precision == PRECISION_DOUBLE) {
                const double x = julia_sample(x_min, x_max, width, col),
                             y = julia_sample(y_min, y_max, height, y_index);
                n = p->mandelbrot ? julia_count(0, 0, x, y, escape_r2, max_iter)
                                  : julia_count(x, y, p->c[0], p->c[1], escape_r2, max_iter);
            } else {
                const float x = julia_sample_float(x_min, x_max, width, col),
                            y = julia_sample_float(y_min, y_max, height, y_index);
                n = p->mandelbrot ? julia_count_float(0, 0, x, y, (float)escape_r2, max_iter)
                                  : julia_count_float(x, y, (float)p->c[0], (float)p->c[1],
                                                      (float)escape_r2, max_iter);
            }
            counts[(row - first_row) * width + col] = n;
        }
    }
}
