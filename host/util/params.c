#define _POSIX_C_SOURCE 200809L
#include "util/params.h"

#include "util/values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const param_spec *param_find(const param_spec *table, size_t count, const char *name) {
    for (size_t i = 0; i < count; ++i)
        if (!strcmp(table[i].name, name))
            return &table[i];
    return NULL;
}

static void *field(const param_spec *p, void *object) {
    return (char *)object + p->offset;
}

static int store_uint(const param_spec *p, void *object, uint64_t value, char *why,
                      size_t why_len) {
    if (p->type == CLR_PARAM_FLAG) {
        if (value > 1) {
            snprintf(why, why_len, "a flag is 0 or 1, not %llu", (unsigned long long)value);
            return -1;
        }
        *(int *)field(p, object) = (int)value;
        return 0;
    }
    if (value < p->min || value > p->max) {
        snprintf(why, why_len, "'%llu' is out of range (%llu to %llu)", (unsigned long long)value,
                 (unsigned long long)p->min, (unsigned long long)p->max);
        return -1;
    }
    if (p->check && p->check(&value, why, why_len) != 0)
        return -1;
    *(uint64_t *)field(p, object) = value;
    return 0;
}

static int store_real(const param_spec *p, void *object, double value, char *why, size_t why_len) {
    if (!isfinite(value)) {
        snprintf(why, why_len, "'%g' is not a finite number", value);
        return -1;
    }
    int below = p->min_open ? !(value > p->real_min) : !(value >= p->real_min);
    if (below || value > p->real_max) {
        if (p->min_open && p->real_min == 0)
            snprintf(why, why_len, "'%.17g' must be positive and at most %g", value, p->real_max);
        else
            snprintf(why, why_len, "'%.17g' is out of range (%g to %g)", value, p->real_min,
                     p->real_max);
        return -1;
    }
    if (p->check && p->check(&value, why, why_len) != 0)
        return -1;
    *(double *)field(p, object) = value;
    return 0;
}

static int store_reals(const param_spec *p, void *object, const double *values, size_t count,
                       char *why, size_t why_len) {
    if (p->type == CLR_PARAM_SIZE) {
        if (count != 2) {
            snprintf(why, why_len, "a size is 2 numbers (width, height), not %zu", count);
            return -1;
        }
        image_size size;
        for (int i = 0; i < 2; ++i) {
            double v = values[i];
            if (!(v >= (double)p->min && v <= (double)p->max) || v != floor(v)) {
                snprintf(why, why_len, "%s %.17g is not a whole number from %llu to %llu",
                         i ? "height" : "width", v, (unsigned long long)p->min,
                         (unsigned long long)p->max);
                return -1;
            }
        }
        size.width = (uint64_t)values[0], size.height = (uint64_t)values[1];
        *(image_size *)field(p, object) = size;
        return 0;
    }
    if (count != p->count) {
        snprintf(why, why_len, "%zu number%s given, %zu expected", count, count == 1 ? "" : "s",
                 p->count);
        return -1;
    }
    for (size_t i = 0; i < count; ++i)
        if (!isfinite(values[i])) {
            snprintf(why, why_len, "number %zu is not finite", i + 1);
            return -1;
        }
    if (p->check && p->check(values, why, why_len) != 0)
        return -1;
    memcpy(field(p, object), values, count * sizeof *values);
    return 0;
}

static int set_choice(const param_spec *p, void *object, const char *value, char *why,
                      size_t why_len) {
    for (int i = 0; p->choices[i]; ++i)
        if (!strcmp(p->choices[i], value)) {
            *(int *)field(p, object) = i;
            return 0;
        }
    int n = snprintf(why, why_len, "expected ");
    for (int i = 0; p->choices[i] && n > 0 && (size_t)n < why_len; ++i)
        n += snprintf(why + n, why_len - (size_t)n, "%s%s", p->choices[i],
                      !p->choices[i + 1]   ? ""
                      : !p->choices[i + 2] ? " or "
                                           : ", ");
    return -1;
}

int param_set_text(const param_spec *p, void *object, const char *value, char *why,
                   size_t why_len) {
    if (p->type == CLR_PARAM_FLAG) {
        if (value) {
            snprintf(why, why_len, "takes no value (got '%s')", value);
            return -1;
        }
        *(int *)field(p, object) = 1;
        return 0;
    }
    if (!value) {
        snprintf(why, why_len, "needs a value %s", p->metavar ? p->metavar : "");
        return -1;
    }
    switch (p->type) {
    case CLR_PARAM_UINT: {
        uint64_t v;
        if (parse_uint(value, p->min, p->max, &v, why, why_len) != 0)
            return -1;
        return store_uint(p, object, v, why, why_len);
    }
    case CLR_PARAM_REAL: {
        double v;
        if (parse_finite_double(value, &v, why, why_len) != 0)
            return -1;
        return store_real(p, object, v, why, why_len);
    }
    case CLR_PARAM_REALS: {
        double v[16];
        if (p->count > sizeof v / sizeof v[0] ||
            parse_double_list(value, v, p->count, why, why_len))
            return -1;
        return store_reals(p, object, v, p->count, why, why_len);
    }
    case CLR_PARAM_SIZE: {
        uint64_t w, h;
        if (parse_size(value, p->max, &w, &h, why, why_len) != 0)
            return -1;
        *(image_size *)field(p, object) = (image_size){w, h};
        return 0;
    }
    case CLR_PARAM_CHOICE:
        return set_choice(p, object, value, why, why_len);
    case CLR_PARAM_TEXT: {
        if (!*value) {
            snprintf(why, why_len, "empty text");
            return -1;
        }
        char *copy = strdup(value);
        if (!copy) {
            snprintf(why, why_len, "out of memory");
            return -1;
        }
        char **slot = field(p, object);
        free(*slot);
        *slot = copy;
        return 0;
    }
    case CLR_PARAM_OTHER:
        return p->apply(object, value, why, why_len);
    case CLR_PARAM_FLAG:
        break;
    }
    snprintf(why, why_len, "cannot be set from text");
    return -1;
}

static int wrong_type(const param_spec *p, const char *what, char *why, size_t why_len) {
    snprintf(why, why_len, "takes %s, not %s", p->metavar ? p->metavar : "no value", what);
    return -1;
}

int param_set_uint(const param_spec *p, void *object, uint64_t value, char *why, size_t why_len) {
    if (p->type == CLR_PARAM_UINT || p->type == CLR_PARAM_FLAG)
        return store_uint(p, object, value, why, why_len);
    if (p->type == CLR_PARAM_REAL)
        return store_real(p, object, (double)value, why, why_len);
    return wrong_type(p, "a whole number", why, why_len);
}

int param_set_real(const param_spec *p, void *object, double value, char *why, size_t why_len) {
    if (p->type == CLR_PARAM_REAL)
        return store_real(p, object, value, why, why_len);
    if ((p->type == CLR_PARAM_UINT || p->type == CLR_PARAM_FLAG) && value >= 0 &&
        value == floor(value) && value < 18446744073709551616.0)
        return store_uint(p, object, (uint64_t)value, why, why_len);
    if (p->type == CLR_PARAM_UINT)
        return snprintf(why, why_len, "'%.17g' is not a whole number", value), -1;
    return wrong_type(p, "a number", why, why_len);
}

int param_set_reals(const param_spec *p, void *object, const double *values, size_t count,
                    char *why, size_t why_len) {
    if (p->type == CLR_PARAM_REALS || p->type == CLR_PARAM_SIZE)
        return store_reals(p, object, values, count, why, why_len);
    if (count == 1)
        return param_set_real(p, object, values[0], why, why_len);
    return wrong_type(p, "several numbers", why, why_len);
}

void param_table_release(const param_spec *table, size_t count, void *object) {
    for (size_t i = 0; i < count; ++i)
        if (table[i].type == CLR_PARAM_TEXT) {
            char **slot = field(&table[i], object);
            free(*slot);
            *slot = NULL;
        }
}

clr_param_info param_info(const param_spec *p) {
    return (clr_param_info){.name = p->name,
                            .metavar = p->metavar,
                            .help = p->help,
                            .type = p->type,
                            .count = p->type == CLR_PARAM_SIZE ? 2 : p->count,
                            .choices = p->choices,
                            .uint_min = p->min,
                            .uint_max = p->max,
                            .early = p->early};
}

void param_usage(const param_spec *p, char *out, size_t size) {
    const char *space = p->metavar ? " " : "", *metavar = p->metavar ? p->metavar : "";
    if (p->short_name)
        snprintf(out, size, "-%c, --%s%s%s", p->short_name, p->name, space, metavar);
    else
        snprintf(out, size, "    --%s%s%s", p->name, space, metavar);
}
