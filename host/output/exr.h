/* exr.h — OpenEXR files through OpenEXRCore, the library's C API.
 *
 * Written: one scanline part of 32-bit float channels, "Y" for gray or "R",
 * "G", "B" for colour, ZIP-compressed in chunks of 16 rows, data window
 * (0,0)-(width-1,height-1), increasing y. Rows are encoded as soon as a chunk
 * is complete, so memory stays at one chunk whatever the image's height.
 *
 * The names start with exr_writer_ and exr_file_ because exr_ alone is
 * OpenEXRCore's: exr_finish, exr_read_chunk and the like are its functions.
 */
#ifndef CLRENDER_EXR_H
#define CLRENDER_EXR_H

#include "output/image_text.h"
#include "util/image.h"

#include <stdio.h>

typedef struct exr_writer exr_writer;

/* Starts an EXR file of width x height pixels of `channels` (1 or 3) float
 * samples at the start of `file`, which must be open for writing and empty:
 * writes its header, with each text as a string attribute named by its key
 * (EXR's own "comments", or the caller's such as "clrender.command"). A key
 * that EXR itself uses ("channels", "compression", ...) or that comes twice is
 * a usage failure. The file stays the caller's: it is written with fseeko and
 * fwrite, never closed nor flushed. */
int exr_writer_open(exr_writer **writer, FILE *file, size_t width, size_t height, unsigned channels,
                    const image_text *texts, size_t text_count, failure *f);

/* Appends the next rows, any number at a time: CLR_SAMPLE_F32 samples of the
 * writer's width and channels, interleaved. */
int exr_writer_rows(exr_writer *writer, const image *rows, failure *f);

/* After the last row: completes the file and frees the writer, which is gone
 * whether it succeeds or not. */
int exr_writer_finish(exr_writer *writer, failure *f);

/* Frees a writer whose file is abandoned (the caller deletes it); NULL is fine. */
void exr_writer_abort(exr_writer *writer);

/* What exr_file_read_text says of an image besides its text. */
typedef struct exr_summary {
    size_t width, height;
    unsigned channels;
    char channel_names[64]; /* "B G R" in the file's (sorted) order, "..." when cut */
    char compression[16];   /* "zip", "none", "piz", ... */
} exr_summary;

/* Reads the header of the EXR file `path` (its first part): its size into
 * `summary` (when not NULL), then calls `each` with every string attribute in
 * the order of the file, except "name" and "type", which describe the part's
 * structure. Values are the file's bytes up to a NUL: a caller that prints them
 * escapes them. A file that is not EXR, or is cut short (a scanline image's
 * chunks are checked to lie inside the file), is a usage failure. */
int exr_file_read_text(const char *path, exr_summary *summary,
                       void (*each)(void *user, const char *key, const char *value), void *user,
                       failure *f);

/* Reads a whole scanline EXR image whose channels are "Y" or "R", "G", "B" (of
 * any EXR sample type, converted to float) into newly allocated interleaved
 * floats (free()). Other channel sets, tiled and deep images are refused. */
int exr_file_read_pixels(const char *path, float **pixels, size_t *width, size_t *height,
                         unsigned *channels, failure *f);

#endif
