/* render_bands.h — the band loop behind every render command (host/render_bands.c).
 *
 * A render runs in bands of rows: each band fits the device's largest
 * allocation, a host memory budget and a launch time budget. The device
 * renders the next band while the host checks the last against the reference
 * (--verify), converts it and appends it to the output file. */
#ifndef CLRENDER_RENDER_BANDS_H
#define CLRENDER_RENDER_BANDS_H

#include "cli/render_command.h"
#include "engine/verify.h"

typedef struct render_totals {
    dispatch_timings device;
    write_timings write;
    double reference_ms, convert_ms;
    verify_result verdict;
} render_totals;

/* The device side of a render: the chosen device, opened, and a dispatch session. */
typedef struct device_run {
    device_list devices;
    device_context ctx;
    dispatch_request request;
    dispatch_session session;
    int active;
} device_run;

/* One render in progress. Set r, params, options and format; zero the rest. */
typedef struct band_render {
    const renderer *r;
    const void *params;
    const render_options *options;
    output_format format;
    render_totals totals;
    /* inside: */
    size_t height, max_rows, band;
    image raw[2], check;
    image_stream stream;
    int stream_open;
    device_run run;
} band_render;

/* Renders the whole image into options->output; the totals say how long what took. */
int render_bands(band_render *b, failure *f);

/* Frees what render_bands() holds, and drops an unfinished file. */
void render_bands_release(band_render *b);

#endif
