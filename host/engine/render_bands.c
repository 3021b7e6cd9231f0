/* Rendering an image band by band: the device (or the reference) renders a
 * band of rows, the host verifies it, converts it and appends it to the file,
 * while the device already renders the next band. */
#define _POSIX_C_SOURCE 200809L
#include "engine/render_bands.h"

#include "util/clock.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Memory for the bands a render holds at once: the raw band, the reference's
 * copy for --verify and the band converted for the file. Small enough to keep
 * any render far below a gigabyte, large enough for few launches. */
#define BAND_BUDGET_BYTES (192u << 20)
/* The time one launch should take: short enough for a GPU watchdog (a few
 * seconds) and a lively progress bar, long enough to make launching cheap. */
#define LAUNCH_BUDGET_MS 500.0
/* The first band's pixels, before any launch has been timed. */
#define FIRST_BAND_PIXELS (16u << 20)
/* Every kernel's rows per work-item divides this, so bands can start anywhere it does. */
#define BAND_ROW_STEP 4

typedef struct progress {
    int enabled, shown;
    double start;
} progress;

static void progress_update(progress *p, size_t done, size_t total, size_t band, size_t bands) {
    double elapsed = (clock_ms() - p->start) / 1e3;
    if (!p->enabled || (elapsed < 1.0 && !p->shown && done < total))
        return;
    double fraction = total ? (double)done / (double)total : 1.0;
    double remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    char bar[31];
    size_t filled = (size_t)(fraction * 30);
    for (size_t i = 0; i < 30; ++i)
        bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\rclrender: [%s] %3.0f%%  band %zu/%zu  %.1f s, %.1f s left ", bar,
            100 * fraction, band, bands, elapsed, remaining);
    p->shown = 1;
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

static int device_run_begin(const renderer *r, const void *params, const render_options *options,
                            size_t row_bytes, size_t height, size_t max_rows, device_run *run,
                            dispatch_timings *timings, failure *f) {
    memset(run, 0, sizeof *run);
    size_t index = 0;
    int status = device_list_query(&run->devices, f);
    if (status == 0)
        status =
            device_select(run->devices.items, run->devices.count, options->device_spec, &index, f);
    if (status == 0)
        status = r->prepare(params, &run->devices.items[index], &run->request, f);
    if (status != 0)
        return status;
    const device_entry *d = &run->devices.items[index];
    if (!options->quiet)
        fprintf(stderr, "clrender: rendering on %u:%u %s %s\n", d->platform_index, d->device_index,
                device_type_name(d->type), d->name);
    run->request.image_height = height;
    run->request.bytes_per_row = row_bytes;
    status = device_open(d, &run->ctx, f);
    if (status == 0) {
        status = dispatch_begin(&run->ctx, &run->request, max_rows, &run->session, timings, f);
        if (status != 0)
            device_close(&run->ctx);
    }
    run->active = status == 0;
    return status;
}

static void device_run_end(device_run *run) {
    if (run->active) {
        dispatch_end(&run->session);
        device_close(&run->ctx);
    }
    device_list_free(&run->devices);
    run->active = 0;
}

static int short_of_resources(const device_run *run) {
    cl_int why = run->session.last_status;
    return why == CL_OUT_OF_RESOURCES || why == CL_MEM_OBJECT_ALLOCATION_FAILURE ||
           why == CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST;
}

/* Queues rows [row, row + rows) in `slot`; when the device is short of resources,
 * queues fewer rows instead (down to BAND_ROW_STEP) and lowers *band to match. */
static int queue_band(device_run *run, int slot, size_t row, size_t rows, image *into, size_t *band,
                      failure *f) {
    for (;;) {
        if (dispatch_enqueue(&run->session, slot, row, rows, into->pixels, f) == 0)
            return 0;
        if (!short_of_resources(run) || rows <= BAND_ROW_STEP)
            return f->code;
        dispatch_drain(&run->session);
        rows = rows / 2 - (rows / 2) % BAND_ROW_STEP;
        if (rows < BAND_ROW_STEP)
            rows = BAND_ROW_STEP;
        *band = rows;
    }
}

/* Rows per band at most: within the memory budget (or --tile-rows), on the row
 * step, never more than the image. */
static size_t band_limit(const render_options *options, size_t row_bytes, size_t height) {
    size_t max_rows = options->tile_rows;
    if (!max_rows) {
        /* two raw bands in flight, the reference's for --verify, the converted one */
        size_t per_row = row_bytes * (options->verify ? 4 : 3);
        max_rows = per_row ? BAND_BUDGET_BYTES / per_row : height;
    }
    if (max_rows > height)
        max_rows = height;
    if (max_rows >= BAND_ROW_STEP)
        max_rows -= max_rows % BAND_ROW_STEP;
    else if (max_rows < height)
        max_rows = BAND_ROW_STEP; /* bands start where every kernel's work-items do */
    return max_rows;
}

/* Checks a finished band against the reference, converts it and appends it to the file. */
static int finish_band(band_render *b, image *band, size_t row, failure *f) {
    if (b->options->verify) {
        b->check.height = band->height;
        double t = clock_ms();
        b->r->reference(b->params, &b->check, row);
        b->totals.reference_ms += clock_ms() - t;
        verify_result part = verify_compare(band, &b->check, b->r->sample_tolerance);
        b->totals.verdict.compared += part.compared;
        b->totals.verdict.differing += part.differing;
        if (part.largest_difference > b->totals.verdict.largest_difference)
            b->totals.verdict.largest_difference = part.largest_difference;
    }
    image converted = {0};
    double t = clock_ms();
    if (b->r->to_output(b->params, band, b->format, &converted, f) != 0)
        return f->code;
    b->totals.convert_ms += clock_ms() - t;
    int written = image_stream_rows(&b->stream, &converted, &b->totals.write, f);
    image_free(&converted);
    if (written != 0)
        b->stream_open = 0; /* the stream dropped its file */
    return written;
}

/* Waits for the band queued in `slot` (rows [row, row + *rows)) after queuing the next one in
 * the other slot. When the device ran short of resources, queues this band again with fewer
 * rows and sets *rows to 0: the caller then waits again. */
static int receive_band(band_render *b, int slot, size_t row, size_t *rows, size_t *next_rows,
                        failure *f) {
    device_run *run = &b->run;
    size_t next_row = row + *rows;
    int ok = 1;
    *next_rows = 0;
    if (next_row < b->height) {
        *next_rows = b->height - next_row < b->band ? b->height - next_row : b->band;
        ok = dispatch_enqueue(&run->session, slot ^ 1, next_row, *next_rows,
                              b->raw[slot ^ 1].pixels, f) == 0;
    }
    double kernel_before = b->totals.device.kernel_ms;
    if (ok)
        ok = dispatch_wait(&run->session, slot, &b->totals.device, f) == 0;
    if (!ok) {
        if (!short_of_resources(run) || *rows <= BAND_ROW_STEP)
            return f->code;
        dispatch_drain(&run->session);
        b->band = *rows / 2 - (*rows / 2) % BAND_ROW_STEP;
        if (b->band < BAND_ROW_STEP)
            b->band = BAND_ROW_STEP;
        size_t retry = b->height - row < b->band ? b->height - row : b->band;
        if (queue_band(run, slot, row, retry, &b->raw[slot], &b->band, f) != 0)
            return f->code;
        *next_rows = b->height - row < b->band ? b->height - row : b->band;
        *rows = 0;
        return 0;
    }
    /* Later bands: as many rows as fit the launch budget at this band's speed. */
    double ms = b->totals.device.kernel_ms - kernel_before;
    if (!b->options->tile_rows && ms > 0) {
        double scaled = (double)*rows * LAUNCH_BUDGET_MS / ms;
        size_t next = scaled > (double)b->max_rows ? b->max_rows : (size_t)scaled;
        b->band = next < BAND_ROW_STEP ? BAND_ROW_STEP : next - next % BAND_ROW_STEP;
    }
    return 0;
}

int render_bands(band_render *b, failure *f) {
    size_t width;
    unsigned channels;
    sample_type sample;
    b->r->raw_layout(b->params, &width, &b->height, &channels, &sample);
    const size_t row_bytes = width * channels * (size_t)sample;
    b->max_rows = band_limit(b->options, row_bytes, b->height);
    if (!b->options->use_reference &&
        device_run_begin(b->r, b->params, b->options, row_bytes, b->height, b->max_rows, &b->run,
                         &b->totals.device, f) != 0)
        return f->code;
    if (b->run.active && b->run.session.max_rows < b->max_rows)
        b->max_rows = b->run.session.max_rows;
    /* The first band holds about FIRST_BAND_PIXELS; later ones are sized by time. */
    b->band = b->options->tile_rows ? b->max_rows : FIRST_BAND_PIXELS / (width ? width : 1);
    b->band = b->band < BAND_ROW_STEP ? BAND_ROW_STEP : b->band - b->band % BAND_ROW_STEP;
    if (b->band > b->max_rows)
        b->band = b->max_rows;

    if (image_alloc(&b->raw[0], width, b->max_rows, channels, sample, f) != 0 ||
        (b->run.active && image_alloc(&b->raw[1], width, b->max_rows, channels, sample, f) != 0) ||
        (b->options->verify &&
         image_alloc(&b->check, width, b->max_rows, channels, sample, f) != 0) ||
        image_stream_open(b->options->output, b->format, width, b->height, b->options->compression,
                          &b->stream, f) != 0)
        return f->code;
    b->stream_open = 1;

    progress bar = {b->options->progress || (!b->options->quiet && isatty(STDERR_FILENO)), 0,
                    clock_ms()};
    size_t bands_done = 0, queued_rows = b->height < b->band ? b->height : b->band;
    /* On a device, band i + 1 is queued in the other slot before band i is waited for, so the
     * device works on it while the host checks, converts and writes band i. */
    int slot = 0;
    if (b->run.active && queue_band(&b->run, slot, 0, queued_rows, &b->raw[slot], &b->band, f))
        return f->code;
    queued_rows = b->height < b->band ? b->height : b->band;
    for (size_t row = 0; row < b->height;) {
        size_t rows =
            b->run.active ? queued_rows : (b->height - row < b->band ? b->height - row : b->band);
        image *band = &b->raw[slot];
        if (b->run.active) {
            if (receive_band(b, slot, row, &rows, &queued_rows, f) != 0)
                return f->code;
            if (rows == 0)
                continue; /* queued again, smaller */
        } else {
            band->height = rows;
            double t = clock_ms();
            b->r->reference(b->params, band, row);
            b->totals.reference_ms += clock_ms() - t;
        }
        band->height = rows;
        if (finish_band(b, band, row, f) != 0)
            return f->code;
        row += rows;
        ++bands_done;
        if (b->run.active)
            slot ^= 1;
        size_t left = b->height - row;
        progress_update(&bar, row, b->height, bands_done,
                        bands_done + (left + b->band - 1) / (b->band ? b->band : 1));
    }
    device_run_end(&b->run);
    b->stream_open = 0;
    return image_stream_finish(&b->stream, &b->totals.write, f);
}

void render_bands_release(band_render *b) {
    if (b->stream_open)
        image_stream_abort(&b->stream);
    b->stream_open = 0;
    device_run_end(&b->run);
    image_free(&b->check);
    image_free(&b->raw[1]);
    image_free(&b->raw[0]);
}

int render_prepared(const device_entry *device, dispatch_request *request, image *raw,
                    dispatch_timings *timings, failure *f) {
    device_context ctx = {0};
    dispatch_session session;
    request->image_height = raw->height;
    request->bytes_per_row = raw->width * raw->channels * (size_t)raw->sample;
    int status = device_open(device, &ctx, f);
    if (status == 0) {
        status = dispatch_begin(&ctx, request, raw->height, &session, timings, f);
        if (status == 0 && session.max_rows < raw->height)
            status = failure_set(f, CLR_EXIT_RUNTIME, "%s cannot hold the whole image at once",
                                 device->name);
        if (status == 0)
            status = dispatch_rows(&session, 0, raw->height, raw->pixels, timings, f);
        dispatch_end(&session);
        device_close(&ctx);
    }
    return status;
}
