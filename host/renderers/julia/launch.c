/* The julia renderer's launch description and its output conversion. */
#include "engine/kernel_variant.h"
#include "kernels/julia_layout.h"
#include "renderers/julia/julia.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int julia_launch(const void *params, const device_entry *device, size_t frame, size_t pass,
                 launch *l, failure *f) {
    (void)frame, (void)pass, (void)f; /* one frame, one pass */
    const julia_params *p = params;
    const uint64_t width = p->size.width, height = p->size.height;
    const double reals[9] = {
        p->region[0],
        p->region[1],
        width > 1 ? (p->region[1] - p->region[0]) / (double)(width - 1) : 0.0,
        p->region[2],
        p->region[3],
        height > 1 ? (p->region[3] - p->region[2]) / (double)(height - 1) : 0.0,
        p->c[0],
        p->c[1],
        p->escape_radius * p->escape_radius,
    };
    const cl_uint width32 = (cl_uint)width, height32 = (cl_uint)height;
    const cl_uint max_iter = (cl_uint)p->iter_max, spp = (cl_uint)p->spp;

    const bool is_double = p->precision == PRECISION_DOUBLE;
    l->program = "julia";
    l->needs_fp64 = is_double;
    l->fp64_hint = "use --precision float";
    l->items_wide = (size_t)width;
    l->items_high = (size_t)height;
    l->rows_per_item = 1;
    if (kernel_variant_is_simd(p->kernel, device)) {
        /* 16 lanes: float16 blocks wait longer for their slowest pixel than float8 ones, yet
         * ran the blog zoom 12 % faster on an AVX-512 CPU that prefers float16. */
        unsigned lanes =
            simd_lanes(is_double ? device->vector_width_double : device->vector_width_float, 16);
        l->entry_point = "julia_simd";
        l->items_wide = ((size_t)width + lanes - 1) / lanes;
        l->items_high = ((size_t)height + JULIA_SIMD_ROWS - 1) / JULIA_SIMD_ROWS;
        l->rows_per_item = JULIA_SIMD_ROWS;
        snprintf(l->build_options, sizeof l->build_options, "%s -DLANES=%u%s%s",
                 is_double ? "-DJULIA_DOUBLE" : "", lanes, p->mandelbrot ? " -DMANDELBROT" : "",
                 p->smooth ? " -DSMOOTH" : "");
    } else {
        l->entry_point = "julia";
        snprintf(l->build_options, sizeof l->build_options, "%s%s%s",
                 is_double ? "-DJULIA_DOUBLE" : "", p->mandelbrot ? " -DMANDELBROT" : "",
                 p->smooth ? " -DSMOOTH" : "");
    }
    launch_add_value(l, &width32, sizeof width32);
    launch_add_value(l, &height32, sizeof height32);
    for (int i = 0; i < 9; ++i) {
        const cl_float narrow = (cl_float)reals[i];
        if (is_double)
            launch_add_value(l, &reals[i], sizeof reals[i]);
        else
            launch_add_value(l, &narrow, sizeof narrow);
    }
    launch_add_value(l, &max_iter, sizeof max_iter);
    launch_add_value(l, &spp, sizeof spp);
    return 0;
}

double julia_iterations(const void *params, size_t frame, const image *raw) {
    (void)frame; /* one frame */
    const julia_params *p = params;
    const size_t samples = raw->width * raw->height * raw->channels;
    double total = 0;
    if (p->smooth) {
        /* nu = n + 1 - log2(ln|z_n|) with ln R <= ln|z_n| < 2 ln R gives n back. */
        const double shift = log2(log(p->escape_radius)) - 1;
        const float *values = raw->pixels;
        for (size_t i = 0; i < samples; ++i)
            total += isinf(values[i]) ? (double)p->iter_max : fmax(ceil(values[i] + shift), 0) + 1;
        return total;
    }
    const uint32_t *counts = raw->pixels;
    for (size_t i = 0; i < samples; ++i)
        total += counts[i] < p->iter_max ? (double)counts[i] + 1 : (double)counts[i];
    return total;
}
