/* renderer.h — what a renderer supplies; everything else is shared.
 *
 * Adding a renderer means writing kernels/NAME.cl, its scalar twin in host/,
 * a `renderer` value describing both, and one entry in host/renderers.c.
 * Options, device choice, the build, the launch, --verify and the image files
 * are handled once, in host/render_command.c, for every renderer.
 */
#ifndef CLRENDER_RENDERER_H
#define CLRENDER_RENDERER_H

#include "cli/options.h"
#include "device/device.h"
#include "engine/dispatch.h"
#include "util/image.h"
#include "output/image_writer.h"

typedef struct renderer {
    const char *name;    /* the command: "julia" */
    const char *summary; /* one line for 'clrender --help' */
    const char *notes;   /* extra paragraphs for 'clrender NAME --help', or NULL */
    const cli_option *options;
    size_t option_count;
    size_t params_size;
    /* Option sets that together select every kernel this renderer can launch (each a
     * space-separated list of options, NULL-terminated): tests/gpu_compile builds each one for
     * a GPU target, on every kind of device prepare() distinguishes. */
    const char *const *kernel_variants;
    const char *difference_unit; /* what --verify compares: "count", "channel level" */
    uint32_t sample_tolerance;   /* --verify: a sample differs when off by more than this */

    /* Fills defaults; then the options are applied; then finish(), when not
     * NULL, checks how they combine (usage failure on error). */
    void (*init)(void *params);
    int (*finish)(void *params, failure *f);
    /* Frees what init()/finish() allocated; may be NULL. */
    void (*release)(void *params);

    /* The raw image the kernel and the reference both produce. */
    void (*raw_layout)(const void *params, size_t *width, size_t *height, unsigned *channels,
                       sample_type *sample);

    /* Describes the launch on `device` (kernel, options, arguments, work size
     * and rows_per_item); runtime failure when the device cannot run it (e.g.
     * no fp64). */
    int (*prepare)(const void *params, const device_entry *device, dispatch_request *request,
                   failure *f);

    /* The scalar C reference, no OpenCL: rows first_row .. first_row +
     * rows->height - 1 of the raw image, into `rows`. */
    void (*reference)(const void *params, image *rows, size_t first_row);

    /* The iterations a raw image took (Julia: each count n < MAX took n + 1,
     * MAX took MAX), for bench's G-iterations/s; NULL for other renderers. */
    double (*iterations)(const void *params, const image *raw);

    /* The image to store in `format`, made from the raw one. */
    int (*to_output)(const void *params, const image *raw, output_format format, image *out,
                     failure *f);
} renderer;

/* NULL-terminated table of every renderer (host/renderers.c). */
extern const renderer *const clr_renderers[];

const renderer *renderer_find(const char *name);

#endif
