/* dispatch.h — the one path from a kernel to pixels in host memory.
 *
 * A renderer describes its launch as a dispatch_request: which kernel, which
 * build options, the image size (one work-item per pixel, a 2-D range of
 * width x height) and the arguments that follow the output buffer. The output
 * buffer is always argument 0, and its contents are read back into `output`.
 */
#ifndef CLRENDER_DISPATCH_H
#define CLRENDER_DISPATCH_H

#include "clrender/device.h"

#define DISPATCH_MAX_ARGS 24

#define KERNEL_ARG_MAX_BYTES 64

/* A kernel argument: a value, whose bytes are copied into the request, or a
 * read-only input buffer, copied to the device at launch from `data`. */
typedef struct kernel_arg {
    enum { KERNEL_ARG_VALUE, KERNEL_ARG_INPUT_BUFFER } kind;
    unsigned char bytes[KERNEL_ARG_MAX_BYTES]; /* the value */
    const void *data;                          /* the buffer's contents */
    size_t size;
} kernel_arg;

typedef struct dispatch_request {
    const char *program;     /* kernels/<program>.cl */
    const char *entry_point; /* __kernel function name */
    char build_options[256];
    size_t width, height;               /* the global work size */
    kernel_arg args[DISPATCH_MAX_ARGS]; /* arguments 1.. of the kernel */
    size_t arg_count;
    void *output; /* host memory of output_bytes */
    size_t output_bytes;
} dispatch_request;

typedef struct dispatch_timings {
    double build_ms;    /* program build (host wall clock) */
    double kernel_ms;   /* kernel execution (OpenCL profiling events) */
    double transfer_ms; /* read-back of the output buffer (profiling events) */
} dispatch_timings;

/* Appends the next kernel argument, copying `size` bytes from `value`. */
void dispatch_add_arg(dispatch_request *request, const void *value, size_t size);

/* Appends a `__global const` buffer argument holding `size` bytes (at least 1)
 * of `data`, which must stay valid until dispatch_render() returns. */
void dispatch_add_input(dispatch_request *request, const void *data, size_t size);

int dispatch_render(const device_context *ctx, const dispatch_request *request,
                    dispatch_timings *timings, failure *f);

#endif
