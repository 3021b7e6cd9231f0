#define _POSIX_C_SOURCE 200809L /* strdup */
#include "output/file_pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int output_pattern_read(const char *path, output_pattern *pattern, failure *f) {
    /* %d, or %0 and at most two more digits and d; %% a percent sign; any other % makes a
     * name with a %d ambiguous. */
    int conversions = 0, strays = 0;
    *pattern = (output_pattern){0};
    const char *last_slash = strrchr(path, '/');
    for (const char *c = path; *c; ++c) {
        if (*c != '%')
            continue;
        if (c[1] == '%') {
            ++c;
            continue;
        }
        const char *d = c + 1;
        if (*d == '0')
            ++d;
        while (*d >= '0' && *d <= '9' && d - c < 3)
            ++d;
        if (*d == 'd' && (d == c + 1 || c[1] == '0')) {
            ++conversions;
            pattern->numbered = true;
            pattern->width = 0;
            for (const char *digit = c + 1; digit < d; ++digit)
                pattern->width = pattern->width * 10 + (unsigned)(*digit - '0');
            pattern->in_directory = last_slash && c < last_slash;
            c = d;
        } else {
            ++strays;
        }
    }
    char shown[TEXT_SHOWN_SIZE];
    if (conversions > 1 || (conversions == 1 && strays > 0))
        return failure_set(f, CLR_USAGE_ERROR,
                           "output '%s': a name for one file per frame takes one %%d (or %%0Nd) "
                           "and %%%% for a percent sign",
                           text_shown(path, shown));
    return 0;
}

char *output_pattern_name(const char *path, size_t frame) {
    output_pattern pattern;
    failure ignored;
    if (output_pattern_read(path, &pattern, &ignored) != 0 || !pattern.numbered)
        return strdup(path);
    size_t size = strlen(path) + 32;
    char *out = malloc(size), *o = out;
    if (!out)
        return NULL;
    for (const char *c = path; *c; ++c) {
        if (*c != '%') {
            *o++ = *c;
            continue;
        }
        if (c[1] == '%') {
            *o++ = '%', ++c;
            continue;
        }
        const char *d = c + 1;
        while (*d != 'd')
            ++d;
        o += snprintf(o, size - (size_t)(o - out), "%0*zu", (int)pattern.width, frame);
        c = d;
    }
    *o = '\0';
    return out;
}
