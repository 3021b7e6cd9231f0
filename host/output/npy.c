#include "output/npy.h"

#include <string.h>

size_t npy_header(const image *img, char *header, size_t capacity) {
    char dict[200];
    char shape[96];
    if (img->channels > 1)
        snprintf(shape, sizeof shape, "(%zu, %zu, %u)", img->height, img->width, img->channels);
    else
        snprintf(shape, sizeof shape, "(%zu, %zu)", img->height, img->width);
    int dict_length =
        snprintf(dict, sizeof dict, "{'descr': '<u%d', 'fortran_order': False, 'shape': %s, }",
                 (int)img->sample, shape);
    /* magic (6) + version (2) + header length (2) + dict + padding + '\n', a multiple of 64 */
    size_t unpadded = 10 + (size_t)dict_length + 1;
    size_t total = (unpadded + 63) / 64 * 64;
    if (total > capacity)
        return 0;
    size_t dict_bytes = total - 10;
    memcpy(header, "\x93NUMPY\x01\x00", 8);
    header[8] = (char)(dict_bytes & 0xff);
    header[9] = (char)(dict_bytes >> 8);
    memcpy(header + 10, dict, (size_t)dict_length);
    memset(header + 10 + dict_length, ' ', total - unpadded);
    header[total - 1] = '\n';
    return total;
}

static int host_is_little_endian(void) {
    const uint16_t probe = 1;
    return *(const uint8_t *)&probe == 1;
}

int npy_write(FILE *out, const image *img) {
    char header[256];
    size_t header_length = npy_header(img, header, sizeof header);
    if (header_length == 0 || fwrite(header, 1, header_length, out) != header_length)
        return -1;
    return npy_write_samples(out, img);
}

int npy_write_samples(FILE *out, const image *img) {
    size_t samples = img->width * img->height * img->channels;
    if (host_is_little_endian() || img->sample == SAMPLE_U8)
        return fwrite(img->pixels, (size_t)img->sample, samples, out) == samples ? 0 : -1;
    for (size_t i = 0; i < samples; ++i) {
        uint32_t v = image_sample(img, i);
        unsigned char bytes[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                                  (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
        if (fwrite(bytes, 1, (size_t)img->sample, out) != (size_t)img->sample)
            return -1;
    }
    return 0;
}
