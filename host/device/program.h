/* program.h — kernel sources and program builds.
 *
 * A kernel is kernels/NAME.cl, built into the library (or read from a kernel
 * directory during kernel development). It may include headers of kernels/
 * with `#include "FILE.h"`; the host includes the same headers, so both read
 * one layout (offsets of packed data, rows per work-item, epsilons). The
 * includes are expanded here, before the driver sees the source, because an
 * OpenCL driver has no file system view of built-in sources. */
#ifndef CLRENDER_PROGRAM_H
#define CLRENDER_PROGRAM_H

#include "device/device.h"

/* Reads `name` ("julia.cl") from `kernel_dir`, or from the built-in kernels
 * when it is NULL, with every `#include "FILE"` expanded from the same place.
 * *text is a new NUL-terminated buffer. */
int kernel_source_load(const char *kernel_dir, const char *name, char **text, size_t *length,
                       failure *f);

/* Receives a failed build's log (several lines). */
typedef void (*build_log_fn)(void *user, const char *log);

/* Builds kernels/`program`.cl for the opened device with `options`. On a
 * compile error the device's build log goes to `log` (when not NULL). */
int program_build(const device_context *ctx, const char *kernel_dir, const char *program,
                  const char *options, cl_program *built, build_log_fn log, void *user, failure *f);

#endif
