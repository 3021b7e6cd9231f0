/* render_command.h — the one command path every renderer runs through:
 * options -> parameters -> device -> program -> dispatch -> (verify) -> file. */
#ifndef CLRENDER_RENDER_COMMAND_H
#define CLRENDER_RENDER_COMMAND_H

#include "renderers/renderer.h"

/* Options every render command takes. */
typedef struct render_options {
    const char *output;          /* -o FILE */
    const char *device_spec;     /* --device, else $CLRENDER_DEVICE, else NULL (auto) */
    int use_reference;           /* --backend reference */
    int verify;                  /* --verify */
    double tolerance;            /* --tolerance: allowed fraction of differing pixels */
    int timings;                 /* --timings */
    png_compression compression; /* --compression */
    int quiet;                   /* --quiet: no device line, no progress */
    int progress;                /* --progress: a progress bar even when stderr is no terminal */
    size_t tile_rows;            /* --tile-rows: rows per band; 0 chooses */
} render_options;

/* Parses argv[first..] into `options` and the renderer's `params` (which must
 * hold r->params_size bytes). Returns 0 or CLR_EXIT_USAGE. */
int render_parse(const renderer *r, int argc, char **argv, int first, render_options *options,
                 void *params, failure *f);

/* Runs a launch that the renderer's prepare() described for `device` into
 * `raw` (the whole raw image, in one band): open the device, build, launch,
 * read back, close. */
int render_prepared(const device_entry *device, dispatch_request *request, image *raw,
                    dispatch_timings *timings, failure *f);

/* Runs `clrender NAME ...`: argv[first] is the first option. */
int render_command(const renderer *r, int argc, char **argv, int first, failure *f);

void render_print_help(const renderer *r, FILE *out);

#endif
