#include "output/npy.h"

#include <string.h>

static char type_code(clr_sample sample) {
    return sample == CLR_SAMPLE_F32 ? 'f' : 'u';
}

size_t npy_header(size_t frames, size_t height, size_t width, unsigned channels, clr_sample sample,
                  char *header, size_t capacity) {
    char dict[256], shape[128], leading[40] = "", trailing[24] = "";
    if (frames > 1)
        snprintf(leading, sizeof leading, "%zu, ", frames);
    if (channels > 1)
        snprintf(trailing, sizeof trailing, ", %u", channels);
    snprintf(shape, sizeof shape, "(%s%zu, %zu%s)", leading, height, width, trailing);
    int dict_length =
        snprintf(dict, sizeof dict, "{'descr': '<%c%zu', 'fortran_order': False, 'shape': %s, }",
                 type_code(sample), clr_sample_size(sample), shape);
    /* magic (6) + version (2) + header length (2) + dict + padding + '\n', a multiple of 64 */
    size_t unpadded = 10 + (size_t)dict_length + 1;
    size_t total = (unpadded + 63) / 64 * 64;
    if (total > capacity || total - 10 > 0xffff)
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
    size_t header_length =
        npy_header(1, img->height, img->width, img->channels, img->sample, header, sizeof header);
    if (header_length == 0 || fwrite(header, 1, header_length, out) != header_length)
        return -1;
    return npy_write_samples(out, img);
}

int npy_write_samples(FILE *out, const image *img) {
    const size_t samples = img->width * img->height * img->channels;
    const size_t size = clr_sample_size(img->sample);
    if (host_is_little_endian() || size == 1)
        return fwrite(img->pixels, size, samples, out) == samples ? 0 : -1;
    const unsigned char *bytes = img->pixels;
    for (size_t i = 0; i < samples; ++i) {
        unsigned char swapped[4];
        for (size_t b = 0; b < size; ++b)
            swapped[b] = bytes[i * size + size - 1 - b];
        if (fwrite(swapped, 1, size, out) != size)
            return -1;
    }
    return 0;
}
