/* renderer.h — what a renderer supplies; the engine does everything else.
 *
 * A renderer is a folder under host/renderers/ (its parameters and presets,
 * its launch description, its scalar reference), a kernel in kernels/ and one
 * line in host/renderers/registry.c. The engine (host/engine/) sets its
 * parameters, chooses and opens devices, builds the kernel, uploads inputs,
 * launches bands on every device, verifies against the reference and feeds
 * the sinks; the command line (host/cli/) turns its parameter table into
 * options and help. docs/ARCHITECTURE.md walks through adding one.
 */
#ifndef CLRENDER_RENDERER_H
#define CLRENDER_RENDERER_H

#include "device/device.h"
#include "engine/launch.h"
#include "output/image_writer.h"
#include "util/image.h"
#include "util/params.h"

/* How --verify judges a render: by the pixels that differ from the reference
 * (the render fails when more than --tolerance of them do), or by the mean
 * difference (it fails when that exceeds --tolerance). */
typedef enum verify_judge { VERIFY_PIXELS, VERIFY_MEAN } verify_judge;

/* How --verify compares the device's samples with the reference's. */
typedef struct verify_rule {
    const char *unit;          /* what a difference is counted in: "count", "channel level" */
    bool integer;              /* integer samples, compared in levels */
    uint32_t levels;           /* integer: a sample differs when off by more than this */
    double absolute, relative; /* real: differs when |a - b| > absolute + relative * |ref| */
    /* real: `relative` scales the largest |ref| of the frame instead of each |ref|, and
     * differences are reported relative to it: for values that pass through zero, whose
     * rounding follows the frame's scale */
    bool relative_to_frame_max;
    verify_judge judge;
    /* VERIFY_MEAN: differences are relative to the largest |ref| of the render; the mean is
     * judged against --tolerance, this when none is given */
    double default_tolerance;
    /* The reference computes what the kernels approximate (an exact solution), not the
     * same maths: a render without a verifier gives the reference's result. */
    bool reference_is_truth;
    const char *reference_name; /* for messages: "the analytic projection"; NULL: "the reference" */
} verify_rule;

/* Input data a caller attaches by name (clr_set_input): a volume, say. */
typedef struct input_spec {
    const char *name;
    const char *help;
    unsigned dims;        /* how many dimensions the data must have */
    unsigned sample_mask; /* 1 << clr_sample for each accepted sample type */
} input_spec;

typedef struct attached_input {
    const void *data; /* NULL until attached */
    clr_sample sample;
    size_t dims[4];
    uint64_t generation; /* grows each time it is attached again */
} attached_input;

/* What finish() gets besides the parameters. */
typedef struct renderer_context {
    const bool *was_set;          /* per row of the parameter table: set since the last reset */
    const attached_input *inputs; /* per row of the input table */
    void (*warn)(void *user, const char *message); /* a warning for the caller */
    void *user;
} renderer_context;

typedef struct renderer {
    const char *name;    /* "julia" */
    const char *summary; /* one line for 'clrender --help' */
    const char *notes;   /* extra paragraphs for 'clrender NAME --help', or NULL */
    const param_spec *params;
    size_t param_count;
    size_t params_size; /* of the struct its parameter table writes into */
    const input_spec *inputs;
    size_t input_count;
    /* Parameter settings that together select every kernel the renderer can
     * launch, each "name=value ..." (NULL-terminated): tests/gpu_compile builds
     * each for a GPU target on every kind of device launch() distinguishes. */
    const char *const *kernel_variants;
    verify_rule verify;
    /* The rule when it depends on the parameters, or NULL: `verify`. */
    void (*verify_rule_for)(const void *params, verify_rule *rule);

    /* Fills defaults. */
    void (*init)(void *params);
    /* Checks how the parameters combine and derives what the launches need
     * (a scene file is read here); usage failure on error. May be NULL. Runs
     * before a render whenever a parameter or input changed since the last. */
    int (*finish)(void *params, const renderer_context *context, failure *f);
    /* Frees what finish() allocated; may be NULL. */
    void (*release)(void *params);

    /* What a render produces: frames, height, width, channels, sample. */
    void (*layout)(const void *params, clr_layout *layout);

    /* Describes the launch of `frame` on `device`: pass 0, or a later pass when the
     * launch of pass 0 asked for several (launch.h). */
    int (*launch)(const void *params, const device_entry *device, size_t frame, size_t pass,
                  launch *l, failure *f);

    /* The scalar C reference, no OpenCL: rows first_row .. first_row +
     * rows->height - 1 of `frame`, into `rows`. */
    void (*reference)(const void *params, size_t frame, image *rows, size_t first_row);

    /* The iterations frame `frame` took (escape-time steps, voxels walked), for bench's
     * G-iterations/s; may be NULL. */
    double (*iterations)(const void *params, size_t frame, const image *raw);

    /* What `format` stores, when it is not the rendered samples as they are (then
     * to_output converts): channels and sample type. NULL: every format stores the
     * rendered samples. */
    void (*output_layout)(const void *params, output_format format, unsigned *channels,
                          clr_sample *sample);
    /* Converts rendered rows into `out`, which holds as many rows of the output layout. */
    void (*to_output)(const void *params, const image *raw, output_format format, image *out);
    /* Whether to_output needs whole frames for `format` (a grey scale fitted to each frame's
     * values); NULL: bands will do. */
    bool (*output_whole_frames)(const void *params, output_format format);
    /* What a file that records where its pixels are (.mha) says: the spacing of columns and
     * rows and the position of pixel (0, 0). NULL: 1 and 0. */
    void (*pixel_geometry)(const void *params, double spacing[2], double origin[2]);
} renderer;

/* The rule --verify applies to the renderer with these parameters. */
verify_rule renderer_verify_rule(const renderer *r, const void *params);

/* NULL-terminated table of every renderer (host/renderers/registry.c). */
extern const renderer *const renderer_registry[];

const renderer *renderer_find(const char *name);

/* Whether the parameter `name` was set since the last reset. */
bool renderer_was_set(const renderer *r, const renderer_context *context, const char *name);

#endif
