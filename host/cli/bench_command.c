/* clrender bench: times whole renders in this process, without writing files. */
#include "cli/bench_command.h"

#include "cli/render_command.h"
#include "util/clock.h"
#include "util/values.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ARGS   8
#define MAX_REPEAT 1000

typedef struct workload {
    const char *name;
    const char *renderer;
    const char *args[MAX_ARGS]; /* NULL-terminated options of the render command */
} workload;

static const workload workloads[] = {
    {"julia-blog-zoom", "julia", {"--preset", "blog-zoom", NULL}},
    {"julia-blog-overview", "julia", {"--preset", "blog-overview", NULL}},
    {"sphere-pyconde", "sphere", {"--preset", "pyconde", NULL}},
    {"sphere-default", "sphere", {"--size", "1920x1080", "--spp", "4", NULL}},
};
#define WORKLOAD_COUNT (sizeof workloads / sizeof workloads[0])

typedef struct bench_options {
    const char *device_spec; /* NULL: the default device; "all": every device */
    unsigned repeat;
    int json;
    int chosen[WORKLOAD_COUNT]; /* none chosen: all */
} bench_options;

static int apply_device(void *target, const char *value, char *why, size_t why_len) {
    if (!*value) {
        snprintf(why, why_len, "empty device spec");
        return -1;
    }
    ((bench_options *)target)->device_spec = value;
    return 0;
}

static int apply_repeat(void *target, const char *value, char *why, size_t why_len) {
    uint64_t n;
    if (parse_uint(value, 1, MAX_REPEAT, &n, why, why_len) != 0)
        return -1;
    ((bench_options *)target)->repeat = (unsigned)n;
    return 0;
}

static int apply_json(void *target, const char *value, char *why, size_t why_len) {
    (void)value, (void)why, (void)why_len;
    ((bench_options *)target)->json = 1;
    return 0;
}

static const cli_option bench_options_table[] = {
    {"--device", 0, "SPEC", "a device as for render commands, or all (default: the default one)",
     apply_device, 0},
    {"--repeat", 0, "N", "runs per workload and backend; medians are reported (default 5)",
     apply_repeat, 0},
    {"--json", 0, NULL, "print JSON instead of a table", apply_json, 0},
};

void bench_print_help(FILE *out) {
    fprintf(out, "usage: clrender bench [WORKLOAD...] [--device SPEC|all] [--repeat N] [--json]\n\n"
                 "Renders each workload on the device(s) and with the scalar reference, --repeat\n"
                 "times each, and reports medians: kernel ms (OpenCL profiling; the whole render\n"
                 "for the reference), total ms (device set-up, build, launch and read-back; no\n"
                 "file), Mpixel/s, G-iterations/s for Julia, and the speed-up of the kernel over\n"
                 "the reference. No files are written.\n\nworkloads (default: all):\n");
    for (size_t i = 0; i < WORKLOAD_COUNT; ++i) {
        fprintf(out, "  %-22s clrender %s", workloads[i].name, workloads[i].renderer);
        for (const char *const *a = workloads[i].args; *a; ++a)
            fprintf(out, " %s", *a);
        fprintf(out, "\n");
    }
    fprintf(out, "\noptions:\n");
    cli_print_options(out, bench_options_table,
                      sizeof bench_options_table / sizeof bench_options_table[0]);
    fprintf(out, "  %-34s %s\n", "-h, --help", "show this help");
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, unsigned n) {
    qsort(values, n, sizeof *values, compare_doubles);
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

typedef struct measurement {
    double kernel_ms, total_ms, iterations;
} measurement;

/* One backend of one workload: the device, or the reference when `device` is NULL. */
static int measure(const renderer *r, const void *params, const device_entry *device,
                   unsigned repeat, measurement *m, failure *f) {
    size_t width, height;
    unsigned channels;
    sample_type sample;
    r->raw_layout(params, &width, &height, &channels, &sample);
    image raw = {0};
    double *kernel = calloc(repeat, sizeof *kernel), *total = calloc(repeat, sizeof *total);
    int status = kernel && total ? image_alloc(&raw, width, height, channels, sample, f)
                                 : failure_set(f, CLR_EXIT_RUNTIME, "out of memory");
    for (unsigned i = 0; status == 0 && i < repeat; ++i) {
        double start = clock_ms();
        if (device) {
            dispatch_request request;
            memset(&request, 0, sizeof request);
            dispatch_timings t = {0, 0, 0};
            status = r->prepare(params, device, &request, f);
            if (status == 0)
                status = render_prepared(device, &request, &raw, &t, f);
            kernel[i] = t.kernel_ms;
        } else {
            r->reference(params, &raw, 0);
            kernel[i] = clock_ms() - start;
        }
        total[i] = clock_ms() - start;
    }
    if (status == 0) {
        m->kernel_ms = median(kernel, repeat);
        m->total_ms = median(total, repeat);
        m->iterations = r->iterations ? r->iterations(params, &raw) : 0;
    }
    image_free(&raw);
    free(kernel);
    free(total);
    return status;
}

typedef struct result {
    const workload *load;
    const device_entry *device; /* NULL: the reference */
    measurement m;
    double pixels, speedup;
} result;

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

static void print_results(const result *results, size_t count, const bench_options *o) {
    if (o->json) {
        printf("{\"repeat\": %u, \"results\": [", o->repeat);
        for (size_t i = 0; i < count; ++i) {
            const result *x = &results[i];
            printf("%s\n  {\"workload\": \"%s\", \"backend\": ", i ? "," : "", x->load->name);
            if (x->device) {
                printf("\"device\", \"device\": {\"index\": \"%u:%u\", \"type\": \"%s\", "
                       "\"name\": ",
                       x->device->platform_index, x->device->device_index,
                       device_type_name(x->device->type));
                print_json_string(x->device->name);
                printf("}");
            } else {
                printf("\"reference\", \"device\": null");
            }
            printf(", \"pixels\": %.0f, \"kernel_ms\": %.3f, \"total_ms\": %.3f, "
                   "\"mpixels_per_s\": %.3f, ",
                   x->pixels, x->m.kernel_ms, x->m.total_ms, x->pixels / (x->m.kernel_ms * 1e3));
            if (x->m.iterations > 0)
                printf("\"iterations\": %.0f, \"giterations_per_s\": %.4f, ", x->m.iterations,
                       x->m.iterations / (x->m.kernel_ms * 1e6));
            printf("\"speedup\": %.3f}", x->speedup);
        }
        printf("\n]}\n");
        return;
    }
    printf("%-20s %-44s %10s %10s %9s %8s %8s\n", "workload", "backend", "kernel ms", "total ms",
           "Mpixel/s", "Giter/s", "speed-up");
    for (size_t i = 0; i < count; ++i) {
        const result *x = &results[i];
        char backend[300];
        if (x->device)
            snprintf(backend, sizeof backend, "%u:%u %s %s", x->device->platform_index,
                     x->device->device_index, device_type_name(x->device->type), x->device->name);
        else
            snprintf(backend, sizeof backend, "scalar reference (1 thread)");
        char giter[16] = "-";
        if (x->m.iterations > 0)
            snprintf(giter, sizeof giter, "%.3f", x->m.iterations / (x->m.kernel_ms * 1e6));
        printf("%-20s %-44.44s %10.1f %10.1f %9.1f %8s %7.1fx\n", x->load->name, backend,
               x->m.kernel_ms, x->m.total_ms, x->pixels / (x->m.kernel_ms * 1e3), giter,
               x->speedup);
    }
}

/* Workload names may stand anywhere among the options. */
static int parse_options(int argc, char **argv, int first, bench_options *o, failure *f) {
    *o = (bench_options){.repeat = 5};
    char **options = calloc((size_t)argc + 1, sizeof *options);
    if (!options)
        return failure_set(f, CLR_EXIT_RUNTIME, "out of memory");
    int count = 0, status = 0;
    for (int i = first; i < argc && status == 0; ++i) {
        const char *arg = argv[i];
        if (arg[0] == '-') {
            options[count++] = argv[i];
            /* The value of an option that takes one is no workload, even without a dash. */
            int takes_value = !strcmp(arg, "--device") || !strcmp(arg, "--repeat");
            if (takes_value && i + 1 < argc)
                options[count++] = argv[++i];
            continue;
        }
        size_t w = 0;
        while (w < WORKLOAD_COUNT && strcmp(workloads[w].name, arg) != 0)
            ++w;
        if (w == WORKLOAD_COUNT)
            status = failure_set(f, CLR_EXIT_USAGE,
                                 "bench: unknown workload '%s' (see 'clrender bench --help')", arg);
        else
            o->chosen[w] = 1;
    }
    const cli_table table = {bench_options_table,
                             sizeof bench_options_table / sizeof bench_options_table[0], o};
    if (status == 0)
        status = cli_parse("bench", count, options, 0, &table, 1, f);
    free(options);
    return status;
}

int bench_command(int argc, char **argv, int first, failure *f) {
    bench_options o;
    if (parse_options(argc, argv, first, &o, f) != 0)
        return f->code;
    int any_chosen = 0;
    for (size_t w = 0; w < WORKLOAD_COUNT; ++w)
        any_chosen |= o.chosen[w];

    device_list devices = {0};
    int status = device_list_query(&devices, f);
    size_t first_device = 0, last_device = 0;
    if (status == 0 && o.device_spec && !strcmp(o.device_spec, "all")) {
        last_device = devices.count - 1;
    } else if (status == 0) {
        const char *env = getenv("CLRENDER_DEVICE");
        const char *spec = o.device_spec ? o.device_spec : env && *env ? env : NULL;
        status = device_select(devices.items, devices.count, spec, &first_device, f);
        last_device = first_device;
    }
    result *results = calloc(WORKLOAD_COUNT * (devices.count + 1), sizeof *results);
    if (status == 0 && !results)
        status = failure_set(f, CLR_EXIT_RUNTIME, "out of memory");
    size_t count = 0;
    for (size_t w = 0; status == 0 && w < WORKLOAD_COUNT; ++w) {
        if (any_chosen && !o.chosen[w])
            continue;
        const renderer *r = renderer_find(workloads[w].renderer);
        char *args[MAX_ARGS + 4] = {"clrender", (char *)workloads[w].renderer, "-o", "bench.png"};
        int n = 4;
        for (const char *const *a = workloads[w].args; *a; ++a)
            args[n++] = (char *)*a;
        render_options ignored;
        void *params = calloc(1, r->params_size);
        status = params ? render_parse(r, n, args, 2, &ignored, params, f)
                        : failure_set(f, CLR_EXIT_RUNTIME, "out of memory");
        fprintf(stderr, "clrender: bench %s ...\n", workloads[w].name);
        size_t reference_row = count;
        if (status == 0) {
            results[count] = (result){.load = &workloads[w]};
            status = measure(r, params, NULL, o.repeat, &results[count].m, f);
            ++count;
        }
        for (size_t d = first_device; status == 0 && d <= last_device; ++d) {
            results[count] = (result){.load = &workloads[w], .device = &devices.items[d]};
            status = measure(r, params, &devices.items[d], o.repeat, &results[count].m, f);
            ++count;
        }
        size_t width, height;
        unsigned channels;
        sample_type sample;
        if (status == 0) {
            r->raw_layout(params, &width, &height, &channels, &sample);
            for (size_t i = reference_row; i < count; ++i) {
                results[i].pixels = (double)width * (double)height;
                results[i].speedup = results[reference_row].m.kernel_ms / results[i].m.kernel_ms;
            }
        }
        if (params && r->release)
            r->release(params);
        free(params);
    }
    if (status == 0)
        print_results(results, count, &o);
    free(results);
    device_list_free(&devices);
    return status;
}
