#include "output/png_deflate.h"

#include <libdeflate.h>
#include <stdlib.h>

unsigned char *png_deflate(unsigned char *data, int length, int *out_length, int level) {
    struct libdeflate_compressor *compressor = libdeflate_alloc_compressor(level < 1    ? 1
                                                                           : level > 12 ? 12
                                                                                        : level);
    if (!compressor)
        return NULL;
    size_t bound = libdeflate_zlib_compress_bound(compressor, (size_t)length);
    unsigned char *out = malloc(bound);
    size_t written =
        out ? libdeflate_zlib_compress(compressor, data, (size_t)length, out, bound) : 0;
    libdeflate_free_compressor(compressor);
    /* The bound guarantees room; zero would mean libdeflate broke its promise. */
    if (written == 0 || written > (size_t)0x7fffffff) {
        free(out);
        return NULL;
    }
    *out_length = (int)written;
    return out;
}
