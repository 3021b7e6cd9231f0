/* julia.h — the filled Julia set of z^2 + c, by escape time.
 *
 * Sample points are numpy.linspace over the region with both ends included:
 * column i has x = i*step + XMIN with step = (XMAX-XMIN)/(W-1), and the last
 * column is exactly XMAX; the rows sample Y the same way from YMIN, and row 0
 * (the top of the image) is the last sample, YMAX. The count n of a point z
 * is the first 0-based iteration i at which |z|^2 >= R^2 right after
 * z <- z^2 + c, or MAX when that does not happen within MAX iterations.
 * Gray = floor(255 * (max(n, MIN) - MIN) / (MAX - MIN)). Colours: colour.c.
 */
#ifndef CLRENDER_JULIA_H
#define CLRENDER_JULIA_H

#include "output/palette.h"
#include "renderers/renderer.h"

#include <stdint.h>

/* In the order of the --precision choices. */
typedef enum precision { PRECISION_DOUBLE, PRECISION_FLOAT } precision;
/* In the order of the --values, --map and --bit-depth choices. */
typedef enum value_kind { VALUES_COUNTS, VALUES_SMOOTH } value_kind;
typedef enum colour_map { MAP_LINEAR, MAP_LOG, MAP_HISTOGRAM } colour_map;
typedef enum bit_depth { BIT_DEPTH_8, BIT_DEPTH_16 } bit_depth;
typedef enum colour_mode { COLOUR_GRAY, COLOUR_PALETTE } colour_mode;

/* The most samples per pixel (--spp). */
#define JULIA_MAX_SPP 1024

typedef struct julia_params {
    double c[2];      /* re, im */
    double region[4]; /* x_min, x_max, y_min, y_max */
    image_size size;
    uint64_t iter_min, iter_max;
    double threshold;
    int precision; /* enum precision */
    int kernel;    /* kernel_variant */
    /* The view by its centre instead of --region (finish() derives the region): */
    double center[2];     /* x, y */
    double view_width;    /* --width; 0: none given */
    double zoom;          /* --zoom: the default view's width / zoom; 0: none given */
    int stretch;          /* --stretch: a --region whose aspect differs from --size's is meant */
    double default_width; /* the default view's, which --zoom divides: 3.2, or 3.5 */
    int mandelbrot;       /* the Mandelbrot set: z from 0, c the pixel (--c unused) */
    uint64_t spp;         /* samples per pixel */
    /* Colour: */
    char *color;           /* --color: gray, smooth, palette:NAME or palette:FILE; NULL: gray */
    int values;            /* enum value_kind: what the kernel computes (--values) */
    int map;               /* enum colour_map (--map; default linear for gray, log for palettes) */
    double inside[3];      /* --inside: R, G, B of points inside the set, 0..255 */
    double palette_offset; /* --palette-offset: added to the palette position */
    double palette_cycles; /* --palette-cycles: times the palette repeats over MIN..MAX */
    int bit_depth;         /* enum bit_depth */
    /* Derived by finish(): */
    double escape_radius; /* --threshold, or JULIA_SMOOTH_RADIUS for smooth values */
    int smooth;           /* the kernel computes nu (float), not counts */
    int colour_mode;      /* enum colour_mode */
    int map_used;         /* enum colour_map */
    int inside_set;       /* --inside was given */
    palette pal;          /* COLOUR_PALETTE: its colours */
    float *lut;           /* counts 0..MAX: their colours in the output's levels, or NULL */
    uint16_t *lut_levels; /* the same rounded to whole levels, for one sample per pixel */
    size_t lut_entries;
} julia_params;

extern const renderer mandelbrot_renderer;

extern const renderer julia_renderer;

/* The largest MAX of --iter: counts are stored as 32-bit unsigned integers. */
#define JULIA_ITER_LIMIT UINT32_MAX

/* The reference's building blocks, exposed for unit tests. */
double julia_sample(double start, double stop, uint64_t count, uint64_t i);
uint32_t julia_count(double z_re, double z_im, double c_re, double c_im, double escape_r2,
                     uint32_t max_iter);
uint32_t julia_count_float(float z_re, float z_im, float c_re, float c_im, float escape_r2,
                           uint32_t max_iter);
uint8_t julia_gray(uint32_t count, uint32_t iter_min, uint32_t iter_max);
/* nu = n + 1 - log2(ln|z|) for a point that escaped at n with |z|^2 = r2; +inf inside. */
float julia_smooth(uint32_t n, double r2, uint32_t max_iter);
void julia_reference(const void *params, size_t frame, image *rows, size_t first_row);

/* colour.c: the tables finish() builds for the colouring, and freeing them. */
int julia_colour_prepare(julia_params *p, failure *f);
void julia_colour_release(julia_params *p);
void julia_output_layout(const void *params, output_format format, unsigned *channels,
                         clr_sample *sample);
void julia_to_output(const void *params, const image *raw, output_format format, image *out);
bool julia_output_whole_frames(const void *params, output_format format);

#endif
