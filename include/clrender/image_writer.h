/* image_writer.h — image files, chosen by the extension of the output path.
 *
 *   .png  8-bit gray or RGB, through stb_image_write
 *   .pgm  8-bit gray (binary P5);  .ppm  8-bit RGB (binary P6)
 *   .npy  NumPy array of the image's own sample type (see npy.h)
 *
 * The file is written to a temporary file beside the target and renamed over
 * it only when everything was written, so a failed run never leaves a partial
 * file and never touches an existing one.
 */
#ifndef CLRENDER_IMAGE_WRITER_H
#define CLRENDER_IMAGE_WRITER_H

#include "clrender/image.h"

typedef enum output_format {
    OUTPUT_PNG,
    OUTPUT_PGM,
    OUTPUT_PPM,
    OUTPUT_NPY,
} output_format;

/* Usage failure for a missing or unknown extension (case-insensitive). */
int output_format_from_path(const char *path, output_format *format, failure *f);

/* Usage failure when `format` cannot hold a width x height image of
 * `channels` channels (.pgm is gray only, .ppm RGB only, PNG at most 2 GiB),
 * checked before rendering. */
int output_format_accepts(const char *path, output_format format, size_t width, size_t height,
                          unsigned channels, failure *f);

/* Runtime failure when the directory of `path` does not exist or cannot be
 * written, checked before rendering so no work is wasted. */
int output_directory_writable(const char *path, failure *f);

/* --compression for PNG: fast (libdeflate level 1), default (level 6) or best
 * (level 12, slow). Other formats are not compressed. */
typedef enum png_compression { PNG_DEFAULT, PNG_FAST, PNG_BEST } png_compression;

typedef struct write_timings {
    double encode_ms; /* compressing (PNG) */
    double write_ms;  /* creating, writing and renaming the file */
} write_timings;

/* Checks that `img` can be stored as `format` (channels and sample type) and
 * writes it. */
int image_write_file(const char *path, output_format format, const image *img,
                     png_compression compression, write_timings *timings, failure *f);

#endif
