/* png_deflate.h — the zlib compressor stb_image_write uses for PNG: libdeflate.
 *
 * stb's own deflate took 0.73 s for a 4000x4000 gray image; libdeflate is
 * several times faster and compresses better. stb calls this through its
 * STBIW_ZLIB_COMPRESS hook (host/stb_image_write_impl.c). */
#ifndef CLRENDER_PNG_DEFLATE_H
#define CLRENDER_PNG_DEFLATE_H

/* Compresses `length` bytes of `data` as a zlib stream at libdeflate `level`
 * (1 fastest .. 12 smallest); returns a malloc'ed buffer of *out_length bytes,
 * or NULL when out of memory. The signature is the one stb expects. */
unsigned char *png_deflate(unsigned char *data, int length, int *out_length, int level);

#endif
