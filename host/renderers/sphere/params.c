/* The sphere command: its options, presets, scene loading and launch description. */
#include "renderers/sphere/sphere.h"
#include "util/values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIDE 2147483647u

static int apply_preset(void *target, const char *value, char *why, size_t why_len) {
    sphere_params *p = target;
    if (!strcmp(value, "pyconde"))
        p->mode = SPHERE_PYCONDE, p->width = 800, p->height = 600;
    else if (!strcmp(value, "pyo3"))
        p->mode = SPHERE_PYO3, p->width = 80, p->height = 60;
    else {
        snprintf(why, why_len, "unknown preset (known: pyconde, pyo3)");
        return -1;
    }
    p->preset_name = value;
    return 0;
}

static int apply_scene(void *target, const char *value, char *why, size_t why_len) {
    if (!*value) {
        snprintf(why, why_len, "empty file name");
        return -1;
    }
    ((sphere_params *)target)->scene_path = value;
    return 0;
}

static int apply_size(void *target, const char *value, char *why, size_t why_len) {
    sphere_params *p = target;
    return parse_size(value, MAX_SIDE, &p->width, &p->height, why, why_len);
}

static int apply_depth(void *target, const char *value, char *why, size_t why_len) {
    sphere_params *p = target;
    p->depth_set = 1;
    return parse_uint(value, 0, SPHERE_MAX_DEPTH, &p->depth, why, why_len);
}

static int apply_spp(void *target, const char *value, char *why, size_t why_len) {
    sphere_params *p = target;
    p->spp_set = 1;
    return parse_uint(value, 1, SPHERE_MAX_SPP, &p->spp, why, why_len);
}

static int apply_kernel(void *target, const char *value, char *why, size_t why_len) {
    sphere_params *p = target;
    p->kernel_set = 1;
    return parse_kernel_variant(value, &p->kernel, why, why_len);
}

static const cli_option sphere_options[] = {
    {"--preset", 0, "NAME", "pyconde (800x600) or pyo3 (80x60): the seeds' one-sphere shaders",
     apply_preset, -1},
    {"--scene", 0, "FILE", "a JSON scene (default: the built-in scene)", apply_scene, 0},
    {"--size", 0, "WxH", "image size in pixels (default 960x540, or the preset's)", apply_size, 0},
    {"--depth", 0, "N", "mirror reflections followed per ray, 0 to 64 (default 4)", apply_depth, 0},
    {"--spp", 0, "N", "samples per pixel, 1 to 4096 (default 4)", apply_spp, 0},
    {"--kernel", 0, "K", "per-pixel, simd (8 pixels per work-item) or auto (simd on CPUs)",
     apply_kernel, 0},
};

static void sphere_init(void *params) {
    sphere_params *p = params;
    memset(p, 0, sizeof *p);
    p->mode = SPHERE_SCENE;
    p->width = 960, p->height = 540;
    p->depth = 4, p->spp = 4;
}

static void sphere_release(void *params) {
    sphere_params *p = params;
    scene_free(&p->scene);
    free(p->packed_view);
    free(p->packed_spheres);
    free(p->packed_lights);
    p->packed_view = p->packed_spheres = p->packed_lights = NULL;
}

static void put3(double *out, vec3 v) {
    out[0] = v.x, out[1] = v.y, out[2] = v.z;
}

/* Lays the scene out in the kernel's buffers (strides in sphere.h). */
static int pack_scene(sphere_params *p, failure *f) {
    const scene *s = &p->scene;
    p->packed_view = calloc(RAYTRACE_VIEW_LENGTH, sizeof(double));
    /* OpenCL buffers cannot be empty: keep one record even for none. */
    p->packed_spheres =
        calloc((s->sphere_count ? s->sphere_count : 1) * RAYTRACE_SPHERE_STRIDE, sizeof(double));
    p->packed_lights =
        calloc((s->light_count ? s->light_count : 1) * RAYTRACE_LIGHT_STRIDE, sizeof(double));
    if (!p->packed_view || !p->packed_spheres || !p->packed_lights)
        return failure_set(f, CLR_EXIT_RUNTIME, "out of memory packing the scene");
    put3(p->packed_view, p->frame.origin);
    put3(p->packed_view + 3, p->frame.corner);
    put3(p->packed_view + 6, p->frame.right);
    put3(p->packed_view + 9, p->frame.down);
    put3(p->packed_view + 12, s->ambient);
    put3(p->packed_view + 15, s->background);
    for (size_t i = 0; i < s->sphere_count; ++i) {
        const scene_sphere *sphere = &s->spheres[i];
        double *out = p->packed_spheres + RAYTRACE_SPHERE_STRIDE * i;
        put3(out, sphere->center);
        out[3] = sphere->radius;
        put3(out + 4, sphere->material.diffuse);
        out[7] = sphere->material.specular;
        out[8] = sphere->material.shininess;
        out[9] = sphere->material.reflectivity;
    }
    for (size_t i = 0; i < s->light_count; ++i) {
        double *out = p->packed_lights + RAYTRACE_LIGHT_STRIDE * i;
        put3(out, s->lights[i].position);
        put3(out + 3, v3_scale(s->lights[i].color, s->lights[i].intensity));
    }
    return 0;
}

static int sphere_finish(void *params, failure *f) {
    sphere_params *p = params;
    if (p->mode != SPHERE_SCENE) {
        const char *extra = p->scene_path   ? "--scene"
                            : p->depth_set  ? "--depth"
                            : p->spp_set    ? "--spp"
                            : p->kernel_set ? "--kernel"
                                            : NULL;
        if (extra)
            return failure_set(f, CLR_EXIT_USAGE,
                               "sphere: %s does not apply to --preset %s, which is a fixed "
                               "one-sphere shader (see 'clrender sphere --help')",
                               extra, p->preset_name);
        return 0;
    }
    int status = p->scene_path ? scene_load(p->scene_path, &p->scene, stderr, f)
                               : scene_load_builtin("default", &p->scene, stderr, f);
    if (status == 0)
        status = camera_frame_make(&p->scene, (size_t)p->width, (size_t)p->height, &p->frame, f);
    if (status == 0)
        status = pack_scene(p, f);
    return status;
}

static void sphere_raw_layout(const void *params, size_t *width, size_t *height, unsigned *channels,
                              sample_type *sample) {
    const sphere_params *p = params;
    *width = (size_t)p->width;
    *height = (size_t)p->height;
    *channels = 3;
    *sample = SAMPLE_U8;
}

static int sphere_prepare(const void *params, const device_entry *device, dispatch_request *request,
                          failure *f) {
    const sphere_params *p = params;
    if (!device->fp64)
        return failure_set(f, CLR_EXIT_RUNTIME,
                           "%s has no double-precision (fp64) support, which sphere needs; choose "
                           "another device with --device",
                           device->name);
    const cl_uint width = (cl_uint)p->width, height = (cl_uint)p->height;
    request->width = (size_t)p->width;
    request->height = (size_t)p->height;
    if (p->mode != SPHERE_SCENE) {
        request->program = "sphere_seeds";
        request->entry_point = p->mode == SPHERE_PYCONDE ? "pyconde" : "pyo3";
        dispatch_add_arg(request, &width, sizeof width);
        dispatch_add_arg(request, &height, sizeof height);
        return 0;
    }
    const scene *s = &p->scene;
    const cl_uint sphere_count = (cl_uint)s->sphere_count, light_count = (cl_uint)s->light_count;
    const cl_uint depth = (cl_uint)p->depth, spp = (cl_uint)p->spp;
    const bool simd = kernel_variant_is_simd(p->kernel, device);
    request->program = "raytrace";
    request->entry_point = simd ? "raytrace_simd" : "raytrace";
    if (simd)
        request->width = (size_t)(p->width + RAYTRACE_SIMD_LANES - 1) / RAYTRACE_SIMD_LANES;
    dispatch_add_arg(request, &width, sizeof width);
    dispatch_add_arg(request, &height, sizeof height);
    dispatch_add_input(request, p->packed_view, RAYTRACE_VIEW_LENGTH * sizeof(double));
    dispatch_add_input(request, p->packed_spheres,
                       (sphere_count ? sphere_count : 1) * RAYTRACE_SPHERE_STRIDE * sizeof(double));
    dispatch_add_arg(request, &sphere_count, sizeof sphere_count);
    dispatch_add_input(request, p->packed_lights,
                       (light_count ? light_count : 1) * RAYTRACE_LIGHT_STRIDE * sizeof(double));
    dispatch_add_arg(request, &light_count, sizeof light_count);
    dispatch_add_arg(request, &depth, sizeof depth);
    dispatch_add_arg(request, &spp, sizeof spp);
    return 0;
}

static void sphere_reference(const void *params, image *rows, size_t first_row) {
    const sphere_params *p = params;
    uint8_t *rgb = rows->pixels;
    if (p->mode == SPHERE_SCENE) {
        raytrace_reference(&p->scene, &p->frame, p->width, p->height, first_row, rows->height,
                           (uint32_t)p->depth, (uint32_t)p->spp, rgb);
        return;
    }
    for (uint64_t y = first_row; y < first_row + rows->height; ++y)
        for (uint64_t x = 0; x < p->width; ++x) {
            uint8_t *pixel = rgb + 3 * ((y - first_row) * p->width + x);
            if (p->mode == SPHERE_PYCONDE)
                pyconde_pixel(x, y, p->width, p->height, pixel);
            else
                pyo3_pixel(x, y, p->width, p->height, pixel);
        }
}

static int sphere_to_output(const void *params, const image *raw, output_format format, image *out,
                            failure *f) {
    (void)params, (void)format;
    if (image_alloc(out, raw->width, raw->height, 3, SAMPLE_U8, f) != 0)
        return f->code;
    memcpy(out->pixels, raw->pixels, raw->width * raw->height * 3);
    return 0;
}

static const char *const sphere_kernel_variants[] = {"--preset pyconde", "--preset pyo3",
                                                     "--kernel per-pixel", "--kernel simd", NULL};

const renderer sphere_renderer = {
    .name = "sphere",
    .summary = "ray-traced spheres: the seeds' one-sphere shaders, or a scene",
    .notes = "Without --preset, renders a JSON scene (--scene FILE; schema in README.md) or the\n"
             "built-in one: Lambert + Phong shading, hard shadows, mirror reflections, --spp\n"
             "samples per pixel on a stratified pattern, sRGB output. .npy holds uint8 RGB,\n"
             "shape (H, W, 3). --verify counts a pixel as differing when a channel is off by\n"
             "more than 1 level.\n",
    .options = sphere_options,
    .option_count = sizeof sphere_options / sizeof sphere_options[0],
    .params_size = sizeof(sphere_params),
    .kernel_variants = sphere_kernel_variants,
    .difference_unit = "channel level",
    .sample_tolerance = 1,
    .init = sphere_init,
    .finish = sphere_finish,
    .release = sphere_release,
    .raw_layout = sphere_raw_layout,
    .prepare = sphere_prepare,
    .reference = sphere_reference,
    .to_output = sphere_to_output,
};
