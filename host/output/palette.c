#include "output/palette.h"

#include "util/file.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Built-in palettes ------------------------------------------------------------------- */

/* A gradient given by colours at positions in [0, 1], sampled into 256 entries. */
typedef struct stop {
    float position;
    unsigned char r, g, b;
} stop;

typedef struct builtin {
    const char *name;
    stop stops[8];
    int stop_count;
} builtin;

static const builtin builtins[] = {
    /* Ultra Fractal's default gradient: deep blue, white, orange, black. */
    {"ultra",
     {{0.0f, 0, 7, 100},
      {0.16f, 32, 107, 203},
      {0.42f, 237, 255, 255},
      {0.6425f, 255, 170, 0},
      {0.8575f, 0, 2, 0},
      {1.0f, 0, 7, 100}},
     6},
    {"fire",
     {{0.0f, 0, 0, 0},
      {0.3f, 160, 0, 0},
      {0.6f, 255, 140, 0},
      {0.85f, 255, 240, 60},
      {1.0f, 255, 255, 255}},
     5},
    {"ice",
     {{0.0f, 0, 0, 0}, {0.35f, 10, 30, 120}, {0.7f, 40, 190, 230}, {1.0f, 255, 255, 255}},
     4},
    /* matplotlib's viridis, by five of its colours: perceptually even, colour-blind safe. */
    {"viridis",
     {{0.0f, 68, 1, 84},
      {0.25f, 59, 82, 139},
      {0.5f, 33, 145, 140},
      {0.75f, 94, 201, 98},
      {1.0f, 253, 231, 37}},
     5},
    /* Hue round the circle, first colour = last: repeats (--palette-cycles) without seams. */
    {"rainbow",
     {{0.0f, 255, 0, 0},
      {1.0f / 6, 255, 255, 0},
      {2.0f / 6, 0, 255, 0},
      {3.0f / 6, 0, 255, 255},
      {4.0f / 6, 0, 0, 255},
      {5.0f / 6, 255, 0, 255},
      {1.0f, 255, 0, 0}},
     7},
    {"gray", {{0.0f, 0, 0, 0}, {1.0f, 255, 255, 255}}, 2},
};

const char *const palette_builtin_names[] = {"ultra",   "fire", "ice", "viridis",
                                             "rainbow", "gray", NULL};

enum { BUILTIN_ENTRIES = 256 };

static int palette_alloc(palette *p, size_t count, failure *f) {
    p->rgb = calloc(count, sizeof *p->rgb);
    p->count = p->rgb ? count : 0;
    return p->rgb ? 0 : failure_set(f, CLR_RUNTIME_ERROR, "out of memory for a palette");
}

int palette_builtin(const char *name, palette *p, failure *f) {
    *p = (palette){0, NULL};
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; ++i) {
        const builtin *b = &builtins[i];
        if (strcmp(name, b->name) != 0)
            continue;
        if (palette_alloc(p, BUILTIN_ENTRIES, f) != 0)
            return f->status;
        for (int e = 0; e < BUILTIN_ENTRIES; ++e) {
            const float x = (float)e / (BUILTIN_ENTRIES - 1);
            int s = 0;
            while (s + 2 < b->stop_count && x > b->stops[s + 1].position)
                ++s;
            const stop *lo = &b->stops[s], *hi = &b->stops[s + 1];
            const float t = (x - lo->position) / (hi->position - lo->position);
            const float u = t < 0 ? 0 : t > 1 ? 1 : t;
            p->rgb[e][0] = lo->r + (hi->r - lo->r) * u;
            p->rgb[e][1] = lo->g + (hi->g - lo->g) * u;
            p->rgb[e][2] = lo->b + (hi->b - lo->b) * u;
        }
        return 0;
    }
    char known[128] = "";
    for (const char *const *n = palette_builtin_names; *n; ++n)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                 n == palette_builtin_names ? "" : ", ", *n);
    char shown[TEXT_SHOWN_SIZE];
    return failure_set(f, CLR_USAGE_ERROR,
                       "unknown palette '%s' (built in: %s; or a .map or .gpl file)",
                       text_shown(name, shown), known);
}

/* ---- Palette files ------------------------------------------------------------------------ */

/* Reads up to three integers 0..255 at *s; returns how many, or -1 for a number out of range
 * or malformed. Stops at the first thing that is not a number. */
static int read_channels(const char **s, int rgb[3]) {
    int n = 0;
    while (n < 3) {
        while (**s == ' ' || **s == '\t')
            ++*s;
        if (!isdigit((unsigned char)**s))
            return **s == '\0' || n == 0 ? n : -1;
        char *end;
        errno = 0;
        long v = strtol(*s, &end, 10);
        if (errno || v > 255 || (*end && !isspace((unsigned char)*end)))
            return -1;
        rgb[n++] = (int)v;
        *s = end;
    }
    return n;
}

int palette_parse(const char *text, size_t length, const char *shown, palette *p, failure *f) {
    *p = (palette){0, NULL};
    if (memchr(text, '\0', length))
        return failure_set(f, CLR_USAGE_ERROR, "palette '%s' is not text (it holds NUL bytes)",
                           shown);
    const bool gimp = length >= 12 && !strncmp(text, "GIMP Palette", 12);
    if (!gimp && length >= 4 && !strncmp(text, "GIMP", 4))
        return failure_set(f, CLR_USAGE_ERROR,
                           "palette '%s': a GIMP palette begins with the line 'GIMP Palette'",
                           shown);
    size_t capacity = 256, line_number = 0;
    float(*rgb)[3] = malloc(capacity * sizeof *rgb);
    size_t count = 0;
    if (!rgb)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for a palette");
    const char *line = text, *end_of_text = text + length;
    char buffer[1024];
    while (line < end_of_text) {
        const char *newline = memchr(line, '\n', (size_t)(end_of_text - line));
        size_t line_length = newline ? (size_t)(newline - line) : (size_t)(end_of_text - line);
        ++line_number;
        if (line_length >= sizeof buffer) {
            free(rgb);
            return failure_set(f, CLR_USAGE_ERROR, "palette '%s', line %zu: longer than %zu bytes",
                               shown, line_number, sizeof buffer - 1);
        }
        memcpy(buffer, line, line_length);
        buffer[line_length] = '\0';
        if (line_length && buffer[line_length - 1] == '\r')
            buffer[line_length - 1] = '\0';
        line = newline ? newline + 1 : end_of_text;
        const char *s = buffer;
        while (*s == ' ' || *s == '\t')
            ++s;
        if (*s == '\0' || *s == '#' || (gimp && line_number == 1) ||
            (gimp && (!strncmp(s, "Name:", 5) || !strncmp(s, "Columns:", 8))))
            continue;
        int channels[3];
        const char *after = s;
        int n = read_channels(&after, channels);
        if (n != 3) {
            free(rgb);
            char line_shown[TEXT_SHOWN_SIZE];
            text_shown(s, line_shown);
            return failure_set(f, CLR_USAGE_ERROR,
                               "palette '%s', line %zu: expected three numbers 0..255 (R G B), "
                               "got '%.60s'",
                               shown, line_number, line_shown);
        }
        if (count == PALETTE_MAX_COLOURS) {
            free(rgb);
            return failure_set(f, CLR_USAGE_ERROR, "palette '%s' has more than %d colours", shown,
                               PALETTE_MAX_COLOURS);
        }
        if (count == capacity) {
            capacity *= 2;
            float(*grown)[3] = realloc(rgb, capacity * sizeof *rgb);
            if (!grown) {
                free(rgb);
                return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for a palette");
            }
            rgb = grown;
        }
        for (int c = 0; c < 3; ++c)
            rgb[count][c] = (float)channels[c];
        ++count;
    }
    if (count < 2) {
        free(rgb);
        return failure_set(f, CLR_USAGE_ERROR, "palette '%s' has %zu colour%s; it needs at least 2",
                           shown, count, count == 1 ? "" : "s");
    }
    p->rgb = rgb;
    p->count = count;
    return 0;
}

int palette_load(const char *path, palette *p, failure *f) {
    char shown[TEXT_SHOWN_SIZE];
    text_shown(path, shown);
    char *text = NULL;
    size_t length = 0;
    /* A palette of 65536 colours at "255 255 255 name\n" is under 4 MB: anything larger is not
     * a palette. */
    if (file_read_regular(path, 8u << 20, "palette", CLR_USAGE_ERROR, &text, &length, f) != 0)
        return f->status;
    int status = palette_parse(text, length, shown, p, f);
    free(text);
    return status;
}

int palette_from_spec(const char *spec, palette *p, failure *f) {
    if (strchr(spec, '/') || strchr(spec, '.'))
        return palette_load(spec, p, f);
    return palette_builtin(spec, p, f);
}

void palette_at(const palette *p, double position, float rgb[3]) {
    const double x = (position <= 0 ? 0 : position >= 1 ? 1 : position) * (double)(p->count - 1);
    size_t i = (size_t)x;
    if (i >= p->count - 1)
        i = p->count - 2;
    const float t = (float)(x - (double)i);
    for (int c = 0; c < 3; ++c)
        rgb[c] = p->rgb[i][c] + (p->rgb[i + 1][c] - p->rgb[i][c]) * t;
}

void palette_free(palette *p) {
    free(p->rgb);
    *p = (palette){0, NULL};
}
