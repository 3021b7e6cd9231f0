/* image.h — a width x height grid of pixels with 1..4 channels of unsigned samples. */
#ifndef CLRENDER_IMAGE_H
#define CLRENDER_IMAGE_H

#include "util/failure.h"

#include <stddef.h>
#include <stdint.h>

typedef enum sample_type {
    SAMPLE_U8 = 1, /* the value is the sample's size in bytes */
    SAMPLE_U16 = 2,
    SAMPLE_U32 = 4,
} sample_type;

typedef struct image {
    size_t width, height;
    unsigned channels;
    sample_type sample;
    void *pixels; /* row-major, channels interleaved, native byte order */
} image;

/* Allocates zeroed pixels; refuses sizes whose byte count overflows. */
int image_alloc(image *img, size_t width, size_t height, unsigned channels, sample_type sample,
                failure *f);
void image_free(image *img);

/* width * height * channels * sample size, or 0 when that overflows size_t. */
size_t image_bytes(size_t width, size_t height, unsigned channels, sample_type sample);

/* Sample i (counting channels) as a 32-bit value. */
uint32_t image_sample(const image *img, size_t i);

#endif
