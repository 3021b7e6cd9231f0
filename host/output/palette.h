/* palette.h — colour palettes for escape-time pictures: built-in gradients and the
 * files users already own.
 *
 *   Fractint .map   one colour per line, "R G B" (0..255), anything after the third
 *                   number a comment (as Fractint, XaoS and Kalles Fraktaler write them)
 *   GIMP .gpl       "GIMP Palette", optional "Name:" and "Columns:" lines, "#" comments,
 *                   then "R G B [name]" lines
 *
 * A palette is a list of colours evenly spaced over its length: position 0 is the first,
 * 1 the last, and positions between them are interpolated linearly in the stored (sRGB)
 * values, so smooth escape values are coloured without bands.
 */
#ifndef CLRENDER_PALETTE_H
#define CLRENDER_PALETTE_H

#include "util/failure.h"

#include <stddef.h>

/* The most colours a palette file may hold (Fractint's have 256; GIMP's any number). */
#define PALETTE_MAX_COLOURS 65536

typedef struct palette {
    size_t count;    /* at least 2 */
    float (*rgb)[3]; /* count colours, each channel 0..255 */
} palette;

/* The built-in palettes' names, NULL-terminated; the first is the default. */
extern const char *const palette_builtin_names[];

/* Fills `p` with built-in palette `name`; usage failure for an unknown name. */
int palette_builtin(const char *name, palette *p, failure *f);

/* Reads a .map or .gpl file (by its content: a .gpl begins "GIMP Palette"); usage
 * failure naming the file and line for anything malformed. */
int palette_load(const char *path, palette *p, failure *f);

/* Parses palette text already in memory; `shown` names it in messages. */
int palette_parse(const char *text, size_t length, const char *shown, palette *p, failure *f);

/* palette:NAME or palette:FILE: a name with a '/' or a '.' is a file. */
int palette_from_spec(const char *spec, palette *p, failure *f);

/* The colour at `position` in [0, 1] (clamped), interpolated. */
void palette_at(const palette *p, double position, float rgb[3]);

void palette_free(palette *p);

#endif
