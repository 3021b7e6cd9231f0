/* npy.h — NumPy's .npy format, version 1.0 (numpy.load reads it).
 *
 * An image becomes an array of shape (height, width), or (height, width,
 * channels) when it has more than one channel, of little-endian unsigned
 * integers ('<u1', '<u2' or '<u4'), in C order.
 */
#ifndef CLRENDER_NPY_H
#define CLRENDER_NPY_H

#include "util/image.h"

#include <stdio.h>

/* Writes the header and the samples; returns 0, or -1 on a write error. */
int npy_write(FILE *out, const image *img);

/* Writes only the samples (little-endian), for an image written in bands. */
int npy_write_samples(FILE *out, const image *img);

/* Builds the header (magic, version, length, dict padded to 64 bytes) into
 * `header`; returns its length, or 0 when `capacity` is too small. */
size_t npy_header(const image *img, char *header, size_t capacity);

#endif
