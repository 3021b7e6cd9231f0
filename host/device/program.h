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
#include "device/program_cache.h"

/* Reads `name` ("julia.cl") from `kernel_dir`, or from the built-in kernels
 * when it is NULL, with every `#include "FILE"` expanded from the same place.
 * *text is a new NUL-terminated buffer. */
int kernel_source_load(const char *kernel_dir, const char *name, char **text, size_t *length,
                       failure *f);

/* Receives a failed build's log (several lines). */
typedef void (*build_log_fn)(void *user, const char *log);

/* The key a program's binary is kept under: everything the binary depends on. A binary of
 * one driver is never offered to another (a driver may accept and misread it); PoCL's
 * platform version names the LLVM it compiles with, which its device version does not. */
void program_binary_key(const device_entry *e, const char *options, const char *source,
                        program_cache_key *key);

/* What to build, and where to tell what happened. */
typedef struct program_request {
    const char *kernel_dir; /* NULL: the built-in kernels */
    const char *program;    /* "julia": kernels/julia.cl */
    const char *options;    /* build options */
    /* Where compiled programs are kept (device/program_cache.h); NULL: built every time. */
    const char *cache_dir;
    build_log_fn log;  /* receives a failed build's log; may be NULL */
    build_log_fn warn; /* told when the cache cannot keep a program; may be NULL */
    void *user;        /* passed to both */
} program_request;

/* Builds kernels/`program`.cl for the opened device with `options`: from the binary kept
 * in the cache when there is one the driver takes (*from_cache), else from source, keeping
 * its binary. On a compile error the device's build log goes to `log`. */
int program_build(const device_context *ctx, const program_request *r, cl_program *built,
                  bool *from_cache, failure *f);

#endif
