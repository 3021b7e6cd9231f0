/* values.h — strict parsers for the values that options take.
 *
 * Each parser accepts the whole string or nothing: no leading or trailing
 * junk, no empty fields, no NaN or infinity. On failure it returns -1 and
 * writes a short reason (no option name, no trailing period) into `why`.
 */
#ifndef CLRENDER_VALUES_H
#define CLRENDER_VALUES_H

#include <stddef.h>
#include <stdint.h>

int parse_finite_double(const char *text, double *out, char *why, size_t why_len);

/* A plain decimal integer in [min, max]; no sign, no exponent. */
int parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out, char *why,
               size_t why_len);

/* Exactly `count` finite numbers separated by commas, e.g. "-1.6,1.6,-1,1". */
int parse_double_list(const char *text, double *out, size_t count, char *why, size_t why_len);

/* "WIDTHxHEIGHT", each side in [1, max_side]. */
int parse_size(const char *text, uint64_t max_side, uint64_t *width, uint64_t *height, char *why,
               size_t why_len);

/* Case-insensitive comparison of ASCII strings; 1 when equal. */
int text_equal_nocase(const char *a, const char *b);

/* Case-insensitive substring test of ASCII strings; 1 when `needle` occurs in `haystack`. */
int text_contains_nocase(const char *haystack, const char *needle);

#endif
