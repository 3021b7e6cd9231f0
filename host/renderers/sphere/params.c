/* The sphere renderer: its parameters, presets, scene loading and packing. */
#define _POSIX_C_SOURCE 200809L
#include "engine/kernel_variant.h"
#include "kernels/raytrace_layout.h"
#include "renderers/sphere/sphere.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const preset_names[] = {"scene", "pyconde", "pyo3"}; /* by sphere_mode */

static int apply_preset(void *object, const char *value, char *why, size_t why_len) {
    sphere_params *p = object;
    if (!strcmp(value, "pyconde"))
        p->mode = SPHERE_PYCONDE, p->size = (image_size){800, 600};
    else if (!strcmp(value, "pyo3"))
        p->mode = SPHERE_PYO3, p->size = (image_size){80, 60};
    else {
        snprintf(why, why_len, "unknown preset (known: pyconde, pyo3)");
        return -1;
    }
    return 0;
}

static const char *const value_names[] = {"srgb", "radiance", NULL};

static const param_spec sphere_params_table[] = {
    {.name = "preset",
     .type = CLR_PARAM_OTHER,
     .apply = apply_preset,
     .metavar = "NAME",
     .help = "pyconde (800x600) or pyo3 (80x60): the seeds' one-sphere shaders",
     .early = true},
    PARAM_TEXT("scene", sphere_params, scene_path, "FILE",
               "a JSON scene (default: the built-in scene)"),
    PARAM_SIZE("size", sphere_params, size,
               "image size in pixels (default 960x540, or the preset's)"),
    PARAM_UINT("depth", sphere_params, depth, 0, SPHERE_MAX_DEPTH, "N",
               "mirror reflections followed per ray, 0 to 64 (default 4)"),
    PARAM_UINT("spp", sphere_params, spp, 1, SPHERE_MAX_SPP, "N",
               "samples per pixel, 1 to 4096 (default 4)"),
    PARAM_KERNEL(sphere_params, kernel,
                 "per-pixel, simd (a row of up to 8 pixels per work-item) or auto (simd on CPUs)"),
    PARAM_CHOICE("values", sphere_params, values, value_names, "V",
                 "srgb (8-bit sRGB, default) or radiance (linear float RGB, for .exr and .npy)"),
};

static void sphere_init(void *params) {
    sphere_params *p = params;
    memset(p, 0, sizeof *p);
    p->mode = SPHERE_SCENE;
    p->size = (image_size){960, 540};
    p->depth = 4, p->spp = 4;
    p->kernel = KERNEL_AUTO;
}

static void free_packed(sphere_params *p) {
    free(p->packed_view);
    free(p->packed_spheres);
    free(p->packed_lights);
    p->packed_view = p->packed_spheres = p->packed_lights = NULL;
}

static void sphere_release(void *params) {
    sphere_params *p = params;
    scene_free(&p->scene);
    free_packed(p);
    free(p->loaded_path);
    p->loaded_path = NULL;
}

static void put3(double *out, vec3 v) {
    out[0] = v.x, out[1] = v.y, out[2] = v.z;
}

/* Lays the scene's spheres and lights out for the kernel (kernels/raytrace_layout.h). */
static int pack_scene(sphere_params *p, failure *f) {
    const scene *s = &p->scene;
    free(p->packed_spheres);
    free(p->packed_lights);
    /* OpenCL buffers cannot be empty: keep one record even for none. */
    p->packed_spheres =
        calloc((s->sphere_count ? s->sphere_count : 1) * RAYTRACE_SPHERE_STRIDE, sizeof(double));
    p->packed_lights =
        calloc((s->light_count ? s->light_count : 1) * RAYTRACE_LIGHT_STRIDE, sizeof(double));
    if (!p->packed_spheres || !p->packed_lights)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory packing the scene");
    for (size_t i = 0; i < s->sphere_count; ++i) {
        const scene_sphere *sphere = &s->spheres[i];
        double *out = p->packed_spheres + RAYTRACE_SPHERE_STRIDE * i;
        put3(out + RAYTRACE_SPHERE_CENTER, sphere->center);
        out[RAYTRACE_SPHERE_RADIUS] = sphere->radius;
        put3(out + RAYTRACE_SPHERE_DIFFUSE, sphere->material.diffuse);
        out[RAYTRACE_SPHERE_SPECULAR] = sphere->material.specular;
        out[RAYTRACE_SPHERE_SHININESS] = sphere->material.shininess;
        out[RAYTRACE_SPHERE_REFLECTIVITY] = sphere->material.reflectivity;
    }
    for (size_t i = 0; i < s->light_count; ++i) {
        double *out = p->packed_lights + RAYTRACE_LIGHT_STRIDE * i;
        put3(out + RAYTRACE_LIGHT_POSITION, s->lights[i].position);
        put3(out + RAYTRACE_LIGHT_RADIANCE, v3_scale(s->lights[i].color, s->lights[i].intensity));
    }
    ++p->scene_generation;
    return 0;
}

/* The camera and the constant colours, which depend on the image's proportions too. */
static int pack_view(sphere_params *p, failure *f) {
    if (!p->packed_view && !(p->packed_view = calloc(RAYTRACE_VIEW_LENGTH, sizeof(double))))
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory packing the scene");
    double *view = p->packed_view;
    put3(view + RAYTRACE_VIEW_ORIGIN, p->frame.origin);
    put3(view + RAYTRACE_VIEW_CORNER, p->frame.corner);
    put3(view + RAYTRACE_VIEW_RIGHT, p->frame.right);
    put3(view + RAYTRACE_VIEW_DOWN, p->frame.down);
    put3(view + RAYTRACE_VIEW_AMBIENT, p->scene.ambient);
    put3(view + RAYTRACE_VIEW_BACKGROUND, p->scene.background);
    ++p->view_generation;
    return 0;
}

/* Loads the scene unless it is the one already loaded: renders of one session that change
 * only the size or the samples read the file once. */
static int load_scene(sphere_params *p, const renderer_context *context, failure *f) {
    const char *wanted = p->scene_path ? p->scene_path : "";
    if (p->loaded_path && !strcmp(p->loaded_path, wanted))
        return 0;
    free(p->loaded_path);
    p->loaded_path = NULL;
    scene_free(&p->scene);
    int status = p->scene_path
                     ? scene_load(p->scene_path, &p->scene, context->warn, context->user, f)
                     : scene_load_builtin("default", &p->scene, context->warn, context->user, f);
    if (status == 0)
        status = pack_scene(p, f);
    if (status == 0 && !(p->loaded_path = strdup(wanted)))
        status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory loading the scene");
    return status;
}

static int sphere_finish(void *params, const renderer_context *context, failure *f) {
    sphere_params *p = params;
    if (p->mode != SPHERE_SCENE) {
        static const char *const scene_only[] = {"scene", "depth", "spp", "kernel", "values"};
        for (size_t i = 0; i < sizeof scene_only / sizeof scene_only[0]; ++i)
            if (renderer_was_set(&sphere_renderer, context, scene_only[i]))
                return failure_set(f, CLR_USAGE_ERROR,
                                   "sphere: --%s does not apply to --preset %s, which is a fixed "
                                   "one-sphere shader (see 'clrender sphere --help')",
                                   scene_only[i], preset_names[p->mode]);
        return 0;
    }
    if (load_scene(p, context, f) != 0 ||
        camera_frame_make(&p->scene, (size_t)p->size.width, (size_t)p->size.height, &p->frame, f) !=
            0)
        return f->status;
    return pack_view(p, f);
}

static void sphere_layout(const void *params, clr_layout *layout) {
    const sphere_params *p = params;
    *layout = (clr_layout){.frames = 1,
                           .height = (size_t)p->size.height,
                           .width = (size_t)p->size.width,
                           .channels = 3,
                           .sample = p->values == SPHERE_RADIANCE ? CLR_SAMPLE_F32 : CLR_SAMPLE_U8};
}

/* Radiance is compared within the rounding of the two sides' libraries (pow, sqrt), which
 * the sRGB bytes hide in their one level. */
static void sphere_verify_rule(const void *params, verify_rule *rule) {
    const sphere_params *p = params;
    if (p->values == SPHERE_RADIANCE)
        *rule = (verify_rule){.unit = "radiance", .absolute = 1e-6, .relative = 1e-5};
}

/* Defined in launch.c */
int sphere_launch(const void *params, const device_entry *device, size_t frame, size_t pass,
                  launch *l, failure *f);
void sphere_reference(const void *params, size_t frame, image *rows, size_t first_row);

static const char *const sphere_kernel_variants[] = {"preset=pyconde",
                                                     "preset=pyo3",
                                                     "kernel=per-pixel",
                                                     "kernel=simd",
                                                     "kernel=per-pixel values=radiance",
                                                     "kernel=simd values=radiance",
                                                     NULL};

const renderer sphere_renderer = {
    .name = "sphere",
    .summary = "ray-traced spheres: the seeds' one-sphere shaders, or a scene",
    .notes = "Without --preset, renders a JSON scene (--scene FILE; schema in README.md) or the\n"
             "built-in one: Lambert + Phong shading, hard shadows, mirror reflections, --spp\n"
             "samples per pixel on a stratified pattern, sRGB output. .npy holds uint8 RGB,\n"
             "shape (H, W, 3); with --values radiance float32 linear RGB (.npy, .exr). --verify "
             "counts a pixel as differing when a channel is off by\n"
             "more than 1 level.\n",
    .params = sphere_params_table,
    .param_count = sizeof sphere_params_table / sizeof sphere_params_table[0],
    .params_size = sizeof(sphere_params),
    .kernel_variants = sphere_kernel_variants,
    .verify = {.unit = "channel level", .integer = true, .levels = 1},
    .verify_rule_for = sphere_verify_rule,
    .init = sphere_init,
    .finish = sphere_finish,
    .release = sphere_release,
    .layout = sphere_layout,
    .launch = sphere_launch,
    .reference = sphere_reference,
};
