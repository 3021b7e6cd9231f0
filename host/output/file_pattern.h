/* file_pattern.h — names with a frame number in them: `-o zoom/%03d.png` writes one
 * file per frame. The file sinks (engine/sinks.c) and the command line's sequences
 * (cli/sequence.c) read them through this one rule. */
#ifndef CLRENDER_FILE_PATTERN_H
#define CLRENDER_FILE_PATTERN_H

#include "util/failure.h"

#include <stdbool.h>
#include <stddef.h>

/* An output name: one %d or %0Nd, %% for a percent sign. */
typedef struct output_pattern {
    bool numbered;     /* it has the conversion */
    unsigned width;    /* N of %0Nd; 0 for %d */
    bool in_directory; /* the conversion stands before the last '/' */
} output_pattern;

/* Reads `path`; a usage failure for two conversions or a stray %. */
int output_pattern_read(const char *path, output_pattern *pattern, failure *f);

/* The file name of frame `frame` (allocated; NULL when out of memory): the pattern's %d
 * replaced and its %% made %, or `path` itself when it has no %d. */
char *output_pattern_name(const char *path, size_t frame);

#endif
