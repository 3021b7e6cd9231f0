/* How julia and mandelbrot turn counts or smooth values into pictures (--color, --map,
 * --inside, --palette-offset, --palette-cycles, --bit-depth, --spp), and what each output
 * format stores. The kernels compute values; colouring is this one host function, which
 * colours the reference's values for --verify the same way, so verifying the values
 * verifies the colours.
 *
 * A value v (a count n, or nu) becomes a position t in [0, 1]:
 *   linear     t = (v - MIN) / (MAX - MIN)
 *   log        t = ln(1 + v - MIN) / ln(1 + MAX - MIN)
 *   histogram  t = the fraction of the frame's escaped samples below v (interpolated
 *              within a value's bin for smooth values), so every colour is used equally
 * clamped to [0, 1]. Gray is t on the output's levels (the blog's floor(255 (n - MIN) /
 * (MAX - MIN)) for counts on a linear map); a palette is read at frac(t * cycles + offset)
 * (1 at the top). Points inside the set take --inside (gray: the top level, as the blog;
 * a palette: black). Several samples per pixel are averaged in the output's levels.
 */
#include "renderers/julia/julia.h"
#include "util/threads.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Counts up to this many get a table of their colours, built once by finish(). */
#define LUT_MAX_ENTRIES (1u << 20)
/* Histogram bins: one per count when the frame's range allows, else this many. */
#define HISTOGRAM_BINS (1u << 20)

typedef struct histogram {
    double first, width; /* bin b holds values in [first + b * width, first + (b + 1) * width) */
    size_t bins;
    double *below; /* escaped samples in bins before b */
    double *in;    /* escaped samples in bin b */
    double total;
} histogram;

static bool inside(const julia_params *p, double v) {
    return p->smooth ? isinf(v) : v >= (double)p->iter_max;
}

static double histogram_position(const histogram *h, double v) {
    if (h->total == 0)
        return 0;
    double x = (v - h->first) / h->width;
    if (x < 0)
        x = 0;
    size_t b = (size_t)x;
    if (b >= h->bins)
        b = h->bins - 1;
    double frac = x - (double)b;
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    return (h->below[b] + frac * h->in[b]) / h->total;
}

/* t in [0, 1] for an escaped value. */
static double position(const julia_params *p, const histogram *h, double v) {
    const double lo = (double)p->iter_min, range = (double)(p->iter_max - p->iter_min);
    double t;
    switch (p->map_used) {
    case MAP_LOG:
        t = v > lo ? log1p(v - lo) / log1p(range) : 0;
        break;
    case MAP_HISTOGRAM:
        t = histogram_position(h, v);
        break;
    default:
        t = (v - lo) / range;
    }
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

/* The colour of one value in the output's levels (0..top), one or three channels. */
static void colour_of(const julia_params *p, const histogram *h, double v, float top,
                      float out[3]) {
    const bool gray = p->colour_mode == COLOUR_GRAY;
    if (inside(p, v) && (p->inside_set || !gray)) {
        for (int c = 0; c < 3; ++c)
            out[c] = (float)(p->inside[c] / 255.0 * top);
        return;
    }
    if (gray && !p->smooth && p->map_used == MAP_LINEAR) {
        /* The blog's map, exactly: floor(top * (max(n, MIN) - MIN) / (MAX - MIN)). */
        const uint64_t n = v > (double)p->iter_max ? p->iter_max : (uint64_t)v;
        const uint64_t above = n > p->iter_min ? n - p->iter_min : 0;
        out[0] = (float)((uint64_t)top * above / (p->iter_max - p->iter_min));
        return;
    }
    const double t = inside(p, v) ? 1 : position(p, h, v);
    if (gray) {
        out[0] = (float)(t * top);
        return;
    }
    const double at = t * p->palette_cycles + p->palette_offset;
    double x = at - floor(at);
    if (x == 0 && at > 0)
        x = 1; /* the top of a cycle is the palette's last colour, not its first */
    palette_at(&p->pal, x, out);
    for (int c = 0; c < 3; ++c)
        out[c] = out[c] / 255.0f * top;
}

/* ---- Tables, built by finish() ---------------------------------------------------------- */

static void free_tables(julia_params *p) {
    free(p->lut);
    free(p->lut_levels);
    p->lut = NULL;
    p->lut_levels = NULL;
    p->lut_entries = 0;
}

void julia_colour_release(julia_params *p) {
    free_tables(p);
    palette_free(&p->pal);
}

/* A level in [0, top], rounded to the nearest whole one. */
static float rounded_level(float level, float top) {
    const float r = level + 0.5f;
    return r < 0 ? 0 : r > top ? top : r;
}

static unsigned colour_channels(const julia_params *p) {
    return p->colour_mode == COLOUR_GRAY ? 1 : 3;
}

int julia_colour_prepare(julia_params *p, failure *f) {
    free_tables(p);
    if (p->smooth || p->map_used == MAP_HISTOGRAM || p->iter_max >= LUT_MAX_ENTRIES)
        return 0;
    const unsigned channels = colour_channels(p);
    const size_t entries = (size_t)p->iter_max + 1;
    p->lut = malloc(entries * channels * sizeof *p->lut);
    p->lut_levels = malloc(entries * channels * sizeof *p->lut_levels);
    if (!p->lut || !p->lut_levels) {
        free_tables(p);
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for a colour table");
    }
    const float top = p->bit_depth == BIT_DEPTH_16 ? 65535.0f : 255.0f;
    for (size_t n = 0; n < entries; ++n) {
        float rgb[3];
        colour_of(p, NULL, (double)n, top, rgb);
        for (unsigned c = 0; c < channels; ++c) {
            p->lut[n * channels + c] = rgb[c];
            p->lut_levels[n * channels + c] = (uint16_t)rounded_level(rgb[c], top);
        }
    }
    p->lut_entries = entries;
    return 0;
}

/* ---- Output layouts and conversion --------------------------------------------------------- */

void julia_output_layout(const void *params, output_format format, unsigned *channels,
                         clr_sample *sample) {
    const julia_params *p = params;
    if (format == OUTPUT_NPY || format == OUTPUT_MHA) {
        /* the values themselves: every sample of a pixel; counts as narrow as MAX allows */
        *channels = (unsigned)p->spp;
        *sample = p->smooth             ? CLR_SAMPLE_F32
                  : p->iter_max > 65535 ? CLR_SAMPLE_U32
                                        : CLR_SAMPLE_U16;
        return;
    }
    if (format == OUTPUT_EXR) { /* one float channel: the values, the mean of a pixel's samples */
        *channels = 1;
        *sample = CLR_SAMPLE_F32;
        return;
    }
    *channels = colour_channels(p);
    *sample = p->bit_depth == BIT_DEPTH_16 ? CLR_SAMPLE_U16 : CLR_SAMPLE_U8;
}

bool julia_output_whole_frames(const void *params, output_format format) {
    const julia_params *p = params;
    return format != OUTPUT_NPY && format != OUTPUT_MHA && p->map_used == MAP_HISTOGRAM;
}

static double value_at(const julia_params *p, const image *raw, size_t i) {
    return p->smooth ? (double)((const float *)raw->pixels)[i]
                     : (double)((const uint32_t *)raw->pixels)[i];
}

/* The histogram of a whole frame's escaped samples. */
static int histogram_build(const julia_params *p, const image *raw, histogram *h) {
    const size_t n = raw->width * raw->height * raw->channels;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; ++i) {
        const double v = value_at(p, raw, i);
        if (!inside(p, v) && !isnan(v)) {
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    *h = (histogram){.first = 0, .width = 1, .bins = 1};
    if (lo <= hi) {
        h->first = floor(lo);
        const double span = floor(hi) - h->first + 1;
        h->bins = span <= HISTOGRAM_BINS ? (size_t)span : HISTOGRAM_BINS;
        h->width = span <= HISTOGRAM_BINS ? 1 : (hi - h->first) / (HISTOGRAM_BINS - 1);
    }
    h->below = calloc(h->bins, sizeof *h->below);
    h->in = calloc(h->bins, sizeof *h->in);
    if (!h->below || !h->in)
        return -1;
    for (size_t i = 0; i < n; ++i) {
        const double v = value_at(p, raw, i);
        if (inside(p, v) || isnan(v))
            continue;
        size_t b = (size_t)((v - h->first) / h->width);
        h->in[b < h->bins ? b : h->bins - 1] += 1;
        h->total += 1;
    }
    for (size_t b = 1; b < h->bins; ++b)
        h->below[b] = h->below[b - 1] + h->in[b - 1];
    return 0;
}

typedef struct convert_job {
    const julia_params *p;
    const histogram *h;
    const image *raw;
    image *out;
    size_t first, end; /* pixels */
} convert_job;

static void convert_pixels(void *argument) {
    const convert_job *job = argument;
    const julia_params *p = job->p;
    const unsigned spp = (unsigned)p->spp, channels = job->out->channels;
    const bool wide = job->out->sample == CLR_SAMPLE_U16;
    const float top = wide ? 65535.0f : 255.0f;
    uint8_t *narrow = job->out->pixels;
    uint16_t *levels = job->out->pixels;
    if (p->lut && spp == 1) { /* the common case, a gather from the table */
        const uint32_t *counts = job->raw->pixels;
        const uint32_t last = (uint32_t)p->lut_entries - 1;
        const uint16_t *table = p->lut_levels;
        if (channels == 1 && !wide) {
            for (size_t i = job->first; i < job->end; ++i)
                narrow[i] = (uint8_t)table[counts[i] < last ? counts[i] : last];
        } else if (channels == 3 && !wide) {
            for (size_t i = job->first; i < job->end; ++i) {
                const uint16_t *colour = table + (size_t)(counts[i] < last ? counts[i] : last) * 3;
                uint8_t *out = narrow + i * 3;
                out[0] = (uint8_t)colour[0], out[1] = (uint8_t)colour[1],
                out[2] = (uint8_t)colour[2];
            }
        } else
            for (size_t i = job->first; i < job->end; ++i) {
                const uint16_t *colour =
                    table + (size_t)(counts[i] < last ? counts[i] : last) * channels;
                for (unsigned c = 0; c < channels; ++c) {
                    if (wide)
                        levels[i * channels + c] = colour[c];
                    else
                        narrow[i * channels + c] = (uint8_t)colour[c];
                }
            }
        return;
    }
    for (size_t pixel = job->first; pixel < job->end; ++pixel) {
        float sum[3] = {0, 0, 0};
        for (unsigned s = 0; s < spp; ++s) {
            const size_t i = pixel * spp + s;
            float rgb[3];
            const float *colour = rgb;
            if (p->lut) {
                const uint32_t n = ((const uint32_t *)job->raw->pixels)[i];
                colour = p->lut + (size_t)(n < p->lut_entries ? n : p->lut_entries - 1) * channels;
            } else {
                colour_of(p, job->h, value_at(p, job->raw, i), top, rgb);
            }
            for (unsigned c = 0; c < channels; ++c)
                sum[c] += colour[c];
        }
        for (unsigned c = 0; c < channels; ++c) {
            const float clamped = rounded_level(spp == 1 ? sum[c] : sum[c] / (float)spp, top);
            if (wide)
                levels[pixel * channels + c] = (uint16_t)clamped;
            else
                narrow[pixel * channels + c] = (uint8_t)clamped;
        }
    }
}

void julia_to_output(const void *params, const image *raw, output_format format, image *out) {
    const julia_params *p = params;
    const size_t samples = raw->width * raw->height * raw->channels;
    if (format == OUTPUT_NPY || format == OUTPUT_MHA) {
        if (out->sample == CLR_SAMPLE_U16) {
            const uint32_t *counts = raw->pixels;
            uint16_t *narrow = out->pixels;
            for (size_t i = 0; i < samples; ++i)
                narrow[i] = (uint16_t)counts[i];
        } else {
            memcpy(out->pixels, raw->pixels, samples * clr_sample_size(raw->sample));
        }
        return;
    }
    if (format == OUTPUT_EXR) {
        float *values = out->pixels;
        for (size_t pixel = 0; pixel < raw->width * raw->height; ++pixel) {
            double sum = 0;
            for (size_t s = 0; s < p->spp; ++s)
                sum += value_at(p, raw, pixel * p->spp + s);
            values[pixel] = (float)(sum / (double)p->spp);
        }
        return;
    }
    histogram h = {0};
    if (p->map_used == MAP_HISTOGRAM && histogram_build(p, raw, &h) != 0) {
        /* to_output cannot fail: without memory for the histogram, t falls back to linear */
        free(h.below), free(h.in);
        h = (histogram){0};
    }
    const histogram *used = h.bins ? &h : NULL;
    julia_params linear;
    if (p->map_used == MAP_HISTOGRAM && !used) {
        linear = *p;
        linear.map_used = MAP_LINEAR;
        p = &linear;
    }
    /* Colouring costs a few nanoseconds a sample: big bands are split over the cores. */
    convert_job jobs[THREADS_MAX];
    const size_t pixels = raw->width * raw->height;
    size_t count = pixels >= 65536 ? threads_available() : 1;
    for (size_t j = 0; j < count; ++j)
        jobs[j] = (convert_job){p, used, raw, out, pixels * j / count, pixels * (j + 1) / count};
    threads_run(convert_pixels, jobs, sizeof jobs[0], count);
    free(h.below);
    free(h.in);
}
