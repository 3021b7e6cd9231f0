#include "util/image.h"

#include <stdlib.h>
#include <string.h>

size_t clr_sample_size(clr_sample sample) {
    switch (sample) {
    case CLR_SAMPLE_U8:
        return 1;
    case CLR_SAMPLE_U16:
        return 2;
    case CLR_SAMPLE_U32:
    case CLR_SAMPLE_F32:
        return 4;
    }
    return 0;
}

size_t image_bytes(size_t width, size_t height, unsigned channels, clr_sample sample) {
    size_t bytes = 0;
    if (__builtin_mul_overflow(width, height, &bytes) ||
        __builtin_mul_overflow(bytes, (size_t)channels * clr_sample_size(sample), &bytes))
        return 0;
    return bytes;
}

size_t image_row_bytes(const image *img) {
    return img->width * img->channels * clr_sample_size(img->sample);
}

int image_alloc(image *img, size_t width, size_t height, unsigned channels, clr_sample sample,
                failure *f) {
    size_t bytes = image_bytes(width, height, channels, sample);
    img->pixels = NULL;
    if (bytes == 0)
        return failure_set(f, CLR_RUNTIME_ERROR, "a %zux%zu image is too large to address", width,
                           height);
    img->pixels = calloc(1, bytes);
    if (!img->pixels)
        return failure_set(
            f, CLR_RUNTIME_ERROR,
            "cannot allocate %.1f MiB for %zux%zu pixels; use a smaller --size or --tile-rows",
            (double)bytes / 1048576.0, width, height);
    img->width = width;
    img->height = height;
    img->channels = channels;
    img->sample = sample;
    return 0;
}

void image_free(image *img) {
    free(img->pixels);
    img->pixels = NULL;
}

uint32_t image_sample(const image *img, size_t i) {
    switch (img->sample) {
    case CLR_SAMPLE_U8:
        return ((const uint8_t *)img->pixels)[i];
    case CLR_SAMPLE_U16:
        return ((const uint16_t *)img->pixels)[i];
    case CLR_SAMPLE_F32:
        return (uint32_t)((const float *)img->pixels)[i];
    case CLR_SAMPLE_U32:
    default:
        return ((const uint32_t *)img->pixels)[i];
    }
}

double image_sample_real(const image *img, size_t i) {
    return img->sample == CLR_SAMPLE_F32 ? (double)((const float *)img->pixels)[i]
                                         : (double)image_sample(img, i);
}

image image_rows(const image *img, size_t first, size_t count) {
    image view = *img;
    view.pixels = (unsigned char *)img->pixels + first * image_row_bytes(img);
    view.height = count;
    return view;
}
