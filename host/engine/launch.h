/* launch.h — how a renderer describes a kernel launch to the engine.
 *
 * The description covers a whole frame: which kernel, its build options, the
 * global work size (a 2-D range whose rows each cover `rows_per_item` image
 * rows, a number the kernel's layout header declares) and the arguments that
 * follow the output buffer, which is always argument 0. The engine launches it
 * band by band: each band is a range of work-item rows starting at the global
 * offset of its first row, and writes only that band's rows.
 *
 * A frame may take several passes over the same rows (pass_count, set by pass
 * 0's description): each pass is described by its own call with its own
 * arguments, launched in order on the same output buffer, so a later pass can
 * add to what the earlier ones wrote. A volume larger than one allocation is
 * projected slab by slab this way.
 *
 * Input buffers are uploaded once per device and kept while their data,
 * size and generation stay the same; a renderer bumps the generation when it
 * rewrites data in place. When the inputs of all passes together do not fit
 * in a device's memory, the least recently used are dropped and uploaded
 * again when a pass needs them.
 */
#ifndef CLRENDER_LAUNCH_H
#define CLRENDER_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAUNCH_MAX_ARGS      24
#define LAUNCH_ARG_MAX_BYTES 64

typedef struct launch_arg {
    enum { LAUNCH_ARG_VALUE, LAUNCH_ARG_INPUT } kind;
    unsigned char bytes[LAUNCH_ARG_MAX_BYTES]; /* a value */
    const void *data;                          /* an input's contents */
    size_t size;
    const char *name;    /* an input, for messages: "spheres" */
    uint64_t generation; /* an input's version */
} launch_arg;

typedef struct launch {
    const char *program;     /* kernels/<program>.cl */
    const char *entry_point; /* __kernel function name */
    char build_options[256];
    size_t items_wide, items_high;    /* global work size of the whole frame */
    size_t rows_per_item;             /* image rows one row of work-items covers (0 means 1) */
    size_t pass_count;                /* launches per band (0 means 1); pass 0 says */
    bool needs_fp64;                  /* refused on devices without double precision */
    const char *fp64_hint;            /* what to do then, or NULL: "use --precision float" */
    launch_arg args[LAUNCH_MAX_ARGS]; /* arguments 1.. of the kernel */
    size_t arg_count;
} launch;

/* Appends the next kernel argument, a copy of `size` bytes of `value`. */
void launch_add_value(launch *l, const void *value, size_t size);

/* Appends a `__global const` buffer argument holding `size` bytes (at least 1)
 * of `data`, which must stay valid until the render ends. */
void launch_add_input(launch *l, const char *name, const void *data, size_t size,
                      uint64_t generation);

#endif
