#define _POSIX_C_SOURCE 200809L
#include "clrender/render_command.h"

#include "clrender/timing.h"
#include "clrender/values.h"
#include "clrender/verify.h"

#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int apply_output(void *target, const char *value, char *why, size_t why_len) {
    render_options *o = target;
    if (!*value) {
        snprintf(why, why_len, "empty file name");
        return -1;
    }
    o->output = value;
    return 0;
}

static int apply_device(void *target, const char *value, char *why, size_t why_len) {
    render_options *o = target;
    if (!*value) {
        snprintf(why, why_len, "empty device spec (try gpu, cpu, 0:0 or 'clrender devices')");
        return -1;
    }
    o->device_spec = value;
    return 0;
}

static int apply_backend(void *target, const char *value, char *why, size_t why_len) {
    render_options *o = target;
    if (!strcmp(value, "device") || !strcmp(value, "reference")) {
        o->use_reference = !strcmp(value, "reference");
        return 0;
    }
    snprintf(why, why_len, "expected device or reference");
    return -1;
}

static int apply_verify(void *target, const char *value, char *why, size_t why_len) {
    (void)value, (void)why, (void)why_len;
    ((render_options *)target)->verify = 1;
    return 0;
}

static int apply_tolerance(void *target, const char *value, char *why, size_t why_len) {
    render_options *o = target;
    double t;
    if (parse_finite_double(value, &t, why, why_len) != 0)
        return -1;
    if (t < 0 || t > 1) {
        snprintf(why, why_len, "a fraction of pixels from 0 to 1 is expected");
        return -1;
    }
    o->tolerance = t;
    return 0;
}

static int apply_timings(void *target, const char *value, char *why, size_t why_len) {
    (void)value, (void)why, (void)why_len;
    ((render_options *)target)->timings = 1;
    return 0;
}

static int apply_compression(void *target, const char *value, char *why, size_t why_len) {
    render_options *o = target;
    if (!strcmp(value, "fast"))
        o->compression = PNG_FAST;
    else if (!strcmp(value, "default"))
        o->compression = PNG_DEFAULT;
    else if (!strcmp(value, "best"))
        o->compression = PNG_BEST;
    else {
        snprintf(why, why_len, "expected fast, default or best");
        return -1;
    }
    return 0;
}

static int apply_quiet(void *target, const char *value, char *why, size_t why_len) {
    (void)value, (void)why, (void)why_len;
    ((render_options *)target)->quiet = 1;
    return 0;
}

static int apply_progress(void *target, const char *value, char *why, size_t why_len) {
    (void)value, (void)why, (void)why_len;
    ((render_options *)target)->progress = 1;
    return 0;
}

static int apply_tile_rows(void *target, const char *value, char *why, size_t why_len) {
    uint64_t rows;
    if (parse_uint(value, 1, 1u << 30, &rows, why, why_len) != 0)
        return -1;
    ((render_options *)target)->tile_rows = (size_t)rows;
    return 0;
}

static const cli_option common_options[] = {
    {"--output", 'o', "FILE",
     "write FILE: .png (encoded whole, in memory), or .pgm, .ppm, .npy (band by band)",
     apply_output, 0},
    {"--device", 0, "SPEC", "gpu, cpu, P:D, an index or part of a name ($CLRENDER_DEVICE)",
     apply_device, 0},
    {"--backend", 0, "B", "device (OpenCL, default) or reference (scalar C)", apply_backend, 0},
    {"--verify", 0, NULL, "also render with the reference and compare (exit 3 on mismatch)",
     apply_verify, 0},
    {"--tolerance", 0, "F", "fraction of pixels --verify lets differ (default 0)", apply_tolerance,
     0},
    {"--timings", 0, NULL, "print the time of each phase on stderr", apply_timings, 0},
    {"--compression", 0, "C", "PNG compression: fast, default or best (slow, smallest)",
     apply_compression, 0},
    {"--tile-rows", 0, "N", "rows rendered per band (default: chosen for memory and time)",
     apply_tile_rows, 0},
    {"--progress", 0, NULL, "show a progress bar even when stderr is not a terminal",
     apply_progress, 0},
    {"--quiet", 0, NULL, "print nothing but errors (and what --verify, --timings ask for)",
     apply_quiet, 0},
};

void render_print_help(const renderer *r, FILE *out) {
    fprintf(out, "usage: clrender %s -o FILE [options]\n\nRenders %s.\n\n%s options:\n", r->name,
            r->summary, r->name);
    cli_print_options(out, r->options, r->option_count);
    fprintf(out, "\ncommon options:\n");
    cli_print_options(out, common_options, sizeof common_options / sizeof common_options[0]);
    fprintf(out, "  %-34s %s\n  %-34s %s\n", "-h, --help", "show this help", "    --version",
            "show the version");
    if (r->notes)
        fprintf(out, "\n%s", r->notes);
    fprintf(out, "\nExit status: 0 done, 1 runtime failure, 2 usage error, 3 --verify mismatch.\n");
}

int render_parse(const renderer *r, int argc, char **argv, int first, render_options *options,
                 void *params, failure *f) {
    const char *env_device = getenv("CLRENDER_DEVICE");
    *options = (render_options){.device_spec = env_device && *env_device ? env_device : NULL};
    r->init(params);
    const cli_table tables[] = {
        {common_options, sizeof common_options / sizeof common_options[0], options},
        {r->options, r->option_count, params},
    };
    if (cli_parse(r->name, argc, argv, first, tables, 2, f) != 0)
        return f->code;
    if (r->finish && r->finish(params, f) != 0)
        return f->code;
    if (!options->output)
        return failure_set(f, CLR_EXIT_USAGE,
                           "%s: missing -o FILE (e.g. -o %s.png; see 'clrender %s --help')",
                           r->name, r->name, r->name);
    if (options->quiet && options->progress)
        return failure_set(f, CLR_EXIT_USAGE, "%s: --quiet and --progress contradict each other",
                           r->name);
    if (options->verify && options->use_reference)
        return failure_set(
            f, CLR_EXIT_USAGE,
            "%s: --verify compares the device with the reference; drop --backend reference",
            r->name);
    return 0;
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

/* Refuses, before any work, what cannot end well: a PNG, which stb encodes
 * whole, larger than this machine's memory, and a file larger than the free
 * space of its filesystem. */
static int check_resources(const renderer *r, const void *params, const render_options *o,
                           output_format format, size_t width, size_t height, failure *f) {
    /* The output's layout, from converting a one-pixel image. */
    image probe = {0}, converted = {0};
    size_t w, h;
    unsigned channels;
    sample_type sample;
    r->raw_layout(params, &w, &h, &channels, &sample);
    if (image_alloc(&probe, 1, 1, channels, sample, f) != 0 ||
        r->to_output(params, &probe, format, &converted, f) != 0) {
        image_free(&probe);
        return f->code;
    }
    double file_bytes = (double)width * (double)height * converted.channels * converted.sample;
    image_free(&converted);
    image_free(&probe);

    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    double memory = pages > 0 && page_size > 0 ? (double)pages * (double)page_size : 0;
    /* stb holds the image, its filtered rows and the compressed stream at once. */
    if (format == OUTPUT_PNG && memory > 0 && 3 * file_bytes > memory)
        return failure_set(
            f, CLR_EXIT_RUNTIME,
            "a %zux%zu PNG needs about %.1f GiB of memory (it is encoded whole) but "
            "this machine has %.1f GiB; use .pgm, .ppm or .npy, written band by band",
            width, height, 3 * file_bytes / 1073741824.0, memory / 1073741824.0);

    char dir[4096];
    const char *slash = strrchr(o->output, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - o->output) + (slash == o->output) : 1,
             slash ? o->output : ".");
    struct statvfs fs;
    if (statvfs(dir, &fs) == 0) {
        double free_bytes = (double)fs.f_bavail * (double)fs.f_frsize;
        /* PNG is usually much smaller, but nothing promises it. */
        if (file_bytes + 4096 > free_bytes)
            return failure_set(f, CLR_EXIT_RUNTIME,
                               "'%s' needs up to %.1f MiB but its filesystem has %.1f MiB free",
                               o->output, file_bytes / 1048576.0, free_bytes / 1048576.0);
    }
    return 0;
}

/* The device side of a render: the chosen device, opened, and a dispatch session. */
typedef struct device_run {
    device_list devices;
    device_context ctx;
    dispatch_request request;
    dispatch_session session;
    int active;
} device_run;

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

int render_command(const renderer *r, int argc, char **argv, int first, failure *f) {
    double start = clock_ms();
    render_options options;
    void *params = calloc(1, r->params_size);
    image raw[2] = {{0}, {0}}, check = {0};
    image_stream stream = {0};
    device_run run = {0};
    dispatch_timings dt = {0, 0, 0};
    write_timings wt = {0, 0};
    double reference_ms = 0, convert_ms = 0;
    verify_result verdict = {0, 0, 0};
    output_format format;
    int status = CLR_EXIT_RUNTIME, stream_open = 0;
    if (!params)
        return failure_set(f, CLR_EXIT_RUNTIME, "out of memory");

    /* Everything the user typed, and what the machine can hold, is checked before any work. */
    size_t width, height;
    unsigned channels;
    sample_type sample;
    if (render_parse(r, argc, argv, first, &options, params, f) != 0 ||
        output_format_from_path(options.output, &format, f) != 0)
        goto done;
    r->raw_layout(params, &width, &height, &channels, &sample);
    if (output_format_accepts(options.output, format, width, height, channels, f) != 0 ||
        output_directory_writable(options.output, f) != 0 ||
        check_resources(r, params, &options, format, width, height, f) != 0)
        goto done;

    /* Bands: within the memory budget, first of about FIRST_BAND_PIXELS, then sized by time. */
    const size_t row_bytes = width * channels * (size_t)sample;
    size_t max_rows = options.tile_rows;
    if (!max_rows) {
        /* two raw bands in flight, the reference's for --verify, the converted one */
        size_t per_row = row_bytes * (options.verify ? 4 : 3);
        max_rows = per_row ? BAND_BUDGET_BYTES / per_row : height;
    }
    if (max_rows > height)
        max_rows = height;
    if (max_rows >= BAND_ROW_STEP)
        max_rows -= max_rows % BAND_ROW_STEP;
    else if (max_rows < height)
        max_rows = BAND_ROW_STEP; /* bands start where every kernel's work-items do */
    if (!options.use_reference &&
        device_run_begin(r, params, &options, row_bytes, height, max_rows, &run, &dt, f) != 0)
        goto done;
    if (run.active && run.session.max_rows < max_rows)
        max_rows = run.session.max_rows;
    size_t band = options.tile_rows ? max_rows : FIRST_BAND_PIXELS / (width ? width : 1);
    band = band < BAND_ROW_STEP ? BAND_ROW_STEP : band - band % BAND_ROW_STEP;
    if (band > max_rows)
        band = max_rows;

    if (image_alloc(&raw[0], width, max_rows, channels, sample, f) != 0 ||
        (run.active && image_alloc(&raw[1], width, max_rows, channels, sample, f) != 0) ||
        (options.verify && image_alloc(&check, width, max_rows, channels, sample, f) != 0) ||
        image_stream_open(options.output, format, width, height, options.compression, &stream, f) !=
            0)
        goto done;
    stream_open = 1;

    progress bar = {options.progress || (!options.quiet && isatty(STDERR_FILENO)), 0, clock_ms()};
    size_t bands_done = 0;
    /* On a device, band i + 1 is queued in the other slot before band i is waited for, so the
     * device works on it while the host checks, converts and writes band i. */
    int slot = 0;
    size_t queued_rows = 0;
    if (run.active &&
        queue_band(&run, slot, 0, height < band ? height : band, &raw[slot], &band, f) != 0)
        goto done;
    queued_rows = height < band ? height : band;
    for (size_t row = 0; row < height;) {
        size_t rows = run.active ? queued_rows : (height - row < band ? height - row : band);
        image *band_image = &raw[slot];
        band_image->height = rows;
        if (run.active) {
            size_t next_row = row + rows, next_rows = 0;
            int ok = 1;
            if (next_row < height) {
                next_rows = height - next_row < band ? height - next_row : band;
                ok = dispatch_enqueue(&run.session, slot ^ 1, next_row, next_rows,
                                      raw[slot ^ 1].pixels, f) == 0;
            }
            double kernel_before = dt.kernel_ms;
            if (ok)
                ok = dispatch_wait(&run.session, slot, &dt, f) == 0;
            if (!ok) {
                /* Short of resources: start this band again with half its rows. */
                if (!short_of_resources(&run) || rows <= BAND_ROW_STEP)
                    goto done;
                dispatch_drain(&run.session);
                band = rows / 2 - (rows / 2) % BAND_ROW_STEP;
                if (band < BAND_ROW_STEP)
                    band = BAND_ROW_STEP;
                if (queue_band(&run, slot, row, height - row < band ? height - row : band,
                               &raw[slot], &band, f) != 0)
                    goto done;
                queued_rows = height - row < band ? height - row : band;
                continue;
            }
            /* Later bands: as many rows as fit the launch budget at this band's speed. */
            double ms = dt.kernel_ms - kernel_before;
            if (!options.tile_rows && ms > 0) {
                double scaled = (double)rows * LAUNCH_BUDGET_MS / ms;
                size_t next = scaled > (double)max_rows ? max_rows : (size_t)scaled;
                band = next < BAND_ROW_STEP ? BAND_ROW_STEP : next - next % BAND_ROW_STEP;
            }
            queued_rows = next_rows;
        } else {
            double t = clock_ms();
            r->reference(params, band_image, row);
            reference_ms += clock_ms() - t;
        }
        if (options.verify) {
            check.height = rows;
            double t = clock_ms();
            r->reference(params, &check, row);
            reference_ms += clock_ms() - t;
            verify_result part = verify_compare(band_image, &check, r->sample_tolerance);
            verdict.compared += part.compared;
            verdict.differing += part.differing;
            if (part.largest_difference > verdict.largest_difference)
                verdict.largest_difference = part.largest_difference;
        }
        image converted = {0};
        double t = clock_ms();
        if (r->to_output(params, band_image, format, &converted, f) != 0)
            goto done;
        convert_ms += clock_ms() - t;
        int written = image_stream_rows(&stream, &converted, &wt, f);
        image_free(&converted);
        if (written != 0) {
            stream_open = 0; /* the stream dropped its file */
            goto done;
        }
        row += rows;
        ++bands_done;
        if (run.active)
            slot ^= 1;
        size_t left = height - row, estimate = bands_done + (left + band - 1) / (band ? band : 1);
        progress_update(&bar, row, height, bands_done, estimate);
    }
    device_run_end(&run);
    stream_open = 0;
    if (image_stream_finish(&stream, &wt, f) != 0)
        goto done;

    status = 0;
    if (options.verify) {
        double fraction = verify_fraction(&verdict);
        printf("verify: %llu pixels compared, %llu differing (%.6f%%), largest %s difference %u\n",
               (unsigned long long)verdict.compared, (unsigned long long)verdict.differing,
               100.0 * fraction, r->difference_unit, (unsigned)verdict.largest_difference);
        fflush(stdout);
        if (fraction > options.tolerance)
            status =
                failure_set(f, CLR_EXIT_VERIFY,
                            "verify failed: %.6f%% of pixels differ from the reference, more than "
                            "--tolerance %g allows",
                            100.0 * fraction, options.tolerance);
    }
    if (options.timings) {
        if (!options.use_reference)
            fprintf(stderr, "build: %.1f ms\nkernel: %.1f ms\ntransfer: %.1f ms\n", dt.build_ms,
                    dt.kernel_ms, dt.transfer_ms);
        if (options.use_reference || options.verify)
            fprintf(stderr, "reference: %.1f ms\n", reference_ms);
        fprintf(stderr, "encode: %.1f ms\nwrite: %.1f ms\ntotal: %.1f ms\n",
                convert_ms + wt.encode_ms, wt.write_ms, clock_ms() - start);
    }
done:
    if (stream_open)
        image_stream_abort(&stream);
    device_run_end(&run);
    image_free(&check);
    image_free(&raw[1]);
    image_free(&raw[0]);
    if (r->release)
        r->release(params);
    free(params);
    return status == 0 ? 0 : f->code;
}
