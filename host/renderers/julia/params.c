/* The julia command: its options, presets and launch description. */
#include "renderers/julia/julia.h"
#include "util/values.h"

#include <stdio.h>
#include <string.h>

#define MAX_SIDE 2147483647u /* kernels index rows and columns with 32-bit integers */

static int apply_preset(void *target, const char *value, char *why, size_t why_len) {
    julia_params *p = target;
    if (!strcmp(value, "blog-overview")) {
        p->width = 1000, p->height = 625;
        p->x_min = -1.6, p->x_max = 1.6, p->y_min = -1.0, p->y_max = 1.0;
        p->iter_min = 0, p->iter_max = 80;
        return 0;
    }
    if (!strcmp(value, "blog-zoom")) {
        p->width = 4000, p->height = 4000;
        p->x_min = -0.1, p->x_max = 0.1, p->y_min = -0.1, p->y_max = 0.1;
        p->iter_min = 20, p->iter_max = 100;
        return 0;
    }
    snprintf(why, why_len, "unknown preset (known: blog-overview, blog-zoom)");
    return -1;
}

static int apply_c(void *target, const char *value, char *why, size_t why_len) {
    julia_params *p = target;
    double c[2];
    if (parse_double_list(value, c, 2, why, why_len) != 0)
        return -1;
    p->c_re = c[0], p->c_im = c[1];
    return 0;
}

static int apply_region(void *target, const char *value, char *why, size_t why_len) {
    julia_params *p = target;
    double r[4];
    if (parse_double_list(value, r, 4, why, why_len) != 0)
        return -1;
    if (!(r[0] < r[1])) {
        snprintf(why, why_len, "XMIN must be less than XMAX (got %g and %g)", r[0], r[1]);
        return -1;
    }
    if (!(r[2] < r[3])) {
        snprintf(why, why_len, "YMIN must be less than YMAX (got %g and %g)", r[2], r[3]);
        return -1;
    }
    p->x_min = r[0], p->x_max = r[1], p->y_min = r[2], p->y_max = r[3];
    return 0;
}

static int apply_size(void *target, const char *value, char *why, size_t why_len) {
    julia_params *p = target;
    return parse_size(value, MAX_SIDE, &p->width, &p->height, why, why_len);
}

static int apply_iter(void *target, const char *value, char *why, size_t why_len) {
    julia_params *p = target;
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

static int apply_threshold(void *target, const char *value, char *why, size_t why_len) {
    julia_params *p = target;
    double r;
    if (parse_finite_double(value, &r, why, why_len) != 0)
        return -1;
    /* R*R must stay finite and non-zero for the escape test to mean anything. */
    if (!(r > 0) || !(r * r > 0) || r > 1e150) {
        snprintf(why, why_len, "the escape radius must be positive (and below 1e150)");
        return -1;
    }
    p->threshold = r;
    return 0;
}

static int apply_precision(void *target, const char *value, char *why, size_t why_len) {
    julia_params *p = target;
    if (!strcmp(value, "double"))
        p->precision = PRECISION_DOUBLE;
    else if (!strcmp(value, "float"))
        p->precision = PRECISION_FLOAT;
    else {
        snprintf(why, why_len, "expected double or float");
        return -1;
    }
    return 0;
}

static int apply_kernel(void *target, const char *value, char *why, size_t why_len) {
    return parse_kernel_variant(value, &((julia_params *)target)->kernel, why, why_len);
}

static const cli_option julia_options[] = {
    {"--preset", 0, "NAME", "blog-overview (1000x625) or blog-zoom (4000x4000, iter 20:100)",
     apply_preset, -1},
    {"--c", 0, "RE,IM", "the constant c of z^2 + c (default -0.835,-0.2321)", apply_c, 0},
    {"--region", 0, "XMIN,XMAX,YMIN,YMAX", "the part of the plane shown (default -1.6,1.6,-1,1)",
     apply_region, 0},
    {"--size", 0, "WxH", "image size in pixels (default 1000x625)", apply_size, 0},
    {"--iter", 0, "MIN:MAX", "iteration limit MAX, gray 0 at or below MIN (default 0:80)",
     apply_iter, 0},
    {"--threshold", 0, "R", "escape radius: stop once |z| >= R (default 2)", apply_threshold, 0},
    {"--precision", 0, "P", "double or float (default double)", apply_precision, 0},
    {"--kernel", 0, "K",
     "per-pixel, simd (a vector of pixels per work-item) or auto (simd on CPUs)", apply_kernel, 0},
};

static void julia_init(void *params) {
    julia_params *p = params;
    *p = (julia_params){.c_re = -0.835,
                        .c_im = -0.2321,
                        .x_min = -1.6,
                        .x_max = 1.6,
                        .y_min = -1.0,
                        .y_max = 1.0,
                        .width = 1000,
                        .height = 625,
                        .iter_min = 0,
                        .iter_max = 80,
                        .threshold = 2.0,
                        .precision = PRECISION_DOUBLE};
}

static void julia_raw_layout(const void *params, size_t *width, size_t *height, unsigned *channels,
                             sample_type *sample) {
    const julia_params *p = params;
    *width = (size_t)p->width;
    *height = (size_t)p->height;
    *channels = 1;
    *sample = SAMPLE_U32;
}

static int julia_prepare(const void *params, const device_entry *device, dispatch_request *request,
                         failure *f) {
    const julia_params *p = params;
    if (p->precision == PRECISION_DOUBLE && !device->fp64)
        return failure_set(f, CLR_EXIT_RUNTIME,
                           "%s has no double-precision (fp64) support; use --precision float",
                           device->name);

    const double reals[9] = {
        p->x_min, p->x_max, p->width > 1 ? (p->x_max - p->x_min) / (double)(p->width - 1) : 0.0,
        p->y_min, p->y_max, p->height > 1 ? (p->y_max - p->y_min) / (double)(p->height - 1) : 0.0,
        p->c_re,  p->c_im,  p->threshold * p->threshold,
    };
    const cl_uint width = (cl_uint)p->width, height = (cl_uint)p->height;
    const cl_uint max_iter = (cl_uint)p->iter_max;

    const bool is_double = p->precision == PRECISION_DOUBLE;
    request->program = "julia";
    request->width = (size_t)p->width;
    request->height = (size_t)p->height;
    if (kernel_variant_is_simd(p->kernel, device)) {
        unsigned lanes =
            simd_lanes(is_double ? device->vector_width_double : device->vector_width_float);
        request->entry_point = "julia_simd";
        request->width = ((size_t)p->width + lanes - 1) / lanes;
        request->height = ((size_t)p->height + JULIA_SIMD_ROWS - 1) / JULIA_SIMD_ROWS;
        request->rows_per_item = JULIA_SIMD_ROWS;
        snprintf(request->build_options, sizeof request->build_options, "%s -DLANES=%u",
                 is_double ? "-DJULIA_DOUBLE" : "", lanes);
    } else {
        request->entry_point = "julia";
        snprintf(request->build_options, sizeof request->build_options, "%s",
                 is_double ? "-DJULIA_DOUBLE" : "");
    }
    dispatch_add_arg(request, &width, sizeof width);
    dispatch_add_arg(request, &height, sizeof height);
    for (int i = 0; i < 9; ++i) {
        const cl_float narrow = (cl_float)reals[i];
        if (p->precision == PRECISION_DOUBLE)
            dispatch_add_arg(request, &reals[i], sizeof reals[i]);
        else
            dispatch_add_arg(request, &narrow, sizeof narrow);
    }
    dispatch_add_arg(request, &max_iter, sizeof max_iter);
    return 0;
}

static int julia_to_output(const void *params, const image *raw, output_format format, image *out,
                           failure *f) {
    const julia_params *p = params;
    const uint32_t *counts = raw->pixels;
    size_t n = raw->width * raw->height;
    if (format == OUTPUT_NPY) {
        /* The raw counts, as narrow as MAX allows. */
        if (p->iter_max > 65535) {
            if (image_alloc(out, raw->width, raw->height, 1, SAMPLE_U32, f) != 0)
                return f->code;
            memcpy(out->pixels, counts, n * sizeof *counts);
            return 0;
        }
        if (image_alloc(out, raw->width, raw->height, 1, SAMPLE_U16, f) != 0)
            return f->code;
        uint16_t *narrow = out->pixels;
        for (size_t i = 0; i < n; ++i)
            narrow[i] = (uint16_t)counts[i];
        return 0;
    }
    if (image_alloc(out, raw->width, raw->height, 1, SAMPLE_U8, f) != 0)
        return f->code;
    uint8_t *gray = out->pixels;
    for (size_t i = 0; i < n; ++i)
        gray[i] = julia_gray(counts[i], (uint32_t)p->iter_min, (uint32_t)p->iter_max);
    return 0;
}

static double julia_iterations(const void *params, const image *raw) {
    const julia_params *p = params;
    const uint32_t *counts = raw->pixels;
    double total = 0;
    for (size_t i = 0; i < raw->width * raw->height; ++i)
        total += counts[i] < p->iter_max ? (double)counts[i] + 1 : (double)counts[i];
    return total;
}

static const char *const julia_kernel_variants[] = {
    "--precision double --kernel per-pixel", "--precision float --kernel per-pixel",
    "--precision double --kernel simd", "--precision float --kernel simd", NULL};

const renderer julia_renderer = {
    .name = "julia",
    .summary = "the filled Julia set of z^2 + c, by escape time",
    .notes = "Sample points are numpy.linspace over the region, both ends included; row 0 is the\n"
             "top (y = YMAX). A point's count is the first iteration at which |z| >= R, or MAX.\n"
             "PNG and PGM hold the gray level floor(255*(max(n,MIN)-MIN)/(MAX-MIN)); .npy holds\n"
             "the counts themselves (uint16, or uint32 when MAX > 65535), shape (H, W).\n",
    .options = julia_options,
    .option_count = sizeof julia_options / sizeof julia_options[0],
    .params_size = sizeof(julia_params),
    .kernel_variants = julia_kernel_variants,
    .difference_unit = "count",
    .sample_tolerance = 0, /* exact: the counts are integers computed in the same precision */
    .init = julia_init,
    .finish = NULL,
    .raw_layout = julia_raw_layout,
    .prepare = julia_prepare,
    .reference = julia_reference,
    .iterations = julia_iterations,
    .to_output = julia_to_output,
};
