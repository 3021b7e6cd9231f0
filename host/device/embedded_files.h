/* embedded_files.h — source files compiled into the library by tools/embed_files.cmake:
 * the kernels and their headers (kernels/NAME.cl, kernels/NAME.h) and the built-in
 * scenes (scenes/NAME.json). */
#ifndef CLRENDER_EMBEDDED_FILES_H
#define CLRENDER_EMBEDDED_FILES_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* the file name: "julia.cl" */
    const char *text; /* NUL-terminated */
    size_t length;
};

/* Each table ends with an entry whose name is NULL. */
extern const struct embedded_file clr_embedded_kernels[];
extern const struct embedded_file clr_embedded_scenes[];

/* The entry called `name` in `table`, or NULL. */
const struct embedded_file *embedded_file_find(const struct embedded_file *table, const char *name);

#endif
