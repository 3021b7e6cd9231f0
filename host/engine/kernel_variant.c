#include "engine/kernel_variant.h"

const char *const kernel_variant_names[] = {"auto", "per-pixel", "simd", NULL};

bool kernel_variant_is_simd(int variant, const device_entry *device) {
    return variant == KERNEL_SIMD ||
           (variant == KERNEL_AUTO && (device->type & CL_DEVICE_TYPE_CPU) != 0);
}

unsigned simd_lanes(cl_uint preferred_width, unsigned widest) {
    unsigned lanes = preferred_width > 1 ? preferred_width : 8;
    lanes = lanes >= 16 ? 16 : lanes >= 8 ? 8 : lanes >= 4 ? 4 : 2;
    return lanes < widest ? lanes : widest;
}
