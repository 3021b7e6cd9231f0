/* npy.h — NumPy's .npy format, version 1.0 (numpy.load reads it).
 *
 * Images become an array of shape (height, width), or (height, width,
 * channels) when they have more than one channel, with a leading `frames`
 * dimension when there are several; little-endian unsigned integers ('<u1',
 * '<u2', '<u4') or floats ('<f4'), in C order.
 */
#ifndef CLRENDER_NPY_H
#define CLRENDER_NPY_H

#include "util/image.h"

#include <stdio.h>

/* Builds the header (magic, version, length, dict padded to 64 bytes) into
 * `header`; returns its length, or 0 when `capacity` is too small. */
size_t npy_header(size_t frames, size_t height, size_t width, unsigned channels, clr_sample sample,
                  char *header, size_t capacity);

/* Writes the header and the samples of one image; 0, or -1 on a write error. */
int npy_write(FILE *out, const image *img);

/* Writes only the samples (little-endian), for an image written in bands. */
int npy_write_samples(FILE *out, const image *img);

#endif
