/* image_writer.h — image files, chosen by the extension of the output path.
 *
 *   .png  8- or 16-bit gray or RGB, written row by row (png_stream.h), with text chunks
 *   .pgm  8- or 16-bit gray (binary P5);  .ppm  8- or 16-bit RGB (binary P6), 16-bit samples
 *         big-endian with maxval 65535
 *   .npy  NumPy array of any sample type (see npy.h), several frames stacked
 *   .mha  MetaImage (ITK), any sample type, 2-D or a 3-D stack of frames, with
 *         the pixels' spacing and origin
 *
 * A file is written to a temporary file, created when the first rows arrive:
 * unnamed where the file system allows (O_TMPFILE), so that even a process
 * killed by SIGKILL leaves nothing behind, else named beside the target
 * (".NAME.tmp-XXXXXX", or ".clrender-XXXXXX.tmp" for a long NAME). Only
 * image_stream_commit(), once everything was written, gives it the target's
 * name: a failed run never leaves a partial file and never touches an existing one.
 */
#ifndef CLRENDER_IMAGE_WRITER_H
#define CLRENDER_IMAGE_WRITER_H

#include "output/image_text.h"
#include "output/png_stream.h"
#include "util/image.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

typedef enum output_format {
    OUTPUT_PNG,
    OUTPUT_PGM,
    OUTPUT_PPM,
    OUTPUT_NPY,
    OUTPUT_MHA,
    OUTPUT_EXR,
} output_format;

/* Usage failure for a missing or unknown extension (case-insensitive). */
int output_format_from_path(const char *path, output_format *format, failure *f);

/* The format named by `name` (png, pgm, ppm, npy, mha, exr) for standard output; usage
 * failure for another name or one that cannot stream (exr). */
int output_format_from_name(const char *name, output_format *format, failure *f);

/* Usage failure when `format` cannot hold `frames` images of width x height
 * pixels of `channels` samples of type `sample`: .pgm is 8- or 16-bit gray, .ppm
 * 8- or 16-bit RGB, PNG 8- or 16-bit gray or RGB of at most 2^31 - 1 pixels a side;
 * one frame except in .npy and .mha. */
int output_format_accepts(const char *path, output_format format, size_t frames, size_t width,
                          size_t height, unsigned channels, clr_sample sample, failure *f);

/* The directory `path` names a file in: "." for a bare name. */
void output_directory(const char *path, char *dir, size_t size);

/* What can be known before rendering about writing `path`: its directory exists
 * and is writable, its name fits the file system, and an existing target is a
 * regular file (or a link, which is replaced) that the user may replace (not
 * read-only, not another user's in a sticky directory). Usage failure for a
 * path that cannot be a file (a directory, a FIFO, a device, a name too long);
 * runtime failure for permissions. */
int output_target_check(const char *path, failure *f);

/* PNG compression (png_compression, declared in png_stream.h), zlib's levels on bands
 * deflated in parallel; other formats are not compressed. Chosen by measurement against the
 * libdeflate levels 1, 6 and 12 used before (docs/BENCHMARKS.md, "Row-by-row PNG"):
 *   PNG_FAST     zlib 1, Z_RLE; row filter "up" for gray, "sub" for RGB
 *   PNG_DEFAULT  zlib 6; no row filter (flat runs of one colour deflate best unfiltered)
 *   PNG_BEST     zlib 9, memLevel 9; no row filter (no longer libdeflate's slow level 12:
 *                3 to 15 % larger for 7 to 40x less time) */

typedef struct write_timings {
    double encode_ms; /* filtering, compressing and writing PNG rows */
    double write_ms;  /* creating, writing and renaming the file */
} write_timings;

/* Writing an image band by band. Every format goes to the file as the bands come
 * (PNG compressed on the way), so memory stays bounded whatever the image's size. */
typedef struct image_stream {
    char *path, *temp;
    size_t temp_size;
    char shown[TEXT_SHOWN_SIZE]; /* the path as messages show it */
    output_format format;
    png_compression compression;
    size_t frames, width, height, rows_written; /* rows over all frames */
    FILE *file;
    bool unnamed_allowed;         /* may use an unnamed temporary file (O_TMPFILE) */
    bool to_stdout;               /* the path is "-": written straight to standard output */
    bool close_at_finish;         /* name and close the file once finished (saves descriptors) */
    double spacing[2], origin[2]; /* .mha: of columns and rows, and of pixel (0, 0) */
    volatile sig_atomic_t named;  /* the temporary file has the name in `temp` */
    bool finished;
    png_stream *png;        /* PNG: the encoder, from the first rows to the finish */
    struct exr_writer *exr; /* EXR: the encoder, likewise */
    image_text *text;       /* PNG and EXR: text chunks or string attributes, owned copies */
    size_t text_count;
} image_stream;

/* Prepares a stream of `frames` width x height images for `path`; no file yet. The path
 * "-" is standard output: written as the rows come, nothing to rename (a failed render
 * leaves what was written there), and EXR, which seeks back to its offset table, refused.
 * `unnamed_allowed` false keeps to named temporary files (a test of that path). */
int image_stream_open(const char *path, output_format format, size_t frames, size_t width,
                      size_t height, png_compression compression, bool unnamed_allowed,
                      image_stream *stream, failure *f);

/* Sets the text a PNG (tEXt, or iTXt for UTF-8) or EXR (string attributes) embeds, copying
 * it; before the first rows. Other formats ignore it. Usage failure for a key PNG refuses (see
 * image_text.h). */
int image_stream_set_text(image_stream *stream, const image_text *text, size_t count, failure *f);

/* Appends the next rows (of the frames in order); all must have the same
 * channels and sample type, which the first set (and with them the header). */
int image_stream_rows(image_stream *stream, const image *rows, write_timings *timings, failure *f);

/* Ends (PNG) and flushes the complete temporary file. */
int image_stream_finish(image_stream *stream, write_timings *timings, failure *f);

/* Renames the finished file over its target (an unnamed one is linked first). */
int image_stream_commit(image_stream *stream, write_timings *timings, failure *f);

/* Drops the temporary file, if any; safe after a failed or committed stream. */
void image_stream_abort(image_stream *stream);

/* Removes the temporary file's name, if it has one, and nothing else: async-signal-
 * safe, for a process about to die of a signal. */
void image_stream_discard(image_stream *stream);

/* For writers that place rows in a file themselves (clrender-mpi: every process writes its
 * bands at their offsets). The raw formats (.npy, .pgm, .ppm, .mha) are a header and then
 * the samples in order: image_raw_header() writes the header image_stream_rows() would
 * (at most IMAGE_RAW_HEADER_MAX bytes) into `out` and returns its length, 0 for PNG and EXR
 * or when it does not fit; image_raw_encode() puts `rows` into the file's byte order
 * (image_row_bytes(rows) * rows->height bytes at `out`). */
#define IMAGE_RAW_HEADER_MAX 1024
size_t image_raw_header(output_format format, size_t frames, size_t width, size_t height,
                        unsigned channels, clr_sample sample, const double spacing[2],
                        const double origin[2], char *out, size_t size);
void image_raw_encode(output_format format, const image *rows, unsigned char *out);

/* Writes `img` to `path` whole: open, rows, finish, commit. */
int image_write_file(const char *path, output_format format, const image *img,
                     png_compression compression, write_timings *timings, failure *f);

#endif
