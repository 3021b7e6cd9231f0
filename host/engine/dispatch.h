/* dispatch.h — the one path from a kernel to pixels in host memory.
 *
 * A renderer describes its launch as a dispatch_request: which kernel, which
 * build options, the whole image's work size (a 2-D range; each work-item
 * covers `rows_per_item` rows of one or more pixels) and the arguments that
 * follow the output buffer, which is always argument 0.
 *
 * A session builds the program and the buffers once, then renders the image
 * band by band: each band is a launch over a range of rows whose work-items
 * start at the global offset of the band's first row, and whose output buffer
 * holds only the band's rows. Bands make any image fit the device's largest
 * allocation and keep each launch short. Two output buffers ("slots") let the
 * next band run while the host handles the last: dispatch_enqueue() queues a
 * band and its read-back without waiting, dispatch_wait() waits for it.
 */
#ifndef CLRENDER_DISPATCH_H
#define CLRENDER_DISPATCH_H

#include "device/device.h"

#define DISPATCH_MAX_ARGS    24
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
    size_t width, height;               /* the whole image's global work size, in work-items */
    size_t rows_per_item;               /* image rows one work-item covers (0 means 1) */
    size_t image_height;                /* image rows */
    size_t bytes_per_row;               /* of the output */
    kernel_arg args[DISPATCH_MAX_ARGS]; /* arguments 1.. of the kernel */
    size_t arg_count;
} dispatch_request;

typedef struct dispatch_timings {
    double build_ms;    /* program build (host wall clock) */
    double kernel_ms;   /* kernel execution, all bands (OpenCL profiling events) */
    double transfer_ms; /* read-back of the output, all bands (profiling events) */
} dispatch_timings;

/* Appends the next kernel argument, copying `size` bytes from `value`. */
void dispatch_add_arg(dispatch_request *request, const void *value, size_t size);

/* Appends a `__global const` buffer argument holding `size` bytes (at least 1)
 * of `data`, which must stay valid until the session ends. */
void dispatch_add_input(dispatch_request *request, const void *data, size_t size);

typedef struct dispatch_session {
    const device_context *ctx;
    const dispatch_request *request;
    cl_program program;
    cl_kernel kernel;
    cl_mem output[2]; /* one per slot */
    cl_event kernel_done[2], read_done[2];
    cl_mem inputs[DISPATCH_MAX_ARGS];
    size_t max_rows;      /* the largest band the output buffer holds */
    cl_int last_status;   /* of the last failed OpenCL call in dispatch_rows */
    int failures_to_fake; /* test-only: launches that fail with CL_OUT_OF_RESOURCES */
} dispatch_session;

/* Builds the program and sets up the buffers for bands of up to `max_rows`
 * rows (a multiple of rows_per_item). When the device cannot allocate that
 * much, it halves the band until it can, and says so in session->max_rows. */
int dispatch_begin(const device_context *ctx, const dispatch_request *request, size_t max_rows,
                   dispatch_session *session, dispatch_timings *timings, failure *f);

/* Queues rows [first_row, first_row + rows) to be rendered into `out` (rows *
 * bytes_per_row bytes, untouched until dispatch_wait() on the same slot, 0 or
 * 1, returns). first_row must be a multiple of rows_per_item, rows at most
 * max_rows. When the device runs out of resources, here or in dispatch_wait()
 * (session->last_status says so), the caller may dispatch_drain() and retry
 * with fewer rows. */
int dispatch_enqueue(dispatch_session *session, int slot, size_t first_row, size_t rows, void *out,
                     failure *f);
int dispatch_wait(dispatch_session *session, int slot, dispatch_timings *timings, failure *f);

/* Waits for everything queued and forgets it. */
void dispatch_drain(dispatch_session *session);

/* dispatch_enqueue() and dispatch_wait() on slot 0. */
int dispatch_rows(dispatch_session *session, size_t first_row, size_t rows, void *out,
                  dispatch_timings *timings, failure *f);

void dispatch_end(dispatch_session *session);

#endif
