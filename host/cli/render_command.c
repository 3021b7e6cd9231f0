#define _POSIX_C_SOURCE 200809L
#include "cli/render_command.h"

#include "engine/render_bands.h"

#include "util/clock.h"
#include "util/values.h"
#include "engine/verify.h"

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
    output_directory(o->output, dir, sizeof dir);
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

int render_command(const renderer *r, int argc, char **argv, int first, failure *f) {
    double start = clock_ms();
    render_options options;
    void *params = calloc(1, r->params_size);
    band_render b = {0};
    int status = CLR_EXIT_RUNTIME;
    if (!params)
        return failure_set(f, CLR_EXIT_RUNTIME, "out of memory");

    /* Everything the user typed, and what the machine can hold, is checked before any work. */
    size_t width, height;
    unsigned channels;
    sample_type sample;
    output_format format;
    if (render_parse(r, argc, argv, first, &options, params, f) != 0 ||
        output_format_from_path(options.output, &format, f) != 0)
        goto done;
    r->raw_layout(params, &width, &height, &channels, &sample);
    if (output_format_accepts(options.output, format, width, height, channels, f) != 0 ||
        output_directory_writable(options.output, f) != 0 ||
        check_resources(r, params, &options, format, width, height, f) != 0)
        goto done;

    b.r = r, b.params = params, b.options = &options, b.format = format;
    if (render_bands(&b, f) != 0)
        goto done;

    status = 0;
    const render_totals *t = &b.totals;
    if (options.verify) {
        double fraction = verify_fraction(&t->verdict);
        printf("verify: %llu pixels compared, %llu differing (%.6f%%), largest %s difference %u\n",
               (unsigned long long)t->verdict.compared, (unsigned long long)t->verdict.differing,
               100.0 * fraction, r->difference_unit, (unsigned)t->verdict.largest_difference);
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
            fprintf(stderr, "build: %.1f ms\nkernel: %.1f ms\ntransfer: %.1f ms\n",
                    t->device.build_ms, t->device.kernel_ms, t->device.transfer_ms);
        if (options.use_reference || options.verify)
            fprintf(stderr, "reference: %.1f ms\n", t->reference_ms);
        fprintf(stderr, "encode: %.1f ms\nwrite: %.1f ms\ntotal: %.1f ms\n",
                t->convert_ms + t->write.encode_ms, t->write.write_ms, clock_ms() - start);
    }
done:
    render_bands_release(&b);
    if (r->release)
        r->release(params);
    free(params);
    return status == 0 ? 0 : f->code;
}
