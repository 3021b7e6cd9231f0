/* image_writer.h — image files, chosen by the extension of the output path.
 *
 *   .png  8-bit gray or RGB, through stb_image_write, compressed by libdeflate
 *   .pgm  8-bit gray (binary P5);  .ppm  8-bit RGB (binary P6)
 *   .npy  NumPy array of any sample type (see npy.h), several frames stacked
 *
 * A file is written to a temporary file beside its target, created when the
 * first rows arrive, and renamed over the target only by image_stream_commit()
 * once everything was written, so a failed run never leaves a partial file
 * and never touches an existing one.
 */
#ifndef CLRENDER_IMAGE_WRITER_H
#define CLRENDER_IMAGE_WRITER_H

#include "util/image.h"

#include <stdio.h>

typedef enum output_format {
    OUTPUT_PNG,
    OUTPUT_PGM,
    OUTPUT_PPM,
    OUTPUT_NPY,
} output_format;

/* Usage failure for a missing or unknown extension (case-insensitive). */
int output_format_from_path(const char *path, output_format *format, failure *f);

/* Usage failure when `format` cannot hold `frames` images of width x height
 * pixels of `channels` samples of type `sample`: .pgm is 8-bit gray, .ppm 8-bit
 * RGB, PNG 8-bit gray or RGB of at most 2 GiB, one frame except in .npy. */
int output_format_accepts(const char *path, output_format format, size_t frames, size_t width,
                          size_t height, unsigned channels, clr_sample sample, failure *f);

/* The directory `path` names a file in: "." for a bare name. */
void output_directory(const char *path, char *dir, size_t size);

/* Runtime failure when the directory of `path` does not exist or cannot be
 * written, checked before rendering so no work is wasted. */
int output_directory_writable(const char *path, failure *f);

/* PNG compression: fast (libdeflate level 1), default (level 6) or best (level
 * 12, slow). Other formats are not compressed. */
typedef enum png_compression { PNG_DEFAULT, PNG_FAST, PNG_BEST } png_compression;

typedef struct write_timings {
    double encode_ms; /* compressing (PNG) */
    double write_ms;  /* creating, writing and renaming the file */
} write_timings;

/* Writing an image band by band. .pgm, .ppm and .npy go to the file as the
 * bands come, so memory stays bounded whatever the image's size; PNG (stb
 * encodes whole images) gathers the 8-bit image and encodes it at the end. */
typedef struct image_stream {
    char *path, *temp;
    output_format format;
    png_compression compression;
    size_t frames, width, height, rows_written; /* rows over all frames */
    FILE *file;
    image whole; /* PNG only */
} image_stream;

/* Prepares a stream of `frames` width x height images for `path`; no file yet. */
int image_stream_open(const char *path, output_format format, size_t frames, size_t width,
                      size_t height, png_compression compression, image_stream *stream, failure *f);

/* Appends the next rows (of the frames in order); all must have the same
 * channels and sample type, which the first set (and with them the header). */
int image_stream_rows(image_stream *stream, const image *rows, write_timings *timings, failure *f);

/* Encodes (PNG) and closes the complete temporary file. */
int image_stream_finish(image_stream *stream, write_timings *timings, failure *f);

/* Renames the finished file over its target. */
int image_stream_commit(image_stream *stream, write_timings *timings, failure *f);

/* Drops the temporary file, if any; safe after a failed or committed stream. */
void image_stream_abort(image_stream *stream);

/* Writes `img` to `path` whole: open, rows, finish, commit. */
int image_write_file(const char *path, output_format format, const image *img,
                     png_compression compression, write_timings *timings, failure *f);

#endif
