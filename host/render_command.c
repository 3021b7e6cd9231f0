#define _POSIX_C_SOURCE 200809L
#include "clrender/render_command.h"

#include "clrender/timing.h"
#include "clrender/values.h"
#include "clrender/verify.h"

#include <stdlib.h>
#include <string.h>
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

static const cli_option common_options[] = {
    {"--output", 'o', "FILE", "write FILE: .png, .pgm, .ppm or .npy (required)", apply_output, 0},
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
    if (options->verify && options->use_reference)
        return failure_set(
            f, CLR_EXIT_USAGE,
            "%s: --verify compares the device with the reference; drop --backend reference",
            r->name);
    return 0;
}

typedef struct phase_times {
    double build, kernel, transfer, reference, encode, write;
} phase_times;

static void print_timings(const phase_times *t, double total, int device_ran, int reference_ran) {
    if (device_ran)
        fprintf(stderr, "build: %.1f ms\nkernel: %.1f ms\ntransfer: %.1f ms\n", t->build, t->kernel,
                t->transfer);
    if (reference_ran)
        fprintf(stderr, "reference: %.1f ms\n", t->reference);
    fprintf(stderr, "encode: %.1f ms\nwrite: %.1f ms\ntotal: %.1f ms\n", t->encode, t->write,
            total);
}

int render_prepared(const device_entry *device, dispatch_request *request, image *raw,
                    dispatch_timings *timings, failure *f) {
    device_context ctx = {0};
    int status = device_open(device, &ctx, f);
    if (status == 0) {
        request->output = raw->pixels;
        request->output_bytes = image_bytes(raw->width, raw->height, raw->channels, raw->sample);
        status = dispatch_render(&ctx, request, timings, f);
        device_close(&ctx);
    }
    return status;
}

/* Renders `raw` on the OpenCL device that --device chooses, and says which. */
static int render_on_device(const renderer *r, const void *params, const render_options *options,
                            image *raw, phase_times *times, failure *f) {
    device_list devices = {0};
    size_t index = 0;
    dispatch_request request;
    memset(&request, 0, sizeof request);
    int status = device_list_query(&devices, f);
    if (status == 0)
        status = device_select(devices.items, devices.count, options->device_spec, &index, f);
    if (status == 0)
        status = r->prepare(params, &devices.items[index], &request, f);
    if (status == 0) {
        const device_entry *d = &devices.items[index];
        fprintf(stderr, "clrender: rendering on %u:%u %s %s\n", d->platform_index, d->device_index,
                device_type_name(d->type), d->name);
        dispatch_timings dt = {0, 0, 0};
        status = render_prepared(d, &request, raw, &dt, f);
        times->build = dt.build_ms, times->kernel = dt.kernel_ms, times->transfer = dt.transfer_ms;
    }
    device_list_free(&devices);
    return status;
}

/* Refuses, before any work, a render whose images cannot fit in this machine's
 * memory: calloc would succeed (memory is overcommitted) and the process would
 * be killed later, while filling them. */
static int check_host_memory(size_t width, size_t height, unsigned channels, sample_type sample,
                             int verify, failure *f) {
    double raw = (double)width * (double)height * channels * (double)sample;
    /* the raw image, the reference's copy for --verify, and the converted output */
    double needed = raw * (verify ? 3 : 2);
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    double physical = pages > 0 && page_size > 0 ? (double)pages * (double)page_size : 0;
    if (physical > 0 && needed > physical)
        return failure_set(
            f, CLR_EXIT_RUNTIME,
            "a %zux%zu render needs about %.1f GiB of memory but this machine has %.1f "
            "GiB; use a smaller --size",
            width, height, needed / 1073741824.0, physical / 1073741824.0);
    return 0;
}

int render_command(const renderer *r, int argc, char **argv, int first, failure *f) {
    double start = clock_ms();
    render_options options;
    void *params = calloc(1, r->params_size);
    image raw = {0}, check = {0}, out = {0};
    phase_times times = {0};
    verify_result verdict = {0, 0, 0};
    output_format format;
    int status = CLR_EXIT_RUNTIME;
    if (!params)
        return failure_set(f, CLR_EXIT_RUNTIME, "out of memory");

    /* Everything the user typed is checked before any work starts. */
    size_t width, height;
    unsigned channels;
    sample_type sample;
    if (render_parse(r, argc, argv, first, &options, params, f) != 0 ||
        output_format_from_path(options.output, &format, f) != 0)
        goto done;
    r->raw_layout(params, &width, &height, &channels, &sample);
    if (output_format_accepts(options.output, format, width, height, channels, f) != 0 ||
        output_directory_writable(options.output, f) != 0)
        goto done;
    if (check_host_memory(width, height, channels, sample, options.verify, f) != 0 ||
        image_alloc(&raw, width, height, channels, sample, f) != 0)
        goto done;

    if (options.use_reference) {
        double t = clock_ms();
        r->reference(params, &raw);
        times.reference = clock_ms() - t;
    } else if (render_on_device(r, params, &options, &raw, &times, f) != 0) {
        goto done;
    }
    if (options.verify) {
        if (image_alloc(&check, width, height, channels, sample, f) != 0)
            goto done;
        double t = clock_ms();
        r->reference(params, &check);
        times.reference = clock_ms() - t;
        verdict = verify_compare(&raw, &check, r->sample_tolerance);
    }

    write_timings wt = {0, 0};
    double convert_start = clock_ms();
    if (r->to_output(params, &raw, format, &out, f) != 0)
        goto done;
    double convert_ms = clock_ms() - convert_start;
    if (image_write_file(options.output, format, &out, options.compression, &wt, f) != 0)
        goto done;
    times.encode = convert_ms + wt.encode_ms;
    times.write = wt.write_ms;

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
    if (options.timings)
        print_timings(&times, clock_ms() - start, !options.use_reference,
                      options.use_reference || options.verify);
done:
    image_free(&out);
    image_free(&check);
    image_free(&raw);
    if (r->release)
        r->release(params);
    free(params);
    return status == 0 ? 0 : f->code;
}
