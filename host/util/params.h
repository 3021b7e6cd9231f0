/* params.h — typed tables of named values: a renderer's parameters and the
 * command line's options are both declared as rows that say what a value is
 * and which field of a struct it lands in.
 *
 *     static const param_spec julia_params_table[] = {
 *         PARAM_SIZE("size", julia_params, size, "image size in pixels (default 1000x625)"),
 *         PARAM_UINT("spp", sphere_params, spp, 1, 4096, "N", "samples per pixel"),
 *         PARAM_CHOICE("precision", julia_params, precision, precision_names, "P", "..."),
 *         PARAM_OTHER("iter", apply_iter, "MIN:MAX", "..."),   // more than a value
 *     };
 *
 * A value is set from text (param_set_text: the command line, clr_set) or typed
 * (param_set_uint, _real, _reals: the Python binding); both check the same
 * range and form and fail with a short reason and no change to the struct.
 * Field types: FLAG int, UINT uint64_t, REAL double, REALS double[count],
 * SIZE image_size, CHOICE int (the index of the name), TEXT char * (owned:
 * copied when set, freed by param_table_release).
 */
#ifndef CLRENDER_PARAMS_H
#define CLRENDER_PARAMS_H

#include "clrender/clrender.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest image side: kernels index rows and columns with 32-bit integers. */
#define IMAGE_MAX_SIDE 2147483647u

typedef struct image_size {
    uint64_t width, height;
} image_size;

typedef struct param_spec {
    const char *name; /* "size": --size on the command line */
    char short_name;  /* 'o' for -o (command line tables only), or 0 */
    clr_param_type type;
    size_t offset;       /* of the field in the struct */
    const char *metavar; /* "WxH"; NULL for a flag */
    const char *help;    /* one line */
    uint64_t min, max;   /* UINT: the range; SIZE: max is the largest side */
    double real_min, real_max;
    bool min_open;              /* REAL: the range excludes real_min */
    size_t count;               /* REALS */
    const char *const *choices; /* CHOICE: NULL-terminated */
    /* OTHER: parses and stores `value` into the struct at `object` itself. */
    int (*apply)(void *object, const char *value, char *why, size_t why_len);
    /* Optional: a constraint on a parsed value (it points to what would be stored). */
    int (*check)(const void *value, char *why, size_t why_len);
    bool early; /* a preset: the command line applies it before the others */
} param_spec;

#define PARAM_FLAG(NAME, TYPE, FIELD, HELP)                                                        \
    { .name = NAME, .type = CLR_PARAM_FLAG, .offset = offsetof(TYPE, FIELD), .help = HELP }
#define PARAM_UINT(NAME, TYPE, FIELD, MIN, MAX, METAVAR, HELP)                                     \
    {                                                                                              \
        .name = NAME, .type = CLR_PARAM_UINT, .offset = offsetof(TYPE, FIELD), .min = MIN,         \
        .max = MAX, .metavar = METAVAR, .help = HELP                                               \
    }
#define PARAM_REAL(NAME, TYPE, FIELD, MIN, MIN_OPEN, MAX, CHECK, METAVAR, HELP)                    \
    {                                                                                              \
        .name = NAME, .type = CLR_PARAM_REAL, .offset = offsetof(TYPE, FIELD), .real_min = MIN,    \
        .min_open = MIN_OPEN, .real_max = MAX, .check = CHECK, .metavar = METAVAR, .help = HELP    \
    }
#define PARAM_REALS(NAME, TYPE, FIELD, COUNT, CHECK, METAVAR, HELP)                                \
    {                                                                                              \
        .name = NAME, .type = CLR_PARAM_REALS, .offset = offsetof(TYPE, FIELD), .count = COUNT,    \
        .check = CHECK, .metavar = METAVAR, .help = HELP                                           \
    }
#define PARAM_SIZE(NAME, TYPE, FIELD, HELP)                                                        \
    {                                                                                              \
        .name = NAME, .type = CLR_PARAM_SIZE, .offset = offsetof(TYPE, FIELD), .min = 1,           \
        .max = IMAGE_MAX_SIDE, .metavar = "WxH", .help = HELP                                      \
    }
#define PARAM_CHOICE(NAME, TYPE, FIELD, CHOICES, METAVAR, HELP)                                    \
    {                                                                                              \
        .name = NAME, .type = CLR_PARAM_CHOICE, .offset = offsetof(TYPE, FIELD),                   \
        .choices = CHOICES, .metavar = METAVAR, .help = HELP                                       \
    }
#define PARAM_TEXT(NAME, TYPE, FIELD, METAVAR, HELP)                                               \
    {                                                                                              \
        .name = NAME, .type = CLR_PARAM_TEXT, .offset = offsetof(TYPE, FIELD), .metavar = METAVAR, \
        .help = HELP                                                                               \
    }
#define PARAM_OTHER(NAME, APPLY, METAVAR, HELP)                                                    \
    { .name = NAME, .type = CLR_PARAM_OTHER, .apply = APPLY, .metavar = METAVAR, .help = HELP }

/* The row called `name`, or NULL. */
const param_spec *param_find(const param_spec *table, size_t count, const char *name);

/* Sets the field of `p` in `object` from `value` (NULL for a flag). On a bad
 * value: -1 with a short reason in `why` ("'0' is out of range (1 to 64)"). */
int param_set_text(const param_spec *p, void *object, const char *value, char *why, size_t why_len);
int param_set_uint(const param_spec *p, void *object, uint64_t value, char *why, size_t why_len);
int param_set_real(const param_spec *p, void *object, double value, char *why, size_t why_len);
int param_set_reals(const param_spec *p, void *object, const double *values, size_t count,
                    char *why, size_t why_len);

/* Frees the TEXT fields of `object` and sets them to NULL. */
void param_table_release(const param_spec *table, size_t count, void *object);

/* The public description of a row. */
clr_param_info param_info(const param_spec *p);

/* "--size WxH" style left column for help, into `out`. */
void param_usage(const param_spec *p, char *out, size_t size);

#endif
