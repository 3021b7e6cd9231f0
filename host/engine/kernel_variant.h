/* kernel_variant.h — --kernel: the portable kernel or its SIMD twin.
 *
 * Every renderer has a per-pixel kernel, one work-item per pixel: the portable
 * form, right for GPUs. Where a renderer also has a SIMD kernel (several
 * adjacent pixels per work-item in vector lanes), CPU devices run that one by
 * default, because PoCL cannot vectorise loops that work-items leave at
 * different iterations. */
#ifndef CLRENDER_KERNEL_VARIANT_H
#define CLRENDER_KERNEL_VARIANT_H

#include "device/device.h"

typedef enum kernel_variant { KERNEL_AUTO, KERNEL_PER_PIXEL, KERNEL_SIMD } kernel_variant;

/* "auto", "per-pixel" or "simd"; -1 with a reason otherwise. */
int parse_kernel_variant(const char *text, kernel_variant *out, char *why, size_t why_len);

/* Whether `variant` runs the SIMD kernel on `device`: when asked, or by default on a CPU. */
bool kernel_variant_is_simd(kernel_variant variant, const device_entry *device);

/* The lanes of a SIMD kernel's vectors: the device's preferred vector width for
 * its type, as one of the OpenCL vector sizes 2, 4 or 8 (8 when it prefers none
 * or more). */
unsigned simd_lanes(cl_uint preferred_width);

#endif
