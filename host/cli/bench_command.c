/* `clrender bench`: the standard workloads timed in this process, through the public API:
 * one session per backend, reused across the repeats, no files. */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"
#include "util/clock.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SETTINGS 4
#define MAX_REPEAT   1000

typedef struct workload {
    const char *name;
    const char *renderer;
    const char *settings[MAX_SETTINGS][2]; /* parameter, value */
} workload;

static const workload workloads[] = {
    {"julia-blog-zoom", "julia", {{"preset", "blog-zoom"}}},
    {"julia-blog-zoom-float", "julia", {{"preset", "blog-zoom"}, {"precision", "float"}}},
    {"julia-blog-overview", "julia", {{"preset", "blog-overview"}}},
    {"sphere-pyconde", "sphere", {{"preset", "pyconde"}}},
    {"sphere-default", "sphere", {{"size", "1920x1080"}, {"spp", "4"}}},
    {"xray-bisulco", "xray", {{"preset", "bisulco"}}},
    {"xray-256", "xray", {{"voxels", "256"}}},
    {"xray-512", "xray", {{"voxels", "512"}, {"voxel-size", "0.5"}}},
};
#define WORKLOAD_COUNT (sizeof workloads / sizeof workloads[0])

typedef struct bench_options {
    char *device_spec; /* NULL: the default device; "all": each device, then all together */
    uint64_t repeat;
    int json;
    int no_reference;
} bench_options;

static const param_spec bench_rows[] = {
    PARAM_TEXT("device", bench_options, device_spec, "SPEC",
               "devices as for render commands; all: each device, then all together"),
    PARAM_UINT("repeat", bench_options, repeat, 1, MAX_REPEAT, "N",
               "renders per workload and backend; medians are reported (default 5)"),
    PARAM_FLAG("json", bench_options, json, "print JSON instead of a table"),
    PARAM_FLAG("no-reference", bench_options, no_reference,
               "time the devices only, without the scalar reference and the speed-up"),
};
#define ROW_COUNT (sizeof bench_rows / sizeof bench_rows[0])

void bench_print_help(const char *name, FILE *out) {
    fprintf(out,
            "usage: clrender %s [WORKLOAD...] [--device SPEC|all] [--repeat N] [--json]\n"
            "       [--no-reference]\n\n"
            "Renders each workload on the device(s) and with the scalar reference, --repeat\n"
            "times in one session each, and reports the session's set-up (opening the\n"
            "devices) and build (compiling the kernels) once, then medians of the renders:\n"
            "kernel ms (OpenCL profiling; the whole render for the reference; for several\n"
            "devices together, the busiest device's), total ms (the render call: launches,\n"
            "read-back), Mpixel/s, G-iterations/s (Julia's iterations, the voxels X-rays\n"
            "pass through) and the speed-up of the kernel over the reference. No files are\n"
            "written.\n\nworkloads (default: all):\n",
            name);
    for (size_t i = 0; i < WORKLOAD_COUNT; ++i) {
        fprintf(out, "  %-22s clrender %s", workloads[i].name, workloads[i].renderer);
        for (size_t k = 0; k < MAX_SETTINGS && workloads[i].settings[k][0]; ++k)
            fprintf(out, " --%s %s", workloads[i].settings[k][0], workloads[i].settings[k][1]);
        fprintf(out, "\n");
    }
    fprintf(out, "\noptions:\n");
    cli_print_rows(out, bench_rows, ROW_COUNT);
    fprintf(out, "  %-34s %s\n", "-h, --help", "show this help");
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, size_t n) {
    qsort(values, n, sizeof *values, compare_doubles);
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

/* One backend of one workload: a device spec, or the reference when `devices` is NULL. */
typedef struct result {
    const workload *load;
    int reference;
    char backend[320];        /* for the table */
    clr_device_info *devices; /* the session's */
    size_t device_count;
    double setup_ms, build_ms, kernel_ms, total_ms, iterations, pixels, speedup;
} result;

static void name_backend(result *x) {
    if (x->reference) {
        snprintf(x->backend, sizeof x->backend, "scalar reference (1 thread)");
        return;
    }
    size_t used = 0;
    for (size_t i = 0; i < x->device_count && used < sizeof x->backend; ++i)
        used +=
            (size_t)snprintf(x->backend + used, sizeof x->backend - used, "%s%u:%u", i ? "+" : "",
                             x->devices[i].platform_index, x->devices[i].device_index);
    for (size_t i = 0; i < x->device_count && used < sizeof x->backend; ++i)
        used += (size_t)snprintf(x->backend + used, sizeof x->backend - used, "%s%s",
                                 i ? " + " : " ", x->devices[i].type_name);
    if (x->device_count == 1)
        snprintf(x->backend + used, sizeof x->backend - used, " %s", x->devices[0].name);
}

static int apply_settings(clr_session *s, const workload *load, failure *f) {
    for (size_t k = 0; k < MAX_SETTINGS && load->settings[k][0]; ++k)
        if (clr_set(s, load->settings[k][0], load->settings[k][1], f) != CLR_OK)
            return f->status;
    return 0;
}

/* The busiest device's kernel time: what several devices working side by side take. */
static double busiest_kernel_ms(const clr_session *s) {
    double longest = 0;
    for (size_t i = 0; i < clr_session_device_count(s); ++i) {
        clr_device_share share;
        if (clr_session_device_share(s, i, &share, NULL) == CLR_OK && share.kernel_ms > longest)
            longest = share.kernel_ms;
    }
    return longest;
}

static int measure(result *x, const char *devices, const char *origin, unsigned repeat,
                   failure *f) {
    clr_session_options options = {0};
    cli_environment(&options);
    options.devices = devices, options.devices_origin = origin;
    options.reference = x->reference;
    options.log = NULL; /* quiet: the table says which devices ran */
    clr_session *s = clr_session_open(x->load->renderer, &options, f);
    if (!s)
        return f->status;
    clr_layout layout;
    void *buffer = NULL;
    double *kernel = calloc(repeat, sizeof *kernel), *total = calloc(repeat, sizeof *total);
    int status = kernel && total ? 0 : failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    if (status == 0)
        status = apply_settings(s, x->load, f);
    if (status == 0)
        status = clr_layout_get(s, &layout, f);
    if (status == 0 && !(buffer = malloc(layout.bytes)))
        status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    if (status == 0)
        status = clr_session_prepare(s, f);
    clr_timings t;
    if (status == 0) {
        clr_session_timings(s, &t);
        x->setup_ms = t.setup_ms;
        x->build_ms = t.build_ms;
        x->device_count = clr_session_device_count(s);
        x->devices = calloc(x->device_count ? x->device_count : 1, sizeof *x->devices);
        for (size_t i = 0; x->devices && i < x->device_count; ++i)
            clr_session_device(s, i, &x->devices[i], NULL);
    }
    for (unsigned i = 0; status == 0 && i < repeat; ++i) {
        clr_timings_reset(s);
        double start = clock_ms();
        status = clr_render_memory(s, buffer, layout.bytes, f);
        total[i] = clock_ms() - start;
        clr_session_timings(s, &t);
        kernel[i] = x->reference           ? t.reference_ms
                    : x->device_count == 1 ? t.kernel_ms
                                           : busiest_kernel_ms(s);
    }
    if (status == 0) {
        x->kernel_ms = median(kernel, repeat);
        x->total_ms = median(total, repeat);
        x->iterations = clr_render_iterations(s, buffer, layout.bytes);
        x->pixels = (double)layout.width * (double)layout.height * (double)layout.frames;
        name_backend(x);
    }
    free(buffer);
    free(kernel);
    free(total);
    clr_session_close(s);
    return status;
}

static void print_json_string(const char *s) {
    putchar('"');
    for (; *s; ++s) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        if ((unsigned char)*s >= 0x20)
            putchar(*s);
    }
    putchar('"');
}

static void print_json_device(const clr_device_info *d) {
    printf("{\"index\": \"%u:%u\", \"type\": \"%s\", \"name\": ", d->platform_index,
           d->device_index, d->type_name);
    print_json_string(d->name);
    printf(", \"driver_version\": ");
    print_json_string(d->driver_version);
    printf("}");
}

static void print_results(const result *results, size_t count, const bench_options *o) {
    if (o->json) {
        printf("{\"repeat\": %u, \"results\": [", (unsigned)o->repeat);
        for (size_t i = 0; i < count; ++i) {
            const result *x = &results[i];
            printf("%s\n  {\"workload\": \"%s\", \"backend\": ", i ? "," : "", x->load->name);
            if (x->reference) {
                printf("\"reference\", \"device\": null");
            } else if (x->device_count == 1) {
                printf("\"device\", \"device\": ");
                print_json_device(&x->devices[0]);
            } else {
                printf("\"devices\", \"devices\": [");
                for (size_t d = 0; d < x->device_count; ++d) {
                    printf("%s", d ? ", " : "");
                    print_json_device(&x->devices[d]);
                }
                printf("]");
            }
            printf(", \"pixels\": %.0f, \"setup_ms\": %.3f, \"build_ms\": %.3f, "
                   "\"kernel_ms\": %.3f, \"total_ms\": %.3f, \"mpixels_per_s\": %.3f, ",
                   x->pixels, x->setup_ms, x->build_ms, x->kernel_ms, x->total_ms,
                   x->pixels / (x->kernel_ms * 1e3));
            if (x->iterations > 0)
                printf("\"iterations\": %.0f, \"giterations_per_s\": %.4f, ", x->iterations,
                       x->iterations / (x->kernel_ms * 1e6));
            if (x->speedup > 0)
                printf("\"speedup\": %.3f}", x->speedup);
            else
                printf("\"speedup\": null}");
        }
        printf("\n]}\n");
        return;
    }
    printf("%-21s %-44s %8s %8s %10s %10s %9s %8s %8s\n", "workload", "backend", "setup ms",
           "build ms", "kernel ms", "total ms", "Mpixel/s", "Giter/s", "speed-up");
    for (size_t i = 0; i < count; ++i) {
        const result *x = &results[i];
        char giter[16] = "-", setup[16] = "-", build[16] = "-", speedup[16] = "-";
        if (x->iterations > 0)
            snprintf(giter, sizeof giter, "%.3f", x->iterations / (x->kernel_ms * 1e6));
        if (!x->reference) {
            snprintf(setup, sizeof setup, "%.1f", x->setup_ms);
            snprintf(build, sizeof build, "%.1f", x->build_ms);
        }
        if (x->speedup > 0)
            snprintf(speedup, sizeof speedup, "%.1fx", x->speedup);
        printf("%-21s %-44.44s %8s %8s %10.1f %10.1f %9.1f %8s %8s\n", x->load->name, x->backend,
               setup, build, x->kernel_ms, x->total_ms, x->pixels / (x->kernel_ms * 1e3), giter,
               speedup);
    }
}

/* The device specs to measure: the one given (or the default), or with "all" each device
 * alone and then all of them together. */
static int device_specs(const char *spec, char ***specs, size_t *count, failure *f) {
    *count = 0;
    *specs = NULL;
    if (!spec || strcmp(spec, "all") != 0) {
        *specs = calloc(1, sizeof **specs);
        if (!*specs || (spec && !((*specs)[0] = strdup(spec))))
            return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
        *count = 1;
        return 0;
    }
    size_t n = 0;
    clr_device_info *items = NULL;
    if (cli_list_devices(&items, &n, f) != 0)
        return f->status;
    *specs = calloc(n + 1, sizeof **specs);
    if (!*specs) {
        free(items);
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    }
    for (size_t i = 0; i < n; ++i) {
        char index[32];
        snprintf(index, sizeof index, "%u:%u", items[i].platform_index, items[i].device_index);
        (*specs)[(*count)++] = strdup(index);
    }
    if (n > 1)
        (*specs)[(*count)++] = strdup("all");
    free(items);
    return 0;
}

int bench_command(const char *name, int argc, char **argv, int first, failure *f) {
    bench_options o = {.repeat = 5};
    const cli_table table = {bench_rows, ROW_COUNT, &o};
    cli_command_line line;
    if (cli_read(name, argc, argv, first, &table, 1, 1, &line, f) != 0)
        return f->status;
    int status = 0;
    int chosen[WORKLOAD_COUNT] = {0}, any_chosen = 0;
    for (size_t i = 0; status == 0 && i < line.operand_count; ++i) {
        size_t w = 0;
        while (w < WORKLOAD_COUNT && strcmp(workloads[w].name, line.operands[i]) != 0)
            ++w;
        if (w == WORKLOAD_COUNT)
            status = failure_set(f, CLR_USAGE_ERROR,
                                 "%s: unknown workload '%s' (see 'clrender %s --help')", name,
                                 line.operands[i], name);
        else
            chosen[w] = any_chosen = 1;
    }
    cli_command_line_free(&line);

    if (status == 0)
        signals_after_driver();
    clr_session_options environment = {0};
    cli_environment(&environment);
    const char *spec = o.device_spec ? o.device_spec : environment.devices;
    const char *origin = o.device_spec ? NULL : environment.devices_origin;
    char **specs = NULL;
    size_t spec_count = 0;
    if (status == 0)
        status = device_specs(spec, &specs, &spec_count, f);
    result *results = calloc(WORKLOAD_COUNT * (spec_count + 1), sizeof *results);
    if (status == 0 && !results)
        status = failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    size_t count = 0;
    for (size_t w = 0; status == 0 && w < WORKLOAD_COUNT; ++w) {
        if (any_chosen && !chosen[w])
            continue;
        fprintf(stderr, "clrender: bench %s ...\n", workloads[w].name);
        size_t reference_row = count;
        if (!o.no_reference) {
            results[count] = (result){.load = &workloads[w], .reference = 1};
            status = measure(&results[count++], NULL, NULL, (unsigned)o.repeat, f);
        }
        for (size_t d = 0; status == 0 && d < spec_count; ++d) {
            results[count] = (result){.load = &workloads[w]};
            status = measure(&results[count++], specs[d], origin, (unsigned)o.repeat, f);
        }
        for (size_t i = reference_row; status == 0 && !o.no_reference && i < count; ++i)
            results[i].speedup = results[reference_row].kernel_ms / results[i].kernel_ms;
    }
    if (status == 0)
        print_results(results, count, &o);
    for (size_t i = 0; results && i < count; ++i)
        free(results[i].devices);
    free(results);
    for (size_t i = 0; i < spec_count; ++i)
        free(specs[i]);
    free(specs);
    free(o.device_spec);
    return status;
}
