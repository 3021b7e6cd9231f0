#include "util/image.h"

#include <stdlib.h>
#include <string.h>

size_t image_bytes(size_t width, size_t height, unsigned channels, sample_type sample) {
    size_t bytes = 0;
    if (__builtin_mul_overflow(width, height, &bytes) ||
        __builtin_mul_overflow(bytes, (size_t)channels * (size_t)sample, &bytes))
        return 0;
    return bytes;
}

int image_alloc(image *img, size_t width, size_t height, unsigned channels, sample_type sample,
                failure *f) {
    size_t bytes = image_bytes(width, height, channels, sample);
    img->pixels = NULL;
    if (bytes == 0)
        return failure_set(f, CLR_EXIT_RUNTIME, "a %zux%zu image is too large to address", width,
                           height);
    img->pixels = calloc(1, bytes);
    if (!img->pixels)
        return failure_set(
            f, CLR_EXIT_RUNTIME,
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
    case SAMPLE_U8:
        return ((const uint8_t *)img->pixels)[i];
    case SAMPLE_U16:
        return ((const uint16_t *)img->pixels)[i];
    case SAMPLE_U32:
    default:
        return ((const uint32_t *)img->pixels)[i];
    }
}
