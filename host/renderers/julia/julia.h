/* julia.h — the filled Julia set of z^2 + c, by escape time.
 *
 * Sample points are numpy.linspace over the region with both ends included:
 * column i has x = i*step + XMIN with step = (XMAX-XMIN)/(W-1), and the last
 * column is exactly XMAX; the rows sample Y the same way from YMIN, and row 0
 * (the top of the image) is the last sample, YMAX. The count n of a point z
 * is the first 0-based iteration i at which |z|^2 >= R^2 right after
 * z <- z^2 + c, or MAX when that does not happen within MAX iterations.
 * Gray = floor(255 * (max(n, MIN) - MIN) / (MAX - MIN)).
 */
#ifndef CLRENDER_JULIA_H
#define CLRENDER_JULIA_H

#include "renderers/renderer.h"

#include <stdint.h>

/* In the order of the --precision choices. */
typedef enum precision { PRECISION_DOUBLE, PRECISION_FLOAT } precision;

typedef struct julia_params {
    double c[2];      /* re, im */
    double region[4]; /* x_min, x_max, y_min, y_max */
    image_size size;
    uint64_t iter_min, iter_max;
    double threshold;
    int precision; /* enum precision */
    int kernel;    /* kernel_variant */
    /* The view by its centre instead of --region (finish() derives the region): */
    double center[2];     /* x, y */
    double view_width;    /* --width; 0: none given */
    double zoom;          /* --zoom: the default view's width / zoom; 0: none given */
    int stretch;          /* --stretch: a --region whose aspect differs from --size's is meant */
    double default_width; /* the default view's, which --zoom divides: 3.2, or 3.5 */
    int mandelbrot;       /* the Mandelbrot set: z from 0, c the pixel (--c unused) */
} julia_params;

extern const renderer mandelbrot_renderer;

extern const renderer julia_renderer;

/* The largest MAX of --iter: counts are stored as 32-bit unsigned integers. */
#define JULIA_ITER_LIMIT UINT32_MAX

/* The reference's building blocks, exposed for unit tests. */
double julia_sample(double start, double stop, uint64_t count, uint64_t i);
uint32_t julia_count(double z_re, double z_im, double c_re, double c_im, double escape_r2,
                     uint32_t max_iter);
uint32_t julia_count_float(float z_re, float z_im, float c_re, float c_im, float escape_r2,
                           uint32_t max_iter);
uint8_t julia_gray(uint32_t count, uint32_t iter_min, uint32_t iter_max);
void julia_reference(const void *params, size_t frame, image *rows, size_t first_row);

#endif
