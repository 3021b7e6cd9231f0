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
#include "util/params.h"

/* In the order of kernel_variant_names: a CHOICE parameter stores the index. */
typedef enum kernel_variant { KERNEL_AUTO, KERNEL_PER_PIXEL, KERNEL_SIMD } kernel_variant;

extern const char *const kernel_variant_names[]; /* "auto", "per-pixel", "simd", NULL */

/* The --kernel parameter of a renderer whose params struct TYPE has the field FIELD. */
#define PARAM_KERNEL(TYPE, FIELD, HELP)                                                            \
    PARAM_CHOICE("kernel", TYPE, FIELD, kernel_variant_names, "K", HELP)

/* Whether `variant` runs the SIMD kernel on `device`: when asked, or by default on a CPU. */
bool kernel_variant_is_simd(int variant, const device_entry *device);

/* The lanes of a SIMD kernel's vectors: the device's preferred vector width for
 * its type, as one of the OpenCL vector sizes 2, 4, 8 or 16, at most `widest`
 * (8 when it prefers none). The widest pays is the renderer's to say: wider
 * vectors make more lanes wait for the slowest of their block. */
unsigned simd_lanes(cl_uint preferred_width, unsigned widest);

#endif
