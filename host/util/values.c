#include "util/values.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int parse_finite_double(const char *text, double *out, char *why, size_t why_len) {
    if (*text == '\0') {
        snprintf(why, why_len, "empty number");
        return -1;
    }
    if (isspace((unsigned char)*text)) {
        snprintf(why, why_len, "'%s' has leading blanks", text);
        return -1;
    }
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text || *end != '\0') {
        snprintf(why, why_len, "'%s' is not a number", text);
        return -1;
    }
    if (!isfinite(value)) { /* "inf", "nan", or too large for a double (1e999) */
        snprintf(why, why_len, "'%s' is not a finite number", text);
        return -1;
    }
    *out = value;
    return 0;
}

int parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out, char *why,
               size_t why_len) {
    if (*text == '\0') {
        snprintf(why, why_len, "empty number");
        return -1;
    }
    uint64_t value = 0;
    for (const char *p = text; *p; ++p) {
        if (*p < '0' || *p > '9') {
            snprintf(why, why_len, "'%s' is not a whole number", text);
            return -1;
        }
        unsigned digit = (unsigned)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            snprintf(why, why_len, "'%s' is too large (at most %llu)", text,
                     (unsigned long long)max);
            return -1;
        }
        value = value * 10 + digit;
    }
    if (value < min || value > max) {
        snprintf(why, why_len, "'%s' is out of range (%llu to %llu)", text, (unsigned long long)min,
                 (unsigned long long)max);
        return -1;
    }
    *out = value;
    return 0;
}

int parse_double_list(const char *text, double *out, size_t count, char *why, size_t why_len) {
    size_t length = strlen(text);
    char *copy = malloc(length + 1);
    if (!copy) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    memcpy(copy, text, length + 1);

    double values[16];
    size_t fields = 1;
    for (const char *p = text; *p; ++p)
        fields += *p == ',';
    int result = 0;
    if (fields != count || count > sizeof values / sizeof values[0]) {
        snprintf(why, why_len, "'%s' has %zu comma-separated field%s, expected %zu", text, fields,
                 fields == 1 ? "" : "s", count);
        result = -1;
    }
    char *field = copy;
    for (size_t i = 0; result == 0 && i < count; ++i) {
        char *comma = strchr(field, ',');
        if (comma)
            *comma = '\0';
        char reason[256];
        if (parse_finite_double(field, &values[i], reason, sizeof reason) != 0) {
            snprintf(why, why_len, "field %zu of '%s': %s", i + 1, text, reason);
            result = -1;
        }
        field = comma ? comma + 1 : field;
    }
    free(copy);
    if (result == 0)
        memcpy(out, values, count * sizeof *out);
    return result;
}

int parse_size(const char *text, uint64_t max_side, uint64_t *width, uint64_t *height, char *why,
               size_t why_len) {
    const char *x = strchr(text, 'x');
    if (!x || strchr(x + 1, 'x')) {
        snprintf(why, why_len, "'%s' is not WIDTHxHEIGHT", text);
        return -1;
    }
    char left[32], reason[200];
    size_t left_length = (size_t)(x - text);
    if (left_length >= sizeof left) {
        snprintf(why, why_len, "width in '%s' is too long", text);
        return -1;
    }
    memcpy(left, text, left_length);
    left[left_length] = '\0';
    uint64_t w, h;
    if (parse_uint(left, 1, max_side, &w, reason, sizeof reason) != 0) {
        snprintf(why, why_len, "width: %s", reason);
        return -1;
    }
    if (parse_uint(x + 1, 1, max_side, &h, reason, sizeof reason) != 0) {
        snprintf(why, why_len, "height: %s", reason);
        return -1;
    }
    *width = w;
    *height = h;
    return 0;
}

int text_equal_nocase(const char *a, const char *b) {
    for (; *a && *b; ++a, ++b)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int text_contains_nocase(const char *haystack, const char *needle) {
    size_t n = strlen(needle);
    for (const char *h = haystack; *h; ++h) {
        size_t i = 0;
        while (i < n && h[i] && tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i]))
            ++i;
        if (i == n)
            return 1;
    }
    return n == 0;
}
