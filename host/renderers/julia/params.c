/* The julia renderer: its parameters, presets and defaults. */
#include "engine/kernel_variant.h"
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

static const param_spec julia_params_table[] = {
    {.name = "preset",
     .type = CLR_PARAM_OTHER,
     .apply = apply_preset,
     .metavar = "NAME",
     .help = "blog-overview (1000x625) or blog-zoom (4000x4000, iter 20:100)",
     .early = true},
    PARAM_REALS("c", julia_params, c, 2, NULL, "RE,IM",
                "the constant c of z^2 + c (default -0.835,-0.2321)"),
    PARAM_REALS("region", julia_params, region, 4, check_region, "XMIN,XMAX,YMIN,YMAX",
                "the part of the plane shown (default -1.6,1.6,-1,1)"),
    PARAM_SIZE("size", julia_params, size, "image size in pixels (default 1000x625)"),
    PARAM_OTHER("iter", apply_iter, "MIN:MAX",
                "iteration limit MAX, gray 0 at or below MIN (default 0:80)"),
    PARAM_REAL("threshold", julia_params, threshold, 0, true, 1e150, check_threshold, "R",
               "escape radius: stop once |z| >= R (default 2)"),
    PARAM_CHOICE("precision", julia_params, precision, precision_names, "P",
                 "double or float (default double)"),
    PARAM_KERNEL(julia_params, kernel,
                 "per-pixel, simd (a vector of pixels per work-item) or auto (simd on CPUs)"),
};

static void julia_init(void *params) {
    julia_params *p = params;
    *p = (julia_params){.c = {-0.835, -0.2321},
                        .region = {-1.6, 1.6, -1.0, 1.0},
                        .size = {1000, 625},
                        .iter_min = 0,
                        .iter_max = 80,
                        .threshold = 2.0,
                        .precision = PRECISION_DOUBLE,
                        .kernel = KERNEL_AUTO};
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

static int julia_finish(void *params, const renderer_context *context, failure *f) {
    (void)context;
    const julia_params *p = params;
    const int is_float = p->precision == PRECISION_FLOAT;
    const uint64_t w = p->size.width, h = p->size.height;
    const double x_step = w > 1 ? (p->region[1] - p->region[0]) / (double)(w - 1) : 0;
    const double y_step = h > 1 ? (p->region[3] - p->region[2]) / (double)(h - 1) : 0;
    static const char *const region_names[4] = {"XMIN of --region", "XMAX of --region",
                                                "YMIN of --region", "YMAX of --region"};
    for (int i = 0; i < 4; ++i)
        if (check_normal(region_names[i], p->region[i], is_float, f) != 0)
            return f->status;
    if (check_normal("the real part of --c", p->c[0], is_float, f) != 0 ||
        check_normal("the imaginary part of --c", p->c[1], is_float, f) != 0 ||
        check_normal("the column step of --region", x_step, is_float, f) != 0 ||
        check_normal("the row step of --region", y_step, is_float, f) != 0 ||
        check_normal("R^2, the square of --threshold", p->threshold * p->threshold, is_float, f))
        return f->status;
    return 0;
}

static void julia_layout(const void *params, clr_layout *layout) {
    const julia_params *p = params;
    *layout = (clr_layout){.frames = 1,
                           .height = (size_t)p->size.height,
                           .width = (size_t)p->size.width,
                           .channels = 1,
                           .sample = CLR_SAMPLE_U32};
}

/* Defined in launch.c */
int julia_launch(const void *params, const device_entry *device, size_t frame, size_t pass,
                 launch *l, failure *f);
void julia_output_layout(const void *params, output_format format, unsigned *channels,
                         clr_sample *sample);
void julia_to_output(const void *params, const image *raw, output_format format, image *out);
double julia_iterations(const void *params, size_t frame, const image *raw);

static const char *const julia_kernel_variants[] = {
    "precision=double kernel=per-pixel", "precision=float kernel=per-pixel",
    "precision=double kernel=simd", "precision=float kernel=simd", NULL};

const renderer julia_renderer = {
    .name = "julia",
    .summary = "the filled Julia set of z^2 + c, by escape time",
    .notes = "Sample points are numpy.linspace over the region, both ends included; row 0 is the\n"
             "top (y = YMAX). A point's count is the first iteration at which |z| >= R, or MAX.\n"
             "PNG and PGM hold the gray level floor(255*(max(n,MIN)-MIN)/(MAX-MIN)); .npy holds\n"
             "the counts themselves (uint16, or uint32 when MAX > 65535), shape (H, W).\n",
    .params = julia_params_table,
    .param_count = sizeof julia_params_table / sizeof julia_params_table[0],
    .params_size = sizeof(julia_params),
    .kernel_variants = julia_kernel_variants,
    /* exact: the counts are integers computed in the same precision */
    .verify = {.unit = "count", .integer = true, .levels = 0},
    .init = julia_init,
    .finish = julia_finish,
    .layout = julia_layout,
    .launch = julia_launch,
    .reference = julia_reference,
    .iterations = julia_iterations,
    .output_layout = julia_output_layout,
    .to_output = julia_to_output,
};
