#include "engine/kernel_variant.h"

#include <stdio.h>
#include <string.h>

int parse_kernel_variant(const char *text, kernel_variant *out, char *why, size_t why_len) {
    if (!strcmp(text, "auto"))
        *out = KERNEL_AUTO;
    else if (!strcmp(text, "per-pixel"))
        *out = KERNEL_PER_PIXEL;
    else if (!strcmp(text, "simd"))
        *out = KERNEL_SIMD;
    else {
        snprintf(why, why_len, "expected auto, per-pixel or simd");
        return -1;
    }
    return 0;
}

bool kernel_variant_is_simd(kernel_variant variant, const device_entry *device) {
    return variant == KERNEL_SIMD ||
           (variant == KERNEL_AUTO && (device->type & CL_DEVICE_TYPE_CPU) != 0);
}

unsigned simd_lanes(cl_uint preferred_width) {
    /* Wider vectors make more lanes wait for the slowest pixel of their block: float16 blocks
     * ran blog-zoom slower than float8 ones on an AVX-512 CPU that prefers float16. */
    unsigned lanes = preferred_width > 1 ? preferred_width : 8;
    return lanes >= 8 ? 8 : lanes >= 4 ? 4 : 2;
}
