/* png_stream.h — a PNG written row by row, in bounded memory, of any size PNG allows.
 *
 * Rows arrive in batches of any number; they are filtered and deflated in bands of a few MiB,
 * the bands of a batch in parallel on worker threads (pigz's scheme: each band is raw deflate
 * ended by a sync flush, primed with the 32 KiB before it, so the bands concatenate into the one
 * zlib stream of the IDAT chunks; their Adler-32 sums are combined). Memory stays a few bands
 * whatever the image's size. The levels (zlib's, not libdeflate's) are listed in
 * image_writer.h beside png_compression. */
#ifndef CLRENDER_PNG_STREAM_H
#define CLRENDER_PNG_STREAM_H

#include "output/image_text.h"
#include "util/failure.h"

#include <stddef.h>
#include <stdio.h>

/* PNG compression: see image_writer.h for what each level does and costs. */
typedef enum png_compression { PNG_DEFAULT, PNG_FAST, PNG_BEST } png_compression;

/* PNG's limit on a width or a height: 2^31 - 1. */
#define PNG_SIDE_MAX 0x7fffffffu

typedef struct png_stream png_stream;

/* Starts a PNG of width x height pixels of `channels` (1 gray, 3 RGB) samples of `bit_depth`
 * (8 or 16) bits on `file`, which stays the caller's: the signature, IHDR and one tEXt (ASCII
 * value) or iTXt (UTF-8 value) chunk per entry of `text` (copied: none is kept) are written
 * now. `name` names the file in messages. Usage failure for a size, layout or key PNG cannot
 * hold; runtime failure for memory or a failed write. */
int png_stream_open(png_stream **stream, FILE *file, const char *name, size_t width, size_t height,
                    unsigned channels, unsigned bit_depth, png_compression compression,
                    const image_text *text, size_t text_count, failure *f);

/* Appends `count` rows of width * channels samples each, `stride` bytes apart: uint8_t, or
 * native-endian uint16_t at 16 bits (the file's big-endian order is made here). Refuses rows
 * beyond the height. */
int png_stream_rows(png_stream *stream, const void *rows, size_t count, size_t stride, failure *f);

/* Once all rows arrived: compresses what is left and writes IEND. Does not flush the file. */
int png_stream_finish(png_stream *stream, failure *f);

/* Frees the encoder (finished or not; NULL is fine). A PNG not finished is incomplete. */
void png_stream_free(png_stream *stream);

/* The tEXt, zTXt and iTXt chunks of the PNG at `path`, in file order: calls each(context,
 * key, value) with both in UTF-8 (tEXt's Latin-1 is converted) until it returns non-zero.
 * Walks the chunks (no pixel is decoded: any size is quick) and checks their CRCs. Returns 0,
 * or a one-line failure for a file that cannot be read, is no PNG, is truncated or damaged. */
int png_read_text(const char *path, int (*each)(void *context, const char *key, const char *value),
                  void *context, failure *f);

#endif
