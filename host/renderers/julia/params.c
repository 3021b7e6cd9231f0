/* The julia renderer: its parameters, presets and defaults. */
#include "engine/kernel_variant.h"
#include "kernels/julia_layout.h"
#include "renderers/julia/julia.h"
#include "util/values.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int apply_preset(void *object, const char *value, char *why, size_t why_len) {
    julia_params *p = object;
    if (!strcmp(value, "blog-overview")) {
        p->size = (image_size){1000, 625};
        memcpy(p->region, (double[4]){-1.6, 1.6, -1.0, 1.0}, sizeof p->region);
        p->iter_min = 0, p->iter_max = 80;
        return 0;
    }
    if (!strcmp(value, "blog-zoom")) {
        p->size = (image_size){4000, 4000};
        memcpy(p->region, (double[4]){-0.1, 0.1, -0.1, 0.1}, sizeof p->region);
        p->iter_min = 20, p->iter_max = 100;
        return 0;
    }
    snprintf(why, why_len, "unknown preset (known: blog-overview, blog-zoom)");
    return -1;
}

static int check_region(const void *value, char *why, size_t why_len) {
    const double *r = value;
    if (!(r[0] < r[1])) {
        snprintf(why, why_len, "XMIN must be less than XMAX (got %g and %g)", r[0], r[1]);
        return -1;
    }
    if (!(r[2] < r[3])) {
        snprintf(why, why_len, "YMIN must be less than YMAX (got %g and %g)", r[2], r[3]);
        return -1;
    }
    return 0;
}

/* MIN:MAX or MAX: more than one value, so parsed here. */
static int apply_iter(void *object, const char *value, char *why, size_t why_len) {
    julia_params *p = object;
    const char *colon = strchr(value, ':');
    char reason[256];
    uint64_t lo = 0, hi = 0;
    if (colon) {
        char min_text[24];
        size_t n = (size_t)(colon - value);
        if (n >= sizeof min_text) {
            snprintf(why, why_len, "MIN is too long");
            return -1;
        }
        memcpy(min_text, value, n);
        min_text[n] = '\0';
        if (parse_uint(min_text, 0, JULIA_ITER_LIMIT - 1, &lo, reason, sizeof reason) != 0) {
            snprintf(why, why_len, "MIN: %s", reason);
            return -1;
        }
    }
    if (parse_uint(colon ? colon + 1 : value, 1, JULIA_ITER_LIMIT, &hi, reason, sizeof reason)) {
        snprintf(why, why_len, "MAX: %s", reason);
        return -1;
    }
    if (lo >= hi) {
        snprintf(why, why_len, "MIN (%llu) must be less than MAX (%llu)", (unsigned long long)lo,
                 (unsigned long long)hi);
        return -1;
    }
    p->iter_min = lo, p->iter_max = hi;
    return 0;
}

/* The escape test compares |z|^2 with R^2: R^2 must not underflow to zero. */
static int check_threshold(const void *value, char *why, size_t why_len) {
    double r = *(const double *)value;
    if (!(r * r > 0)) {
        snprintf(why, why_len,
                 "the escape radius %g is so small that its square underflows to 0 (R must be "
                 "at least 2.3e-162)",
                 r);
        return -1;
    }
    return 0;
}

static const char *const precision_names[] = {"double", "float", NULL};
static const char *const value_names[] = {"counts", "smooth", NULL};
static const char *const map_names[] = {"linear", "log", "histogram", NULL};
static const char *const bit_depth_names[] = {"8", "16", NULL};

/* R,G,B (0..255 each) or #RRGGBB. */
static int apply_inside(void *object, const char *value, char *why, size_t why_len) {
    julia_params *p = object;
    unsigned rgb[3];
    char end;
    if ((value[0] == '#' && strlen(value) == 7 &&
         sscanf(value + 1, "%2x%2x%2x%c", &rgb[0], &rgb[1], &rgb[2], &end) == 3 &&
         strspn(value + 1, "0123456789abcdefABCDEF") == 6) ||
        (sscanf(value, "%3u,%3u,%3u%c", &rgb[0], &rgb[1], &rgb[2], &end) == 3 &&
         strspn(value, "0123456789,") == strlen(value) && rgb[0] < 256 && rgb[1] < 256 &&
         rgb[2] < 256)) {
        for (int c = 0; c < 3; ++c)
            p->inside[c] = rgb[c];
        return 0;
    }
    snprintf(why, why_len, "expected R,G,B (each 0 to 255) or #RRGGBB");
    return -1;
}

/* The rows julia and mandelbrot share: the view, the iterations, the arithmetic. */
#define VIEW_AND_ITERATION_PARAMS                                                                  \
    PARAM_REALS("region", julia_params, region, 4, check_region, "XMIN,XMAX,YMIN,YMAX",            \
                "the part of the plane shown (default: the whole set)"),                           \
        PARAM_REALS("center", julia_params, center, 2, NULL, "X,Y",                                \
                    "the view's centre, instead of --region (default: the set's)"),                \
        PARAM_REAL("width", julia_params, view_width, 0, true, 1e300, NULL, "W",                   \
                   "the view's width in the plane; its height follows --size's aspect"),           \
        PARAM_REAL("zoom", julia_params, zoom, 0, true, 1e300, NULL, "Z",                          \
                   "magnification of the default view (its width divided by Z)"),                  \
        PARAM_FLAG("stretch", julia_params, stretch,                                               \
                   "draw a --region whose aspect differs from --size's without a warning"),        \
        PARAM_SIZE("size", julia_params, size, "image size in pixels (default 1000x625)"),         \
        PARAM_OTHER("iter", apply_iter, "MIN:MAX",                                                 \
                    "iteration limit MAX, gray 0 at or below MIN (default 0:80)"),                 \
        PARAM_REAL("threshold", julia_params, threshold, 0, true, 1e150, check_threshold, "R",     \
                   "escape radius: stop once |z| >= R (default 2)"),                               \
        PARAM_CHOICE("precision", julia_params, precision, precision_names, "P",                   \
                     "double or float (default double)"),                                          \
        PARAM_KERNEL(julia_params, kernel,                                                         \
                     "per-pixel, simd (a vector of pixels per work-item) or auto (simd on CPUs)"), \
        PARAM_UINT("spp", julia_params, spp, 1, JULIA_MAX_SPP, "N",                                \
                   "samples per pixel, stratified, averaged in the output's colours (default 1)"), \
        PARAM_TEXT("color", julia_params, color, "C",                                              \
                   "gray (the blog's, default), smooth (smooth values, ultra palette), "           \
                   "palette:NAME (ultra, fire, ice, viridis, rainbow, gray) or palette:FILE "      \
                   "(.map, .gpl)"),                                                                \
        PARAM_CHOICE("values", julia_params, values, value_names, "V",                             \
                     "counts (default) or smooth: nu = n + 1 - log2(ln|z|), float32, +inf "        \
                     "inside; escape radius 256 unless --threshold"),                              \
        PARAM_CHOICE("map", julia_params, map, map_names, "M",                                     \
                     "linear, log or histogram: how values spread over the colours (default "      \
                     "linear for gray, log for palettes)"),                                        \
        PARAM_OTHER("inside", apply_inside, "COLOR",                                               \
                    "colour of points inside the set: R,G,B or #RRGGBB (default black; gray: "     \
                    "white, as the blog)"),                                                        \
        PARAM_REAL("palette-offset", julia_params, palette_offset, -1e6, false, 1e6, NULL, "F",    \
                   "shift along the palette, in palette lengths (default 0)"),                     \
        PARAM_REAL("palette-cycles", julia_params, palette_cycles, 0, true, 1e6, NULL, "K",        \
                   "times the palette repeats from MIN to MAX (default 1)"),                       \
        PARAM_CHOICE("bit-depth", julia_params, bit_depth, bit_depth_names, "B",                   \
                     "8 or 16 bits per sample in PNG, PGM and PPM (default 8)")

static const param_spec julia_params_table[] = {
    {.name = "preset",
     .type = CLR_PARAM_OTHER,
     .apply = apply_preset,
     .metavar = "NAME",
     .help = "blog-overview (1000x625) or blog-zoom (4000x4000, iter 20:100)",
     .early = true},
    PARAM_REALS("c", julia_params, c, 2, NULL, "RE,IM",
                "the constant c of z^2 + c (default -0.835,-0.2321)"),
    VIEW_AND_ITERATION_PARAMS,
};

static const param_spec mandelbrot_params_table[] = {VIEW_AND_ITERATION_PARAMS};

static void julia_init(void *params) {
    julia_params *p = params;
    *p = (julia_params){.c = {-0.835, -0.2321},
                        .region = {-1.6, 1.6, -1.0, 1.0},
                        .size = {1000, 625},
                        .iter_min = 0,
                        .iter_max = 80,
                        .threshold = 2.0,
                        .escape_radius = 2.0,
                        .precision = PRECISION_DOUBLE,
                        .kernel = KERNEL_AUTO,
                        .default_width = 3.2,
                        .spp = 1,
                        .palette_cycles = 1};
}

/* The whole Mandelbrot set, centred at -0.75, 3.5 wide at the default 1000x625. */
static void mandelbrot_init(void *params) {
    julia_params *p = params;
    julia_init(p);
    p->mandelbrot = 1;
    p->default_width = 3.5;
    p->center[0] = -0.75;
    memcpy(p->region, (double[4]){-2.5, 1.0, -1.09375, 1.09375}, sizeof p->region);
}

/* Denormal numbers (below the smallest normal) are flushed to zero by many devices (GPUs,
 * CPUs in fast-math modes), while the reference keeps them: refused, with the reason. */
static int check_normal(const char *what, double value, int is_float, failure *f) {
    const double smallest = is_float ? (double)FLT_MIN : DBL_MIN;
    double narrowed = is_float ? (double)(float)value : value;
    if (value == 0 || fabs(narrowed) >= smallest)
        return 0;
    return failure_set(f, CLR_USAGE_ERROR,
                       "julia: %s is %g, below the smallest normal %s (%g), which devices may "
                       "flush to zero; %s",
                       what, value, is_float ? "float" : "double", smallest,
                       is_float ? "use --precision double or larger values" : "use larger values");
}

/* The view: --center with --width or --zoom give the region, its height from the image's
 * aspect (width x H / W, as the default view's 3.2 x 2 at 1000x625); a --region whose aspect
 * differs from the image's stretches the picture, which is said unless --stretch. */
static int julia_view(julia_params *p, const renderer_context *context, char *warning,
                      size_t warning_size, failure *f) {
    const renderer *r = p->mandelbrot ? &mandelbrot_renderer : &julia_renderer;
    const bool by_centre = renderer_was_set(r, context, "center") ||
                           renderer_was_set(r, context, "width") ||
                           renderer_was_set(r, context, "zoom");
    const double aspect = (double)p->size.height / (double)p->size.width;
    if (by_centre) {
        if (renderer_was_set(r, context, "region"))
            return failure_set(f, CLR_USAGE_ERROR,
                               "%s: give the view as --region or as --center with --width or "
                               "--zoom, not both",
                               r->name);
        if (renderer_was_set(r, context, "width") && renderer_was_set(r, context, "zoom"))
            return failure_set(f, CLR_USAGE_ERROR,
                               "%s: give --width or --zoom, not both (zoom Z is width %g/Z)",
                               r->name, p->default_width);
        const double width = p->view_width > 0 ? p->view_width
                             : p->zoom > 0     ? p->default_width / p->zoom
                                               : p->default_width;
        const double height = width * aspect;
        p->region[0] = p->center[0] - width / 2, p->region[1] = p->center[0] + width / 2;
        p->region[2] = p->center[1] - height / 2, p->region[3] = p->center[1] + height / 2;
        if (!(p->region[0] < p->region[1] && p->region[2] < p->region[3]) ||
            !isfinite(p->region[0] + p->region[1] + p->region[2] + p->region[3]))
            return failure_set(f, CLR_USAGE_ERROR,
                               "%s: --center %g,%g with width %g gives no region that double "
                               "precision can hold",
                               r->name, p->center[0], p->center[1], width);
        return 0;
    }
    const double region_aspect = (p->region[3] - p->region[2]) / (p->region[1] - p->region[0]);
    if (!p->stretch && fabs(region_aspect / aspect - 1) > 0.01)
        snprintf(warning, warning_size,
                 "%s: the region is %.4g high for %.4g wide, the image %llu for %llu: the "
                 "picture is stretched %.3gx vertically (--stretch says it is meant; --center "
                 "with --width keeps the aspect)",
                 r->name, p->region[3] - p->region[2], p->region[1] - p->region[0],
                 (unsigned long long)p->size.height, (unsigned long long)p->size.width,
                 aspect / region_aspect);
    return 0;
}

/* Neighbouring pixels must be distinct numbers: a step below a few units in the last place
 * of the coordinates renders rounding noise, not the set. */
static int check_resolution(const char *name, const char *axis, double lo, double hi, double step,
                            int is_float, failure *f) {
    const double epsilon = is_float ? (double)FLT_EPSILON : DBL_EPSILON;
    const double largest = fmax(fabs(lo), fabs(hi)), resolvable = 4 * epsilon * largest;
    if (step == 0 || step >= resolvable)
        return 0;
    return failure_set(f, CLR_USAGE_ERROR,
                       "%s: the %s step between pixels, %.3g, is below what %s resolves "
                       "at %.3g (about %.3g): the picture would be rounding noise; %s",
                       name, axis, step, is_float ? "float" : "double", largest, resolvable,
                       is_float ? "use --precision double, or a wider view"
                                : "use a wider view (fewer pixels or a larger --width)");
}

/* What --color, --values, --map, --inside and --threshold together ask for. */
static int julia_colour(julia_params *p, const renderer_context *context, failure *f) {
    const renderer *r = p->mandelbrot ? &mandelbrot_renderer : &julia_renderer;
    julia_colour_release(p);
    const char *color = p->color ? p->color : "gray";
    const bool smooth_colour = !strcmp(color, "smooth");
    if (!strcmp(color, "gray")) {
        p->colour_mode = COLOUR_GRAY;
    } else if (smooth_colour || !strncmp(color, "palette:", 8)) {
        p->colour_mode = COLOUR_PALETTE;
        if (palette_from_spec(smooth_colour ? palette_builtin_names[0] : color + 8, &p->pal, f)) {
            char reason[sizeof f->message];
            memcpy(reason, f->message, sizeof reason);
            return failure_set(f, f->status, "%s: --color: %s", r->name, reason);
        }
    } else {
        char shown[TEXT_SHOWN_SIZE];
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s: --color '%s' is unknown; use gray, smooth, palette:NAME or "
                           "palette:FILE",
                           r->name, text_shown(color, shown));
    }
    if (smooth_colour && renderer_was_set(r, context, "values") && p->values == VALUES_COUNTS)
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s: --color smooth colours smooth values, not --values counts",
                           r->name);
    p->smooth = smooth_colour || p->values == VALUES_SMOOTH;
    p->map_used = renderer_was_set(r, context, "map") ? p->map
                  : p->colour_mode == COLOUR_PALETTE  ? MAP_LOG
                                                      : MAP_LINEAR;
    p->inside_set = renderer_was_set(r, context, "inside");
    if (p->inside_set && p->colour_mode == COLOUR_GRAY &&
        !(p->inside[0] == p->inside[1] && p->inside[1] == p->inside[2]))
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s: --inside %g,%g,%g is not gray, and --color gray draws gray "
                           "levels; give R = G = B or a palette",
                           r->name, p->inside[0], p->inside[1], p->inside[2]);
    p->escape_radius = renderer_was_set(r, context, "threshold") || !p->smooth
                           ? p->threshold
                           : JULIA_SMOOTH_RADIUS;
    return julia_colour_prepare(p, f);
}

static void julia_release(void *params) {
    julia_colour_release(params);
}

static int julia_finish(void *params, const renderer_context *context, failure *f) {
    julia_params *p = params;
    char warning[256] = "";
    if (julia_view(p, context, warning, sizeof warning, f) != 0 || julia_colour(p, context, f) != 0)
        return f->status;
    const char *name = p->mandelbrot ? "mandelbrot" : "julia";
    const int is_float = p->precision == PRECISION_FLOAT;
    const uint64_t w = p->size.width, h = p->size.height;
    const double x_step = w > 1 ? (p->region[1] - p->region[0]) / (double)(w - 1) : 0;
    const double y_step = h > 1 ? (p->region[3] - p->region[2]) / (double)(h - 1) : 0;
    static const char *const region_names[4] = {"XMIN of --region", "XMAX of --region",
                                                "YMIN of --region", "YMAX of --region"};
    for (int i = 0; i < 4; ++i)
        if (check_normal(region_names[i], p->region[i], is_float, f) != 0)
            return f->status;
    if ((!p->mandelbrot &&
         (check_normal("the real part of --c", p->c[0], is_float, f) != 0 ||
          check_normal("the imaginary part of --c", p->c[1], is_float, f) != 0)) ||
        check_normal("the column step of --region", x_step, is_float, f) != 0 ||
        check_normal("the row step of --region", y_step, is_float, f) != 0 ||
        check_normal("R^2, the square of --threshold", p->escape_radius * p->escape_radius,
                     is_float, f) ||
        check_resolution(name, "column", p->region[0], p->region[1], x_step, is_float, f) ||
        check_resolution(name, "row", p->region[2], p->region[3], y_step, is_float, f))
        return f->status;
    if (warning[0]) /* only for a request that is otherwise fine */
        context->warn(context->user, warning);
    return 0;
}

static void julia_layout(const void *params, clr_layout *layout) {
    const julia_params *p = params;
    *layout = (clr_layout){.frames = 1,
                           .height = (size_t)p->size.height,
                           .width = (size_t)p->size.width,
                           .channels = (size_t)p->spp,
                           .sample = p->smooth ? CLR_SAMPLE_F32 : CLR_SAMPLE_U32};
}

/* Defined in launch.c */
int julia_launch(const void *params, const device_entry *device, size_t frame, size_t pass,
                 launch *l, failure *f);
double julia_iterations(const void *params, size_t frame, const image *raw);

static const char *const julia_kernel_variants[] = {
    "precision=double kernel=per-pixel",
    "precision=float kernel=per-pixel",
    "precision=double kernel=simd",
    "precision=float kernel=simd",
    "precision=double kernel=per-pixel values=smooth spp=4",
    "precision=float kernel=simd values=smooth spp=4",
    NULL};

/* Counts are verified exactly (integers from the same arithmetic); smooth values within the
 * rounding of the logarithms, whose last bits differ between OpenCL's and C's libraries:
 * about 2 float units in the last place of nu, and 1e-5 near zero. */
static void julia_verify_rule(const void *params, verify_rule *rule) {
    const julia_params *p = params;
    if (p->smooth)
        *rule = (verify_rule){.unit = "value", .absolute = 1e-5, .relative = 5e-7};
}

/* What julia and mandelbrot share: one parameter struct, kernel, reference and outputs. */
#define ESCAPE_TIME_HOOKS                                                                          \
    .params_size = sizeof(julia_params),                                                           \
    .verify = {.unit = "count", .integer = true, .levels = 0},                                     \
    .verify_rule_for = julia_verify_rule, .finish = julia_finish, .release = julia_release,        \
    .output_whole_frames = julia_output_whole_frames, .layout = julia_layout,                      \
    .launch = julia_launch, .reference = julia_reference, .iterations = julia_iterations,          \
    .output_layout = julia_output_layout, .to_output = julia_to_output

const renderer julia_renderer = {
    .name = "julia",
    .summary = "the filled Julia set of z^2 + c, by escape time",
    .notes = "Sample points are numpy.linspace over the region, both ends included; row 0 is the\n"
             "top (y = YMAX). A point's count is the first iteration at which |z| >= R, or MAX.\n"
             "PNG and PGM hold the gray level floor(255*(max(n,MIN)-MIN)/(MAX-MIN)); .npy holds\n"
             "the counts themselves (uint16, or uint32 when MAX > 65535), shape (H, W).\n",
    .params = julia_params_table,
    .param_count = sizeof julia_params_table / sizeof julia_params_table[0],
    .kernel_variants = julia_kernel_variants,
    .init = julia_init,
    ESCAPE_TIME_HOOKS,
};

static const char *const mandelbrot_kernel_variants[] = {
    "precision=double kernel=per-pixel", "precision=float kernel=simd",
    "precision=double kernel=simd values=smooth", NULL};

/* The same loop with z from 0 and c the pixel: the same kernels built with -DMANDELBROT. */
const renderer mandelbrot_renderer = {
    .name = "mandelbrot",
    .summary = "the Mandelbrot set, by escape time (julia's options, z from 0, c the pixel)",
    .notes = "The default view is the whole set: --center -0.75,0 --width 3.5 (--region\n"
             "-2.5,1,-1.09375,1.09375 at 1000x625). Sampling, counts, gray levels and .npy as for\n"
             "julia: a point's count is the first iteration at which |z| >= R, z starting at 0.\n",
    .params = mandelbrot_params_table,
    .param_count = sizeof mandelbrot_params_table / sizeof mandelbrot_params_table[0],
    .kernel_variants = mandelbrot_kernel_variants,
    .init = mandelbrot_init,
    ESCAPE_TIME_HOOKS,
};
