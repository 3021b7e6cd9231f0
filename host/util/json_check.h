/* json_check.h — what cJSON does not report about a JSON text: objects with a
 * key twice (cJSON keeps both; a lookup silently takes the first), and nesting
 * deeper than a limit (cJSON only fails "here"). Used by every JSON reader
 * (scenes; the batch files of the command line). */
#ifndef CLRENDER_JSON_CHECK_H
#define CLRENDER_JSON_CHECK_H

#include <stddef.h>

typedef struct json_problem {
    enum { JSON_FINE, JSON_TOO_DEEP, JSON_DUPLICATE_KEY, JSON_OUT_OF_MEMORY } kind;
    size_t line, column;             /* 1-based: where the deeper value or the second key begins */
    size_t first_line, first_column; /* JSON_DUPLICATE_KEY: the first occurrence */
    char key[128];                   /* the duplicate key, shown escaped (and cut when long) */
    char path[256]; /* the object holding it: "camera", "spheres[2].material", "" */
} json_problem;

/* Scans `text`; a text that is not valid JSON is scanned as far as it makes sense (the
 * parser reports its errors). Returns the problem found first in reading order for
 * nesting, and for duplicates the first object (in the order objects close) that has one. */
json_problem json_check(const char *text, size_t length, size_t max_depth);

#endif
