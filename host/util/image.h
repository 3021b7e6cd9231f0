/* image.h — a width x height grid of pixels with 1..4 channels of samples
 * (8, 16 or 32-bit unsigned integers, or 32-bit floats: clr_sample). */
#ifndef CLRENDER_IMAGE_H
#define CLRENDER_IMAGE_H

#include "util/failure.h"

#include <stddef.h>
#include <stdint.h>

typedef struct image {
    size_t width, height;
    unsigned channels;
    clr_sample sample;
    void *pixels; /* row-major, channels interleaved, native byte order */
} image;

/* Allocates zeroed pixels; refuses sizes whose byte count overflows. */
int image_alloc(image *img, size_t width, size_t height, unsigned channels, clr_sample sample,
                failure *f);
void image_free(image *img);

/* width * height * channels * sample size, or 0 when that overflows size_t. */
size_t image_bytes(size_t width, size_t height, unsigned channels, clr_sample sample);

/* Bytes of one row. */
size_t image_row_bytes(const image *img);

/* Sample i (counting channels) of an integer image, as a 32-bit value. */
uint32_t image_sample(const image *img, size_t i);

/* Sample i of any image, as a double. */
double image_sample_real(const image *img, size_t i);

/* An image viewing rows [first, first + count) of `img` (no copy). */
image image_rows(const image *img, size_t first, size_t count);

#endif
