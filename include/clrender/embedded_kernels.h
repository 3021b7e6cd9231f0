/* embedded_kernels.h — the kernels/ sources, compiled into the binary by tools/embed_kernels.cmake.
 */
#ifndef CLRENDER_EMBEDDED_KERNELS_H
#define CLRENDER_EMBEDDED_KERNELS_H

#include <stddef.h>

struct embedded_kernel {
    const char *name; /* file name without ".cl": "julia" */
    const char *source;
    size_t length;
};

/* Ends with an entry whose name is NULL. */
extern const struct embedded_kernel clr_embedded_kernels[];

#endif
