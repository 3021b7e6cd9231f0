/* The X-ray renderer's launches: one work-item per detector pixel, the volume in
 * slabs along z when one allocation of the device cannot hold it. */
#include "engine/kernel_variant.h"
#include "kernels/xray_layout.h"
#include "renderers/xray/xray.h"

#include <stdio.h>

/* Slices per slab on `device`: all of them when they fit in one allocation (and the kernel's
 * int cell indices), else as many as fit, spread evenly over the slabs. 0 when one slice does
 * not fit. */
static size_t slab_slices(const xray_params *p, const device_entry *device) {
    const size_t nz = p->grid.dims[2];
    const uint64_t slice_voxels = (uint64_t)p->grid.dims[0] * p->grid.dims[1];
    uint64_t fit = device->max_allocation / (slice_voxels * sizeof(float));
    if (fit > (uint64_t)INT32_MAX / slice_voxels)
        fit = (uint64_t)INT32_MAX / slice_voxels;
    if (fit >= nz)
        return nz;
    if (fit == 0)
        return 0;
    size_t slabs = (size_t)((nz + fit - 1) / fit);
    return (nz + slabs - 1) / slabs;
}

int xray_launch(const void *params, const device_entry *device, size_t frame, size_t pass,
                launch *l, failure *f) {
    const xray_params *p = params;
    const size_t nx = p->grid.dims[0], ny = p->grid.dims[1], nz = p->grid.dims[2];
    const size_t slab = slab_slices(p, device);
    if (slab == 0)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "one z slice of the volume (%zux%zu floats, %.1f MiB) is more than %s "
                           "allocates at once (%.1f MiB); choose another --device",
                           nx, ny, (double)nx * (double)ny * 4 / 1048576.0, device->name,
                           (double)device->max_allocation / 1048576.0);
    const size_t passes = (nz + slab - 1) / slab, k0 = pass * slab;
    const size_t slices = nz - k0 < slab ? nz - k0 : slab;
    const bool is_double = p->precision == XRAY_DOUBLE;
    /* Rays are set up in double wherever the device has it (kernels/xray.cl says why). */
    const bool setup_double = is_double || device->fp64;
    /* CPUs walk pixels in vectors (kernels/xray.cl) of the device's preferred width, at most 8
     * lanes: 16 float lanes on AVX-512 ran slower (a rare lane that walks longer holds up more
     * of them, and a gather of 16 costs more than two of 8). */
    const bool simd = kernel_variant_is_simd(p->kernel, device);
    const unsigned lanes =
        !simd ? 1
              : simd_lanes(is_double ? device->vector_width_double : device->vector_width_float, 8);
    l->program = "xray";
    l->entry_point = "xray_siddon";
    snprintf(l->build_options, sizeof l->build_options, "-DLANES=%u%s", lanes,
             is_double      ? " -DXRAY_DOUBLE"
             : setup_double ? " -DXRAY_SETUP_DOUBLE"
                            : "");
    if (is_double) {
        l->needs_fp64 = true;
        l->fp64_hint = "use --precision float";
    }
    l->items_wide = ((size_t)p->detector[0] + lanes - 1) / lanes;
    l->items_high = (size_t)p->detector[1];
    l->rows_per_item = 1;
    l->pass_count = passes;

    const cl_uint width = (cl_uint)p->detector[0], frame32 = (cl_uint)frame;
    const cl_uint dims[5] = {(cl_uint)nx, (cl_uint)ny, (cl_uint)nz, (cl_uint)k0, (cl_uint)slices};
    cl_uint flags = 0;
    if (pass > 0)
        flags |= XRAY_ACCUMULATE;
    if (pass == passes - 1 && p->quantity == XRAY_INTENSITY_OUT)
        flags |= XRAY_INTENSITY;
    if (setup_double)
        launch_add_input(l, "the projection geometry", p->packed,
                         p->view_count * XRAY_VIEW_STRIDE * sizeof(double), p->views_generation);
    else
        launch_add_input(l, "the projection geometry", p->packed_float,
                         p->view_count * XRAY_VIEW_STRIDE * sizeof(float), p->views_generation);
    launch_add_value(l, &frame32, sizeof frame32);
    launch_add_value(l, &width, sizeof width);
    for (int i = 0; i < 5; ++i)
        launch_add_value(l, &dims[i], sizeof dims[i]);
    launch_add_input(l, passes > 1 ? "a slab of the volume" : "the volume",
                     p->volume + k0 * nx * ny, slices * nx * ny * sizeof(float),
                     p->voxels_generation);
    if (is_double) {
        const cl_double scale = p->value_scale, i0 = p->i0;
        launch_add_value(l, &scale, sizeof scale);
        launch_add_value(l, &flags, sizeof flags);
        launch_add_value(l, &i0, sizeof i0);
    } else {
        const cl_float scale = (cl_float)p->value_scale, i0 = (cl_float)p->i0;
        launch_add_value(l, &scale, sizeof scale);
        launch_add_value(l, &flags, sizeof flags);
        launch_add_value(l, &i0, sizeof i0);
    }
    return 0;
}
