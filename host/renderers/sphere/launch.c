/* The sphere renderer's launch description and its scalar reference, row by row. */
#include "engine/kernel_variant.h"
#include "kernels/raytrace_layout.h"
#include "renderers/sphere/sphere.h"

#include <stdio.h>

int sphere_launch(const void *params, const device_entry *device, size_t frame, size_t pass,
                  launch *l, failure *f) {
    (void)frame, (void)pass, (void)f; /* one frame, one pass */
    const sphere_params *p = params;
    const cl_uint width = (cl_uint)p->size.width, height = (cl_uint)p->size.height;
    l->needs_fp64 = true; /* all of the maths is in double */
    l->items_wide = (size_t)p->size.width;
    l->items_high = (size_t)p->size.height;
    l->rows_per_item = 1;
    if (p->mode != SPHERE_SCENE) {
        l->program = "sphere_seeds";
        l->entry_point = p->mode == SPHERE_PYCONDE ? "pyconde" : "pyo3";
        launch_add_value(l, &width, sizeof width);
        launch_add_value(l, &height, sizeof height);
        return 0;
    }
    const scene *s = &p->scene;
    const cl_uint sphere_count = (cl_uint)s->sphere_count, light_count = (cl_uint)s->light_count;
    const cl_uint depth = (cl_uint)p->depth, spp = (cl_uint)p->spp;
    /* One kernel, built for the pixels each work-item traces (kernels/raytrace.cl): one on
     * GPUs, a vector of the device's preferred double width on CPUs. On an AVX-512 CPU that
     * prefers 8 doubles, 16 lanes ran 7 % slower and 4 lanes 40 % slower than 8. */
    const unsigned lanes =
        kernel_variant_is_simd(p->kernel, device) ? simd_lanes(device->vector_width_double, 8) : 1;
    l->program = "raytrace";
    l->entry_point = "raytrace";
    snprintf(l->build_options, sizeof l->build_options, "-DLANES=%u%s", lanes,
             p->values == SPHERE_RADIANCE ? " -DRADIANCE" : "");
    l->items_wide = ((size_t)p->size.width + lanes - 1) / lanes;
    launch_add_value(l, &width, sizeof width);
    launch_add_value(l, &height, sizeof height);
    launch_add_input(l, "the camera", p->packed_view, RAYTRACE_VIEW_LENGTH * sizeof(double),
                     p->view_generation);
    launch_add_input(l, "the spheres", p->packed_spheres,
                     (sphere_count ? sphere_count : 1) * RAYTRACE_SPHERE_STRIDE * sizeof(double),
                     p->scene_generation);
    launch_add_value(l, &sphere_count, sizeof sphere_count);
    launch_add_input(l, "the lights", p->packed_lights,
                     (light_count ? light_count : 1) * RAYTRACE_LIGHT_STRIDE * sizeof(double),
                     p->scene_generation);
    launch_add_value(l, &light_count, sizeof light_count);
    launch_add_value(l, &depth, sizeof depth);
    launch_add_value(l, &spp, sizeof spp);
    return 0;
}

void sphere_reference(const void *params, size_t frame, image *rows, size_t first_row) {
    (void)frame; /* one frame */
    const sphere_params *p = params;
    const uint64_t width = p->size.width, height = p->size.height;
    uint8_t *rgb = rows->pixels;
    if (p->mode == SPHERE_SCENE) {
        raytrace_reference(&p->scene, &p->frame, width, height, first_row, rows->height,
                           (uint32_t)p->depth, (uint32_t)p->spp,
                           p->values == SPHERE_RADIANCE ? NULL : rgb,
                           p->values == SPHERE_RADIANCE ? rows->pixels : NULL);
        return;
    }
    for (uint64_t y = first_row; y < first_row + rows->height; ++y)
        for (uint64_t x = 0; x < width; ++x) {
            uint8_t *pixel = rgb + 3 * ((y - first_row) * width + x);
            if (p->mode == SPHERE_PYCONDE)
                pyconde_pixel(x, y, width, height, pixel);
            else
                pyo3_pixel(x, y, width, height, pixel);
        }
}
