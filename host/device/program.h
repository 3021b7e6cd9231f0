/* program.h — building a kernel program for one device.
 *
 * The source of kernels/NAME.cl comes from the copy embedded at build time,
 * or, when CLRENDER_KERNEL_DIR is set, from NAME.cl in that directory (for
 * kernel development without rebuilding, and for tests that need a broken
 * kernel). A build failure prints the device's build log to stderr.
 */
#ifndef CLRENDER_PROGRAM_H
#define CLRENDER_PROGRAM_H

#include "device/device.h"

int program_build(const device_context *ctx, const char *name, const char *options,
                  cl_program *program, failure *f);

#endif
