/* session.h — the engine's state behind a clr_session (include/clrender/clrender.h).
 *
 * A session holds one renderer's parameters and the devices it renders on.
 * Devices are opened at the first render (or clr_session_prepare); each keeps
 * the programs built for it and the input buffers uploaded to it, so later
 * renders reuse them. host/engine/scheduler.c runs a render: bands of rows
 * handed to every device, delivered in order to the sinks (host/engine/sinks.c).
 */
#ifndef CLRENDER_SESSION_H
#define CLRENDER_SESSION_H

#include "clrender/clrender.h"
#include "renderers/renderer.h"

#include <pthread.h>

#define SESSION_MAX_PROGRAMS 16

typedef struct built_program {
    char program[64];
    char options[256];
    cl_program object;
} built_program;

/* An input buffer on a device, kept while its data, size and generation stay
 * and the device has room for it. */
typedef struct uploaded_input {
    const void *data;
    size_t size;
    uint64_t generation;
    cl_mem buffer;
    uint64_t last_used; /* the device's use count when a launch last needed it */
} uploaded_input;

#define SESSION_MAX_INPUTS 256
#define ENGINE_SLOTS       2 /* band buffers per device: one rendering, one being read back */

typedef struct engine_device {
    const device_entry *entry;
    device_context ctx;
    bool open;
    built_program programs[SESSION_MAX_PROGRAMS];
    size_t program_count;
    uploaded_input inputs[SESSION_MAX_INPUTS]; /* the first input_count are in use */
    size_t input_count;
    uint64_t input_bytes; /* their sizes, summed */
    uint64_t uses;        /* launches bound so far: the clock of last_used */
    /* The band buffers of the last render, kept for the next one: a new buffer's pages are
     * faulted in by the kernel's first writes, which cost a 4000x4000 Julia render 10-15 % of
     * its kernel time (PoCL). */
    cl_mem band_buffers[ENGINE_SLOTS];
    size_t band_buffer_bytes;
    clr_device_share share;
} engine_device;

struct clr_session {
    const renderer *r;
    void *params;
    bool *was_set;          /* per parameter, since the last reset */
    attached_input *inputs; /* per declared input */
    bool dirty;             /* parameters or inputs changed since finish() */
    clr_layout layout;      /* valid when !dirty */

    clr_session_options options; /* strings below are the session's own copies */
    char *devices_spec, *devices_origin, *kernel_dir, *cache_dir;
    bool cache_warned; /* the cache's trouble was said */

    device_list list;
    engine_device *devices;
    size_t device_count;
    bool devices_open;

    pthread_mutex_t timings_lock; /* workers add to the timings */
    clr_timings timings;
    unsigned fake_failures_left; /* test hook: launches still to fail */
};

/* clr_session_open() for a renderer given by itself (the tests' own renderers). */
clr_session *session_open_renderer(const renderer *r, const clr_session_options *options,
                                   failure *f);

/* Runs the renderer's finish() when needed and fills session->layout. */
int session_finish(clr_session *s, failure *f);

/* Lists, chooses and opens the devices once. */
int session_open_devices(clr_session *s, failure *f);

/* Makes `l` launchable on device `d`: refuses a device without fp64 when the
 * launch needs it, builds its program (once) and uploads its inputs (while they
 * change). *kernel is a new kernel object with every argument but 0 set. Runs
 * on the caller's thread for the first frame, so build logs reach the log
 * callback there. */
int session_prepare_launch(clr_session *s, engine_device *d, const launch *l, cl_kernel *kernel,
                           failure *f);

/* Uploads the inputs of `l` that the device does not hold (making room by
 * dropping the least recently used others) and sets them on `kernel`: before
 * each pass of a launch in several, whose inputs may have been dropped. Only
 * the thread that renders on `d` may call it. */
int session_bind_inputs(clr_session *s, engine_device *d, const launch *l, cl_kernel kernel,
                        failure *f);

/* The bytes of inputs a device keeps at most: three quarters of its memory, the
 * rest left to the bands' buffers and the driver. */
uint64_t session_input_budget(const engine_device *d);

/* Sends a message to the session's log callback, if it has one. */
void session_log(const clr_session *s, clr_log_level level, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds to a timing under the lock (workers run in parallel). */
void session_add_time(clr_session *s, double *field, double ms);

/* The failure the public API fills: the caller's, or a scratch one. */
#define API_FAILURE(error, scratch) ((error) ? (error) : &(scratch))

/* Renders every frame into the sinks (scheduler.c). */
int scheduler_render(clr_session *s, clr_sink *const *sinks, size_t sink_count, failure *f);

#endif
