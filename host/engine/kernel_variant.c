#include "engine/kernel_variant.h"

const char *const kernel_variant_names[] = {"auto", "per-pixel", "simd", NULL};

bool kernel_variant_is_simd(int variant, const device_entry *device) {
    return variant == KERNEL_SIMD ||
           (variant == KERNEL_AUTO && (device->type & CL_DEVICE_TYPE_CPU) != 0);
}

unsigned simd_lanes(cl_uint preferred_width) {
    /* Wider vectors make more lanes wait for the slowest pixel of their block: float16 blocks
     * ran blog-zoom slower than float8 ones on an AVX-512 CPU that prefers float16. */
    unsigned lanes = preferred_width > 1 ? preferred_width : 8;
    return lanes >= 8 ? 8 : lanes >= 4 ? 4 : 2;
}
