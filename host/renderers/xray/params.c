/* The X-ray renderer: its parameters, the volume it projects (a phantom voxelised,
 * a file read, or the caller's input) and the views of every angle. */
#define _POSIX_C_SOURCE 200809L
#include "engine/kernel_variant.h"
#include "kernels/xray_layout.h"
#include "renderers/xray/xray.h"
#include "util/values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The largest side of a phantom's grid and of the detector. */
#define XRAY_MAX_VOXELS   65536u
#define XRAY_MAX_DETECTOR 65536u
#define XRAY_MAX_ANGLES   1000000u
#define XRAY_MAX_MM       1e7 /* 10 km: distances beyond are typing errors */

static int apply_preset(void *object, const char *value, char *why, size_t why_len) {
    xray_params *p = object;
    if (strcmp(value, "bisulco") != 0) {
        snprintf(why, why_len, "unknown preset (known: bisulco)");
        return -1;
    }
    p->preset = XRAY_PRESET_BISULCO;
    p->detector[0] = p->detector[1] = XRAY_BISULCO_PIXELS;
    return 0;
}

static int apply_phantom(void *object, const char *value, char *why, size_t why_len) {
    xray_params *p = object;
    phantom parsed;
    if (phantom_parse(value, &parsed, why, why_len) != 0)
        return -1;
    p->phantom = parsed;
    return 0;
}

/* "A" or "A,B,C" (or "A,B" when `count` is 2): one value for all, or one each. */
static int split_values(const char *value, size_t count, char fields[3][64], size_t *found,
                        char *why, size_t why_len) {
    *found = 0;
    for (const char *start = value;;) {
        const char *comma = strchr(start, ',');
        size_t length = comma ? (size_t)(comma - start) : strlen(start);
        if (*found == count || length >= 64) {
            snprintf(why, why_len, "expected 1 or %zu values separated by commas", count);
            return -1;
        }
        memcpy(fields[*found], start, length);
        fields[(*found)++][length] = '\0';
        if (!comma)
            break;
        start = comma + 1;
    }
    if (*found != 1 && *found != count) {
        snprintf(why, why_len, "expected 1 or %zu values separated by commas", count);
        return -1;
    }
    return 0;
}

static int apply_uints(const char *value, size_t count, uint64_t max, uint64_t *out, char *why,
                       size_t why_len) {
    char fields[3][64], reason[256];
    size_t found;
    uint64_t parsed[3];
    if (split_values(value, count, fields, &found, why, why_len) != 0)
        return -1;
    for (size_t i = 0; i < found; ++i)
        if (parse_uint(fields[i], 1, max, &parsed[i], reason, sizeof reason) != 0) {
            snprintf(why, why_len, "%s", reason);
            return -1;
        }
    for (size_t i = 0; i < count; ++i)
        out[i] = parsed[found == 1 ? 0 : i];
    return 0;
}

static int apply_lengths(const char *value, size_t count, double *out, char *why, size_t why_len) {
    char fields[3][64], reason[256];
    size_t found;
    double parsed[3];
    if (split_values(value, count, fields, &found, why, why_len) != 0)
        return -1;
    for (size_t i = 0; i < found; ++i) {
        if (parse_finite_double(fields[i], &parsed[i], reason, sizeof reason) != 0) {
            snprintf(why, why_len, "%s", reason);
            return -1;
        }
        if (!(parsed[i] >= 1e-6 && parsed[i] <= 1e6)) {
            snprintf(why, why_len, "'%s' mm is out of range (1e-6 to 1e6)", fields[i]);
            return -1;
        }
    }
    for (size_t i = 0; i < count; ++i)
        out[i] = parsed[found == 1 ? 0 : i];
    return 0;
}

static int apply_voxels(void *object, const char *value, char *why, size_t why_len) {
    return apply_uints(value, 3, XRAY_MAX_VOXELS, ((xray_params *)object)->voxels, why, why_len);
}

static int apply_voxel_size(void *object, const char *value, char *why, size_t why_len) {
    return apply_lengths(value, 3, ((xray_params *)object)->voxel_size, why, why_len);
}

static int apply_detector(void *object, const char *value, char *why, size_t why_len) {
    xray_params *p = object;
    uint64_t sides[2];
    char fields[3][64];
    size_t found;
    if (split_values(value, 2, fields, &found, why, why_len) != 0)
        return -1;
    if (found != 2) {
        snprintf(why, why_len, "expected NU,NV: columns and rows");
        return -1;
    }
    if (apply_uints(value, 2, XRAY_MAX_DETECTOR, sides, why, why_len) != 0)
        return -1;
    p->detector[0] = sides[0], p->detector[1] = sides[1];
    return 0;
}

static int apply_pitch(void *object, const char *value, char *why, size_t why_len) {
    return apply_lengths(value, 2, ((xray_params *)object)->pitch, why, why_len);
}

static int check_window(const void *value, char *why, size_t why_len) {
    const double *w = value;
    if (!(w[0] < w[1])) {
        snprintf(why, why_len, "LO must be less than HI (got %g and %g)", w[0], w[1]);
        return -1;
    }
    return 0;
}

static const char *const beam_names[] = {"cone", "parallel", NULL};
static const char *const quantity_names[] = {"line-integral", "intensity", NULL};
static const char *const projector_names[] = {"siddon", NULL};
static const char *const truth_names[] = {"voxels", "analytic", NULL};
static const char *const precision_names[] = {"float", "double", NULL};

static const param_spec xray_params_table[] = {
    {.name = "preset",
     .type = CLR_PARAM_OTHER,
     .apply = apply_preset,
     .metavar = "NAME",
     .help = "bisulco: the blog's geometry (128x128 pixels, a 208x256x225 grid of 1 mm)",
     .early = true},
    PARAM_OTHER("phantom", apply_phantom, "NAME",
                "shepp-logan (default), box:X0,X1,Y0,Y1,Z0,Z1 (mm) or sphere:R (mm)"),
    PARAM_TEXT("volume", xray_params, volume_path, "FILE",
               "project FILE's voxels of mu (1/mm): .npy, .mha, .mhd or .nrrd"),
    PARAM_OTHER("voxels", apply_voxels, "NX[,NY,NZ]", "the phantom's grid (default 256)"),
    PARAM_OTHER("voxel-size", apply_voxel_size, "D[,DY,DZ]",
                "mm per voxel of a phantom or .npy (default 1)"),
    PARAM_UINT("supersample", xray_params, supersample, 1, 16, "K",
               "a phantom voxel is the mean of K^3 samples (default 1: its centre)"),
    PARAM_REAL("mu-scale", xray_params, mu_scale, 0, true, 1e6, NULL, "F",
               "mu (1/mm) = phantom value x F (default 0.02); scales a volume when given"),
    PARAM_CHOICE("geometry", xray_params, beam, beam_names, "G", "cone (default) or parallel"),
    PARAM_REAL("sod", xray_params, sod, 0, true, XRAY_MAX_MM, NULL, "MM",
               "source to rotation axis (default 1000)"),
    PARAM_REAL("sdd", xray_params, sdd, 0, true, XRAY_MAX_MM, NULL, "MM",
               "source to detector (default 1536)"),
    PARAM_OTHER("detector", apply_detector, "NU,NV", "detector columns and rows (default 512,512)"),
    PARAM_OTHER("pitch", apply_pitch, "P[,PV]", "detector pixel size in mm (default 0.8)"),
    PARAM_UINT("angles", xray_params, angles, 1, XRAY_MAX_ANGLES, "N",
               "projections at FIRST + k*ARC/N degrees (default 1)"),
    PARAM_REAL("arc", xray_params, arc, -XRAY_MAX_MM, false, XRAY_MAX_MM, NULL, "DEG",
               "the angles' span (default 360)"),
    PARAM_REAL("first-angle", xray_params, first_angle, -XRAY_MAX_MM, false, XRAY_MAX_MM, NULL,
               "DEG", "the first angle, about +z (default 0)"),
    PARAM_CHOICE("quantity", xray_params, quantity, quantity_names, "Q",
                 "line-integral (p, default) or intensity (I0 exp(-p))"),
    PARAM_REAL("i0", xray_params, i0, 0, true, 1e30, NULL, "F",
               "unattenuated intensity (default 1)"),
    PARAM_CHOICE("projector", xray_params, projector, projector_names, "P",
                 "siddon: exact path lengths through each voxel (default)"),
    PARAM_CHOICE("reference", xray_params, truth, truth_names, "R",
                 "voxels (the scalar walk, default) or analytic: the phantom's exact projection, "
                 "rendered, or with --verify compared with"),
    PARAM_REALS("window", xray_params, window, 2, check_window, "LO,HI",
                "grey window of .png and .pgm outputs (default each projection's min..max)"),
    PARAM_KERNEL(xray_params, kernel,
                 "per-pixel, simd (a row of up to 8 pixels per work-item) or auto (simd on CPUs)"),
    PARAM_CHOICE("precision", xray_params, precision, precision_names, "P",
                 "float (default) or double"),
};

#define PARAM_COUNT (sizeof xray_params_table / sizeof xray_params_table[0])

static void xray_init(void *params) {
    xray_params *p = params;
    memset(p, 0, sizeof *p);
    p->preset = XRAY_PRESET_NONE;
    p->phantom = (phantom){.kind = PHANTOM_SHEPP_LOGAN};
    p->voxels[0] = p->voxels[1] = p->voxels[2] = 256;
    p->voxel_size[0] = p->voxel_size[1] = p->voxel_size[2] = 1;
    p->supersample = 1;
    p->mu_scale = 0.02;
    p->beam = XRAY_CONE;
    p->sod = 1000, p->sdd = 1536;
    p->detector[0] = p->detector[1] = 512;
    p->pitch[0] = p->pitch[1] = 0.8;
    p->angles = 1;
    p->arc = 360, p->first_angle = 0;
    p->quantity = XRAY_LINE_INTEGRAL;
    p->i0 = 1;
    p->truth = XRAY_REFERENCE_VOXELS;
    p->precision = XRAY_FLOAT;
    p->kernel = KERNEL_AUTO;
}

static void drop_voxels(xray_params *p) {
    free(p->owned_voxels);
    free(p->voxels_key);
    p->owned_voxels = NULL, p->voxels_key = NULL, p->volume = NULL;
}

static void drop_views(xray_params *p) {
    free(p->views), free(p->packed), free(p->packed_float);
    p->views = NULL, p->packed = NULL, p->packed_float = NULL;
    p->view_count = 0;
}

static void xray_release(void *params) {
    xray_params *p = params;
    drop_voxels(p);
    drop_views(p);
}

static bool was_set(const renderer_context *context, const char *name) {
    return renderer_was_set(&xray_renderer, context, name);
}

/* The bytes this machine's memory holds. */
static uint64_t host_memory(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : UINT64_MAX;
}

/* Refuses, before any work, combinations that contradict each other. */
static int check_combinations(const xray_params *p, const renderer_context *context, bool has_input,
                              failure *f) {
    static const char *const fixed_by_preset[] = {"voxels", "voxel-size", "geometry", "sod",
                                                  "sdd",    "detector",   "pitch",    "angles",
                                                  "arc",    "first-angle"};
    if (p->preset == XRAY_PRESET_BISULCO)
        for (size_t i = 0; i < sizeof fixed_by_preset / sizeof fixed_by_preset[0]; ++i)
            if (was_set(context, fixed_by_preset[i]))
                return failure_set(f, CLR_USAGE_ERROR,
                                   "xray: --%s does not apply to --preset bisulco, whose geometry "
                                   "is the blog's (see 'clrender xray --help')",
                                   fixed_by_preset[i]);
    const bool has_volume = p->volume_path != NULL;
    if (has_volume && has_input)
        return failure_set(f, CLR_USAGE_ERROR,
                           "xray: both --volume and an attached volume input; give one");
    if ((has_volume || has_input) && was_set(context, "phantom"))
        return failure_set(f, CLR_USAGE_ERROR,
                           "xray: --phantom and %s contradict each other; give one",
                           has_volume ? "--volume" : "an attached volume input");
    if (has_volume || has_input) {
        static const char *const phantom_only[] = {"voxels", "supersample"};
        for (size_t i = 0; i < 2; ++i)
            if (was_set(context, phantom_only[i]))
                return failure_set(f, CLR_USAGE_ERROR,
                                   "xray: --%s applies to phantoms; a volume has its own grid",
                                   phantom_only[i]);
        if (p->truth == XRAY_REFERENCE_ANALYTIC)
            return failure_set(f, CLR_USAGE_ERROR,
                               "xray: --reference analytic needs a built-in phantom (--phantom); "
                               "a volume has no closed-form projection");
    }
    return 0;
}

/* The phantom's grid: the preset's, or centred at the origin. */
static void phantom_grid(const xray_params *p, volume_grid *grid) {
    if (p->preset == XRAY_PRESET_BISULCO) {
        *grid = xray_bisulco_grid;
        return;
    }
    for (int a = 0; a < 3; ++a) {
        grid->dims[a] = (size_t)p->voxels[a];
        grid->spacing[a] = p->voxel_size[a];
        grid->corner[a] = -(double)grid->dims[a] * grid->spacing[a] / 2;
    }
}

static int check_host_memory(const char *what, const size_t dims[3], failure *f) {
    double bytes = (double)dims[0] * (double)dims[1] * (double)dims[2] * sizeof(float);
    uint64_t memory = host_memory();
    if (bytes > (double)memory)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "%s of %zux%zux%zu voxels needs %.1f GiB as float32, more than this "
                           "machine's %.1f GiB of memory",
                           what, dims[0], dims[1], dims[2], bytes / 1073741824.0,
                           (double)memory / 1073741824.0);
    return 0;
}

/* Keeps owned_voxels when `key` says they are what is wanted already. */
static bool voxels_current(const xray_params *p, const char *key) {
    return p->owned_voxels && p->voxels_key && !strcmp(p->voxels_key, key);
}

static int adopt_voxels(xray_params *p, float *voxels, const char *key, failure *f) {
    drop_voxels(p);
    p->owned_voxels = voxels;
    p->volume = voxels;
    p->voxels_key = strdup(key);
    ++p->voxels_generation;
    if (!p->voxels_key)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    return 0;
}

static int make_phantom_voxels(xray_params *p, failure *f) {
    phantom_grid(p, &p->grid);
    phantom_place(&p->phantom, &p->grid, &p->shape);
    char key[512];
    const volume_grid *g = &p->grid;
    snprintf(key, sizeof key,
             "phantom %d %.17g %.17g %.17g %.17g %.17g %.17g %.17g %zu %zu %zu "
             "%.17g %.17g %.17g %.17g %.17g %.17g %llu",
             (int)p->phantom.kind, p->phantom.box[0], p->phantom.box[1], p->phantom.box[2],
             p->phantom.box[3], p->phantom.box[4], p->phantom.box[5], p->phantom.radius, g->dims[0],
             g->dims[1], g->dims[2], g->spacing[0], g->spacing[1], g->spacing[2], g->corner[0],
             g->corner[1], g->corner[2], (unsigned long long)p->supersample);
    if (voxels_current(p, key))
        return 0;
    if (check_host_memory("the phantom's grid", g->dims, f) != 0)
        return f->status;
    float *voxels = volume_alloc(g->dims[0] * g->dims[1] * g->dims[2]);
    if (!voxels)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "out of memory for the phantom's %zux%zux%zu voxels", g->dims[0],
                           g->dims[1], g->dims[2]);
    if (phantom_voxelize(&p->shape, g, (unsigned)p->supersample, voxels, f) != 0) {
        free(voxels);
        return f->status;
    }
    return adopt_voxels(p, voxels, key, f);
}

static int read_volume_file(xray_params *p, const renderer_context *context, failure *f) {
    char key[4352], shown[TEXT_SHOWN_SIZE];
    struct stat st;
    /* The same file unchanged (by its identity and time) is not read again. */
    if (stat(p->volume_path, &st) == 0)
        snprintf(key, sizeof key, "file %s %llu %llu %lld %lld.%09ld %.17g %.17g %.17g",
                 p->volume_path, (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
                 (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                 p->voxel_size[0], p->voxel_size[1], p->voxel_size[2]);
    else
        key[0] = '\0';
    if (key[0] && voxels_current(p, key))
        return 0;
    volume_file v;
    if (volume_file_read(p->volume_path, host_memory(), &v, f) != 0)
        return f->status;
    if (v.has_spacing && was_set(context, "voxel-size")) {
        volume_file_free(&v);
        return failure_set(f, CLR_USAGE_ERROR,
                           "xray: '%s' gives its own voxel size; --voxel-size applies to .npy "
                           "volumes",
                           text_shown(p->volume_path, shown));
    }
    if (p->preset == XRAY_PRESET_BISULCO) {
        const size_t *want = xray_bisulco_grid.dims;
        if (v.grid.dims[0] != want[0] || v.grid.dims[1] != want[1] || v.grid.dims[2] != want[2]) {
            volume_file_free(&v);
            return failure_set(f, CLR_USAGE_ERROR,
                               "xray: --preset bisulco projects volumes of shape (225, 256, 208) "
                               "(z, y, x); '%s' has (%zu, %zu, %zu)",
                               text_shown(p->volume_path, shown), v.grid.dims[2], v.grid.dims[1],
                               v.grid.dims[0]);
        }
        if (v.has_position || v.has_spacing)
            context->warn(context->user, "xray: --preset bisulco places the volume on its own "
                                         "grid; the file's spacing and origin are not used");
        v.grid = xray_bisulco_grid;
    } else if (!v.has_spacing) {
        for (int a = 0; a < 3; ++a)
            v.grid.spacing[a] = p->voxel_size[a];
    }
    if (p->preset != XRAY_PRESET_BISULCO && !v.has_position)
        for (int a = 0; a < 3; ++a)
            v.grid.corner[a] = -(double)v.grid.dims[a] * v.grid.spacing[a] / 2;
    p->grid = v.grid;
    int status = adopt_voxels(p, v.voxels, key[0] ? key : "file", f);
    v.voxels = NULL;
    volume_file_free(&v);
    return status;
}

static int use_input(xray_params *p, const attached_input *in) {
    if (p->owned_voxels || p->volume != in->data || p->input_generation != in->generation)
        ++p->voxels_generation; /* new data for the devices */
    drop_voxels(p);
    p->volume = in->data;
    p->input_generation = in->generation;
    /* the input is [NZ][NY][NX] */
    if (p->preset == XRAY_PRESET_BISULCO) {
        p->grid = xray_bisulco_grid;
        return 0;
    }
    for (int a = 0; a < 3; ++a) {
        p->grid.dims[a] = in->dims[2 - a];
        p->grid.spacing[a] = p->voxel_size[a];
        p->grid.corner[a] = -(double)p->grid.dims[a] * p->grid.spacing[a] / 2;
    }
    return 0;
}

static int make_views(xray_params *p, failure *f) {
    const size_t count = p->preset == XRAY_PRESET_BISULCO ? 1 : (size_t)p->angles;
    drop_views(p);
    p->views = calloc(count, sizeof *p->views);
    p->packed = calloc(count * XRAY_VIEW_STRIDE, sizeof *p->packed);
    p->packed_float = calloc(count * XRAY_VIEW_STRIDE, sizeof *p->packed_float);
    if (!p->views || !p->packed || !p->packed_float)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for %zu views", count);
    p->view_count = count;
    for (size_t k = 0; k < count; ++k) {
        if (p->preset == XRAY_PRESET_BISULCO)
            xray_view_bisulco(&p->views[k]);
        else
            xray_view_orbit(p->beam == XRAY_PARALLEL_BEAM,
                            p->first_angle + (double)k * p->arc / (double)p->angles, p->sod, p->sdd,
                            (size_t)p->detector[0], (size_t)p->detector[1], p->pitch[0],
                            p->pitch[1], &p->views[k]);
        double *packed = p->packed + k * XRAY_VIEW_STRIDE;
        xray_view_pack(&p->views[k], &p->grid, packed);
        for (size_t i = 0; i < XRAY_VIEW_STRIDE; ++i)
            p->packed_float[k * XRAY_VIEW_STRIDE + i] = (float)packed[i];
    }
    ++p->views_generation;
    return 0;
}

static int xray_finish(void *params, const renderer_context *context, failure *f) {
    xray_params *p = params;
    const attached_input *input = &context->inputs[0];
    const bool has_input = input->data != NULL;
    if (check_combinations(p, context, has_input, f) != 0)
        return f->status;
    int status;
    if (p->volume_path)
        status = read_volume_file(p, context, f);
    else if (has_input)
        status = use_input(p, input);
    else
        status = make_phantom_voxels(p, f);
    if (status != 0)
        return status;
    p->from_phantom = !p->volume_path && !has_input;
    if (!p->from_phantom && p->truth == XRAY_REFERENCE_ANALYTIC)
        return failure_set(f, CLR_USAGE_ERROR, "xray: --reference analytic needs a phantom");
    p->value_scale = p->from_phantom || was_set(context, "mu-scale") ? p->mu_scale : 1.0;
    if (p->beam == XRAY_CONE && p->preset != XRAY_PRESET_BISULCO && p->sdd <= p->sod)
        context->warn(context->user, "xray: --sdd is not beyond --sod: the detector is between "
                                     "the source and the rotation axis");
    return make_views(p, f);
}

static void xray_layout(const void *params, clr_layout *layout) {
    const xray_params *p = params;
    *layout = (clr_layout){.frames = p->preset == XRAY_PRESET_BISULCO ? 1 : (size_t)p->angles,
                           .height = (size_t)p->detector[1],
                           .width = (size_t)p->detector[0],
                           .channels = 1,
                           .sample = CLR_SAMPLE_F32};
}

/* ---- Files ---------------------------------------------------------------------------- */

static bool grey_format(output_format format) {
    return format == OUTPUT_PNG || format == OUTPUT_PGM || format == OUTPUT_PPM;
}

static void xray_output_layout(const void *params, output_format format, unsigned *channels,
                               clr_sample *sample) {
    (void)params;
    *channels = 1;
    *sample = grey_format(format) ? CLR_SAMPLE_U8 : CLR_SAMPLE_F32;
}

/* Without --window, a grey image spans its own projection's values: whole frames. */
static bool xray_whole_frames(const void *params, output_format format) {
    const xray_params *p = params;
    return grey_format(format) && !(p->window[0] < p->window[1]);
}

static void xray_to_output(const void *params, const image *raw, output_format format, image *out) {
    const xray_params *p = params;
    const float *values = raw->pixels;
    const size_t n = raw->width * raw->height;
    if (!grey_format(format)) {
        memcpy(out->pixels, values, n * sizeof *values);
        return;
    }
    double lo = p->window[0], hi = p->window[1];
    if (!(lo < hi)) { /* the frame's own range */
        lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; ++i)
            if (isfinite(values[i]))
                lo = fmin(lo, values[i]), hi = fmax(hi, values[i]);
        if (!(lo < hi))
            hi = lo + 1; /* flat: black */
    }
    uint8_t *grey = out->pixels;
    for (size_t i = 0; i < n; ++i) {
        double level = (values[i] - lo) / (hi - lo) * 255.0;
        grey[i] = isnan(level) ? 0 : level <= 0 ? 0 : level >= 255 ? 255 : (uint8_t)(level + 0.5);
    }
}

static void xray_pixel_geometry(const void *params, double spacing[2], double origin[2]) {
    const xray_params *p = params;
    const double pu = p->preset == XRAY_PRESET_BISULCO ? 2.756667 : p->pitch[0];
    const double pv = p->preset == XRAY_PRESET_BISULCO ? 2.756667 : p->pitch[1];
    spacing[0] = pu, spacing[1] = pv;
    /* the detector's own frame: its centre at 0 */
    origin[0] = -((double)p->detector[0] - 1) / 2 * pu;
    origin[1] = -((double)p->detector[1] - 1) / 2 * pv;
}

/* ---- Verification ------------------------------------------------------------------------ */

static void xray_verify_rule(const void *params, verify_rule *rule) {
    const xray_params *p = params;
    if (p->truth == XRAY_REFERENCE_ANALYTIC) {
        /* The voxel projection converges to the phantom's: its mean difference, relative to
         * the largest p, measures the voxelisation. */
        *rule = (verify_rule){.unit = "relative",
                              .judge = VERIFY_MEAN,
                              .default_tolerance = 0.02,
                              .reference_is_truth = true,
                              .reference_name = "the analytic projection"};
        return;
    }
    /* The same walk in double: float rounding only, relative to the projection's largest p. */
    *rule = (verify_rule){.unit = "relative",
                          .absolute = p->precision == XRAY_FLOAT ? 1e-6 : 1e-12,
                          .relative = p->precision == XRAY_FLOAT ? 1e-5 : 1e-9,
                          .relative_to_frame_max = true};
}

static const input_spec xray_inputs[] = {
    {"volume",
     "mu (1/mm) as float32 of shape (NZ, NY, NX), centred at the origin, "
     "--voxel-size apart",
     3, 1u << CLR_SAMPLE_F32},
};

/* Small grids: the variants are only described, not rendered. */
static const char *const xray_kernel_variants[] = {
    "voxels=8 precision=float kernel=per-pixel", "voxels=8 precision=double kernel=per-pixel",
    "voxels=8 precision=float kernel=simd", "voxels=8 precision=double kernel=simd", NULL};

const renderer xray_renderer = {
    .name = "xray",
    .summary = "X-ray projections through a voxel volume (line integrals of mu)",
    .notes =
        "World frame in mm, z up; a phantom or .npy volume is centred at the origin. At angle\n"
        "T the source is at Rz(T)(sod,0,0), the detector's centre at Rz(T)(sod-sdd,0,0), its\n"
        "columns along Rz(T)(0,1,0) and its rows along -z (row 0 on top). A pixel holds\n"
        "p = sum over voxels of mu x the length of its ray inside the voxel (mm), or\n"
        "I0 exp(-p). .npy holds float32 of shape (NV, NU), or (N, NV, NU) for N angles;\n"
        ".mha the same with the detector's pixel spacing; .png and .pgm one projection in\n"
        "grey (a %d in the name writes one file per angle). --verify compares with the\n"
        "scalar walk in double (each pixel within 1e-5 of the largest p, float), or with\n"
        "--reference analytic the mean difference from the phantom's exact projection\n"
        "(exit 3 above --tolerance, default 0.02). README.md has the whole geometry.\n",
    .params = xray_params_table,
    .param_count = PARAM_COUNT,
    .params_size = sizeof(xray_params),
    .inputs = xray_inputs,
    .input_count = 1,
    .kernel_variants = xray_kernel_variants,
    .verify_rule_for = xray_verify_rule,
    .init = xray_init,
    .finish = xray_finish,
    .release = xray_release,
    .layout = xray_layout,
    .launch = xray_launch,
    .reference = xray_reference,
    .iterations = xray_iterations,
    .output_layout = xray_output_layout,
    .output_whole_frames = xray_whole_frames,
    .to_output = xray_to_output,
    .pixel_geometry = xray_pixel_geometry,
};
