#include "engine/launch.h"

#include <stdlib.h>
#include <string.h>

void launch_add_value(launch *l, const void *value, size_t size) {
    /* The renderers' argument lists are fixed and far below the limit; overflowing is a bug. */
    if (l->arg_count >= LAUNCH_MAX_ARGS || size > LAUNCH_ARG_MAX_BYTES)
        abort();
    launch_arg *arg = &l->args[l->arg_count++];
    arg->kind = LAUNCH_ARG_VALUE;
    memcpy(arg->bytes, value, size);
    arg->size = size;
}

void launch_add_input(launch *l, const char *name, const void *data, size_t size,
                      uint64_t generation) {
    if (l->arg_count >= LAUNCH_MAX_ARGS || size == 0)
        abort();
    launch_arg *arg = &l->args[l->arg_count++];
    arg->kind = LAUNCH_ARG_INPUT;
    arg->data = data;
    arg->size = size;
    arg->name = name;
    arg->generation = generation;
}
