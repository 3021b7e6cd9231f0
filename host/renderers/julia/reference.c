/* The scalar twin of kernels/julia.cl: plain loops over C99 complex numbers,
 * written from the definition in julia.h rather than from the kernel. */
#include "renderers/julia/julia.h"

#include "kernels/julia_layout.h"

#include <complex.h>
#include <math.h>

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

/* The count of z under z^2 + c, and |z|^2 at the escape in *escaped_r2 (0 inside). */
static uint32_t escape_double(double z_re, double z_im, double c_re, double c_im, double escape_r2,
                              uint32_t max_iter, double *escaped_r2) {
    double complex z = complex_of(z_re, z_im);
    const double complex c = complex_of(c_re, c_im);
    *escaped_r2 = 0;
    for (uint32_t i = 0; i < max_iter; ++i) {
        z = z * z + c;
        const double r2 = creal(z) * creal(z) + cimag(z) * cimag(z);
        if (r2 >= escape_r2) {
            *escaped_r2 = r2;
            return i;
        }
    }
    return max_iter;
}

static uint32_t escape_float(float z_re, float z_im, float c_re, float c_im, float escape_r2,
                             uint32_t max_iter, float *escaped_r2) {
    float complex z = complexf_of(z_re, z_im);
    const float complex c = complexf_of(c_re, c_im);
    *escaped_r2 = 0;
    for (uint32_t i = 0; i < max_iter; ++i) {
        z = z * z + c;
        const float r2 = crealf(z) * crealf(z) + cimagf(z) * cimagf(z);
        if (r2 >= escape_r2) {
            *escaped_r2 = r2;
            return i;
        }
    }
    return max_iter;
}

uint32_t julia_count(double z_re, double z_im, double c_re, double c_im, double escape_r2,
                     uint32_t max_iter) {
    double r2;
    return escape_double(z_re, z_im, c_re, c_im, escape_r2, max_iter, &r2);
}

uint32_t julia_count_float(float z_re, float z_im, float c_re, float c_im, float escape_r2,
                           uint32_t max_iter) {
    float r2;
    return escape_float(z_re, z_im, c_re, c_im, escape_r2, max_iter, &r2);
}

float julia_smooth(uint32_t n, double r2, uint32_t max_iter) {
    return n == max_iter ? INFINITY : (float)((double)n + 1 - log2(log(r2) * 0.5));
}

static float smooth_float(uint32_t n, float r2, uint32_t max_iter) {
    return n == max_iter ? INFINITY : (float)(((float)n + 1.0f) - log2f(logf(r2) * 0.5f));
}

/* Sample s of spp as a fraction of the pixel step from the pixel's centre (the kernel's
 * sample_dx and sample_dy, in each precision). */
static double sample_dx(uint32_t s, uint32_t spp) {
    return ((double)s + 0.5) / (double)spp - 0.5;
}
static double sample_dy(uint32_t s) {
    const double lattice = 0.5 + (double)s * JULIA_GOLDEN;
    return lattice - floor(lattice) - 0.5;
}
static float sample_dx_float(uint32_t s, uint32_t spp) {
    return ((float)s + 0.5f) / (float)spp - 0.5f;
}
static float sample_dy_float(uint32_t s) {
    const float lattice = 0.5f + (float)s * (float)JULIA_GOLDEN;
    return lattice - floorf(lattice) - 0.5f;
}

uint8_t julia_gray(uint32_t count, uint32_t iter_min, uint32_t iter_max) {
    uint64_t above = count > iter_min ? (uint64_t)count - iter_min : 0;
    return (uint8_t)(255u * above / ((uint64_t)iter_max - iter_min));
}

void julia_reference(const void *params, size_t frame, image *rows, size_t first_row) {
    (void)frame; /* one frame */
    const julia_params *p = params;
    const uint64_t width = p->size.width, height = p->size.height;
    const uint32_t spp = (uint32_t)p->spp, max_iter = (uint32_t)p->iter_max;
    const double x_min = p->region[0], x_max = p->region[1];
    const double y_min = p->region[2], y_max = p->region[3];
    const double x_step = width > 1 ? (x_max - x_min) / (double)(width - 1) : 0.0;
    const double y_step = height > 1 ? (y_max - y_min) / (double)(height - 1) : 0.0;
    const float x_step_float = (float)x_step, y_step_float = (float)y_step;
    const double escape_r2 = p->escape_radius * p->escape_radius;
    uint32_t *counts = rows->pixels;
    float *values = rows->pixels;
    for (uint64_t row = first_row; row < first_row + rows->height; ++row) {
        uint64_t y_index = height - 1 - row; /* row 0 is the top: the largest y */
        for (uint64_t col = 0; col < width; ++col) {
            const size_t out = ((row - first_row) * width + col) * spp;
            for (uint32_t s = 0; s < spp; ++s) {
                uint32_t n;
                float nu;
                /* Julia: z from the pixel, c given; Mandelbrot: z from 0, c the pixel */
                if (p->precision == PRECISION_DOUBLE) {
                    double x = julia_sample(x_min, x_max, width, col),
                           y = julia_sample(y_min, y_max, height, y_index), r2;
                    if (spp > 1)
                        x = x + sample_dx(s, spp) * x_step, y = y + sample_dy(s) * y_step;
                    n = p->mandelbrot
                            ? escape_double(0, 0, x, y, escape_r2, max_iter, &r2)
                            : escape_double(x, y, p->c[0], p->c[1], escape_r2, max_iter, &r2);
                    nu = julia_smooth(n, r2, max_iter);
                } else {
                    float x = julia_sample_float(x_min, x_max, width, col),
                          y = julia_sample_float(y_min, y_max, height, y_index), r2;
                    if (spp > 1)
                        x = x + sample_dx_float(s, spp) * x_step_float,
                        y = y + sample_dy_float(s) * y_step_float;
                    n = p->mandelbrot ? escape_float(0, 0, x, y, (float)escape_r2, max_iter, &r2)
                                      : escape_float(x, y, (float)p->c[0], (float)p->c[1],
                                                     (float)escape_r2, max_iter, &r2);
                    nu = smooth_float(n, r2, max_iter);
                }
                if (p->smooth)
                    values[out + s] = nu;
                else
                    counts[out + s] = n;
            }
        }
    }
}
