/* `clrender RENDERER -o FILE [options]`: one render through the public API, or with
 * --frames a sequence of them in one session (cli/sequence.c).
 *
 * Everything that can be checked is checked before any device is opened: the
 * options, then the parameters together (a scene file is read), then the
 * output (format, directory, room). The render feeds a verifier (--verify)
 * and the file; the file replaces its target only when the render succeeded
 * and --verify, if asked, passed. */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"
#include "cli/sequence.h"
#include "util/clock.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const backend_names[] = {"device", "reference", NULL};
static const char *const compression_names[] = {"fast", "default", "best", NULL};
/* clr_sink_file's numbering of compression_names: 0 default, 1 fast, 2 best */
static const int compression_levels[] = {1, 0, 2};

static const param_spec common_rows[] = {
    {.name = "output",
     .short_name = 'o',
     .type = CLR_PARAM_TEXT,
     .offset = offsetof(render_options, output),
     .metavar = "FILE",
     .help = "write FILE: .png, .pgm, .ppm, .npy, .mha or .exr, band by band; a %d in the "
             "name writes one file per frame; - is standard output (with --format)"},
    PARAM_TEXT("format", render_options, format, "F",
               "the format of -o -: png, pgm, ppm, npy or mha"),
    PARAM_TEXT("device", render_options, device_spec, "SPEC",
               "gpu, cpu, P:D, an index, name:TEXT, a list a,b or all ($CLRENDER_DEVICE)"),
    PARAM_CHOICE("backend", render_options, backend, backend_names, "B",
                 "device (OpenCL, default) or reference (scalar C)"),
    PARAM_FLAG("verify", render_options, verify,
               "also render with the reference and compare (exit 3 on mismatch)"),
    PARAM_REAL("tolerance", render_options, tolerance, 0, false, 1, NULL, "F",
               "fraction of pixels --verify lets differ (default 0), or the mean difference "
               "from an exact solution (xray --reference analytic: default 0.02)"),
    PARAM_FLAG("timings", render_options, timings, "print the time of each phase on stderr"),
    PARAM_CHOICE("compression", render_options, compression, compression_names, "C",
                 "PNG compression: fast, default or best (slow, smallest)"),
    PARAM_UINT("tile-rows", render_options, tile_rows, 1, 1u << 30, "N",
               "rows rendered per band (default: chosen for memory and time)"),
    PARAM_UINT("frames", render_options, frames, 1, SEQUENCE_MAX_FRAMES, "N",
               "render N frames in one session, one file each through a %d in -o; values "
               "given as START:END are interpolated over them"),
    PARAM_FLAG("resume", render_options, resume,
               "with --frames: skip the frames whose files exist (each file is complete)"),
    PARAM_FLAG("progress", render_options, progress,
               "show a progress bar even when stderr is not a terminal"),
    PARAM_FLAG("quiet", render_options, quiet,
               "print nothing but errors (and what --verify, --timings ask for)"),
};
#define COMMON_COUNT (sizeof common_rows / sizeof common_rows[0])

const param_spec *render_common_rows(size_t *count) {
    *count = COMMON_COUNT;
    return common_rows;
}

param_spec *cli_renderer_rows(const char *renderer, size_t *count) {
    *count = clr_renderer_param_count(renderer);
    param_spec *rows = calloc(*count ? *count : 1, sizeof *rows);
    for (size_t i = 0; rows && i < *count; ++i) {
        clr_param_info info;
        if (clr_renderer_param(renderer, i, &info, NULL) != CLR_OK) {
            free(rows);
            return NULL;
        }
        rows[i] = (param_spec){.name = info.name,
                               .type = info.type,
                               .metavar = info.metavar,
                               .help = info.help,
                               .early = info.early};
    }
    return rows;
}

void render_print_help(const char *renderer, FILE *out) {
    size_t count;
    param_spec *rows = cli_renderer_rows(renderer, &count);
    fprintf(out, "usage: clrender %s -o FILE [options]\n\nRenders %s.\n\n%s options:\n", renderer,
            clr_renderer_summary(renderer), renderer);
    if (rows)
        cli_print_rows(out, rows, count);
    fprintf(out, "\ncommon options:\n");
    cli_print_rows(out, common_rows, COMMON_COUNT);
    fprintf(out, "  %-34s %s\n  %-34s %s\n", "-h, --help", "show this help", "-V, --version",
            "show the version");
    const char *notes = clr_renderer_notes(renderer);
    if (notes)
        fprintf(out, "\n%s", notes);
    char ranged[256];
    sequence_ranged_names(renderer, ranged, sizeof ranged);
    fprintf(out,
            "\n--frames N renders N frames in one session into -o NAME_%%03d.png (a %%d numbers "
            "them).\n");
    if (ranged[0])
        fprintf(out,
                "These options then take START:END, frame k of N at t = k/(N-1), linearly\n"
                "unless said otherwise: %s.\n",
                ranged);
    fprintf(out, "\nExit status: 0 done, 1 runtime failure, 2 usage error, 3 --verify mismatch.\n");
    free(rows);
}

/* The renderer's parameters, in the order of the command line (presets first); a value
 * START:END of a parameter that takes one starts a sequence (--frames). */
static int set_parameters(const char *renderer, clr_session *s, const cli_command_line *line,
                          render_options *options, failure *f) {
    for (size_t i = 0; i < line->option_count; ++i) {
        const cli_option *o = &line->options[i];
        if (o->table->target)
            continue;
        const char *name = o->row->name;
        int status;
        if (o->value && strchr(o->value, ':') && sequence_takes_range(renderer, name, NULL)) {
            status = sequence_add(&options->sequence, s, renderer, name, o->value, f);
        } else {
            sequence_drop(options->sequence, name);
            status = clr_set(s, name, o->value, f);
        }
        if (status != CLR_OK) {
            char message[CLR_MESSAGE_SIZE];
            snprintf(message, sizeof message, "%s", f->message);
            return failure_set(f, f->status, "%s: %s (see 'clrender %s --help')", renderer, message,
                               renderer);
        }
    }
    return 0;
}

static double first_render_ms; /* when the process's first render began; 0 before */

void render_timings_mark(void) {
    if (first_render_ms == 0)
        first_render_ms = clock_ms();
}

double render_timings_setup_ms(const clr_timings *t) {
    /* Everything before the first render (the process's own start, the options, a scene,
     * the output's checks, starting the driver), then opening the devices in it. */
    return (first_render_ms ? first_render_ms : clock_ms()) - clock_process_start_ms() +
           t->setup_ms;
}

void render_print_timings(const clr_timings *t, bool device, bool reference, const clr_session *s) {
    const double now = clock_ms(), start = clock_process_start_ms();
    const double setup = render_timings_setup_ms(t);
    double phases = setup + t->convert_ms + t->write_ms;
    fprintf(stderr, "setup: %.1f ms\n", setup);
    if (device) {
        fprintf(stderr, "build: %.1f ms\nupload: %.1f ms\nkernel: %.1f ms\ntransfer: %.1f ms\n",
                t->build_ms, t->upload_ms, t->kernel_ms, t->transfer_ms);
        phases += t->build_ms + t->upload_ms + t->kernel_ms + t->transfer_ms;
    }
    if (reference) {
        fprintf(stderr, "reference: %.1f ms\n", t->reference_ms);
        phases += t->reference_ms;
    }
    /* "other" makes the phases add up to the total: scheduling, waiting for the device,
     * freeing; negative when phases ran at the same time (a band encoded while the device
     * renders the next, devices side by side). */
    fprintf(stderr, "encode: %.1f ms\nwrite: %.1f ms\nother: %.1f ms\ntotal: %.1f ms\n",
            t->convert_ms, t->write_ms, now - start - phases, now - start);
    if (device) {
        fprintf(stderr, "launches: %zu in %zu bands, the longest %.1f ms\n", t->launches, t->bands,
                t->longest_launch_ms);
        fprintf(stderr, "programs: %zu from the cache, %zu built\n", t->programs_cached,
                t->programs_built);
    }
    size_t devices = s ? clr_session_device_count(s) : 0;
    for (size_t i = 0; devices > 1 && i < devices; ++i) {
        clr_device_info d;
        clr_device_share share;
        if (clr_session_device(s, i, &d, NULL) == CLR_OK &&
            clr_session_device_share(s, i, &share, NULL) == CLR_OK)
            fprintf(stderr, "device %u:%u: %zu bands, %llu rows, kernel %.1f ms\n",
                    d.platform_index, d.device_index, share.bands, (unsigned long long)share.rows,
                    share.kernel_ms);
    }
}

/* Prints the verify line; CLR_VERIFY_FAILED when more pixels differ than --tolerance allows,
 * or, for a comparison with an exact solution, when the mean difference exceeds it. A
 * negative tolerance stands for the renderer's default. */
static int report_verify(const clr_sink *verifier, double tolerance, const char *label, FILE *out,
                         failure *f) {
    clr_verify_result v;
    if (clr_sink_verify_result(verifier, &v, f) != CLR_OK)
        return f->status;
    return render_report_verify(&v, tolerance, label, out, f);
}

int render_report_verify(const clr_verify_result *result, double tolerance, const char *label,
                         FILE *out, failure *f) {
    const clr_verify_result v = *result;
    if (tolerance < 0)
        tolerance = v.default_tolerance;
    if (v.judged_by_mean) {
        fprintf(out,
                "verify: %s%llu pixels compared with %s: mean %s difference %.3g, largest %.3g "
                "(of its largest value, %.6g)\n",
                label, (unsigned long long)v.compared, v.reference_name, v.unit, v.mean_difference,
                v.largest_difference, v.largest_reference);
        fflush(out);
        if (v.mean_difference > tolerance)
            return failure_set(f, CLR_VERIFY_FAILED,
                               "verify failed: %sthe mean %s difference from %s, %.3g, is more "
                               "than --tolerance %g allows",
                               label, v.unit, v.reference_name, v.mean_difference, tolerance);
        return 0;
    }
    double fraction = v.compared ? (double)v.differing / (double)v.compared : 0.0;
    fprintf(out, "verify: %s%llu pixels compared, %llu differing (%.6f%%), largest %s difference ",
            label, (unsigned long long)v.compared, (unsigned long long)v.differing,
            100.0 * fraction, v.unit);
    if (v.integer)
        fprintf(out, "%.0f\n", v.largest_difference);
    else
        fprintf(out, "%.3g\n", v.largest_difference);
    fflush(out);
    if (fraction > tolerance)
        return failure_set(f, CLR_VERIFY_FAILED,
                           "verify failed: %s%.6f%% of pixels differ from the reference, more "
                           "than --tolerance %g allows",
                           label, 100.0 * fraction, tolerance);
    return 0;
}

int render_request_read(const char *renderer, int argc, char **argv, int first, render_options *o,
                        render_request *request, failure *f) {
    memset(request, 0, sizeof *request);
    *o = (render_options){.compression = 1, .tolerance = -1}; /* -1: the renderer's default */
    size_t param_count;
    param_spec *params = cli_renderer_rows(renderer, &param_count);
    if (!params)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    request->tables[0] = (cli_table){common_rows, COMMON_COUNT, o};
    request->tables[1] = (cli_table){params, param_count, NULL};
    return cli_read(renderer, argc, argv, first, request->tables, 2, 0, &request->line, f);
}

void render_request_free(render_request *request) {
    cli_command_line_free(&request->line);
    free((param_spec *)request->tables[1].rows);
    memset(request, 0, sizeof *request);
}

clr_session *render_open_session(const char *renderer, const render_options *o, console *out,
                                 failure *f) {
    clr_session_options options = {0};
    cli_environment(&options);
    if (o->device_spec)
        options.devices = o->device_spec, options.devices_origin = NULL;
    options.reference = o->backend == 1;
    options.band_rows = (size_t)o->tile_rows;
    options.log = console_log;
    options.progress = console_progress;
    options.user = out;
    return clr_session_open(renderer, &options, f);
}

/* What can be checked before rendering, after the parameters and before the renderer looks
 * at them together (whose warnings would otherwise come before these errors): the output and
 * the options' combinations. */
static int check_request(const char *renderer, const render_options *o, failure *f) {
    if (!o->output)
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s: missing -o FILE (e.g. -o %s.png; see 'clrender %s --help')",
                           renderer, renderer, renderer);
    const bool to_stdout = !strcmp(o->output, "-");
    if (to_stdout && !o->format)
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s: -o - writes to standard output: name its format with --format "
                           "png, pgm, ppm, npy or mha",
                           renderer);
    if (!to_stdout && o->format)
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s: --format names the format of -o -; a file's is its extension",
                           renderer);
    if (to_stdout && (o->frames || o->resume))
        return failure_set(f, CLR_USAGE_ERROR,
                           "%s: -o - writes one image; --frames and --resume need files", renderer);
    if (o->quiet && o->progress)
        return failure_set(f, CLR_USAGE_ERROR, "%s: --quiet and --progress contradict each other",
                           renderer);
    if (o->verify && o->backend == 1)
        return failure_set(
            f, CLR_USAGE_ERROR,
            "%s: --verify compares the device with the reference; drop --backend reference",
            renderer);
    return o->frames ? 0 : sequence_check(renderer, o, NULL, f); /* START:END without frames */
}

int render_request_apply(const char *renderer, clr_session *s, const render_request *request,
                         render_options *o, failure *f) {
    clr_layout layout;
    int status = set_parameters(renderer, s, &request->line, o, f);
    if (status == 0)
        status = check_request(renderer, o, f);
    if (status == 0)
        status = clr_layout_get(s, &layout, f);
    if (status == 0 && o->frames)
        status = sequence_check(renderer, o, &layout, f);
    return status;
}

int render_parse(const char *renderer, int argc, char **argv, int first, render_options *o,
                 console *out, clr_session **session, failure *f) {
    render_request request;
    *session = NULL;
    int status = render_request_read(renderer, argc, argv, first, o, &request, f);
    if (status == 0) {
        out->quiet = o->quiet;
        out->bar = o->progress || (!o->quiet && isatty(STDERR_FILENO));
        if (!(*session = render_open_session(renderer, o, out, f)))
            status = f->status;
    }
    if (status == 0)
        status = render_request_apply(renderer, *session, &request, o, f);
    render_request_free(&request);
    return status;
}

void render_options_free(render_options *o) {
    free(o->output);
    free(o->format);
    free(o->device_spec);
    sequence_free(o->sequence);
    o->output = o->format = o->device_spec = NULL;
    o->sequence = NULL;
}

/* "42 finished frames are complete", for what a run stopped now leaves. */
static size_t describe_finished(const console *out, size_t done, char *what, size_t size) {
    int n = done == 0 ? snprintf(what, size, "no %s was finished", out->run_noun)
            : done == 1
                ? snprintf(what, size, "1 finished %s is complete", out->run_noun)
                : snprintf(what, size, "%zu finished %ss are complete", done, out->run_noun);
    return n > 0 ? (size_t)n : 0;
}

/* What a render stopped now leaves of its files, for the signal handler's line; inside a
 * run, what its finished renders left too. */
static void describe_abandoned(const clr_sink *sink, const char *output, const console *out,
                               char *what, size_t size) {
    char shown[TEXT_SHOWN_SIZE];
    size_t files = clr_sink_file_count(sink), used;
    if (files > 1) {
        used = (size_t)snprintf(what, size,
                                "none of the %zu files '%s' was written; existing ones were left "
                                "as they were",
                                files, text_shown(output, shown));
    } else if (!strcmp(clr_sink_file_path(sink, 0), "-")) {
        used = (size_t)snprintf(what, size, "standard output may hold part of an image");
    } else {
        struct stat before;
        const char *path = clr_sink_file_path(sink, 0);
        bool existed = lstat(path, &before) == 0;
        used = (size_t)snprintf(what, size, "'%s' %s", text_shown(path, shown),
                                existed ? "was left as it was" : "was not written");
    }
    if (out->run_noun && used + 2 < size) {
        used += (size_t)snprintf(what + used, size - used, "; ");
        describe_finished(out, out->run_done, what + used, size - used);
    }
}

/* PNG and EXR files say what made them: the version, and the command to run again. */
int render_compression(const render_options *o) {
    return compression_levels[o->compression];
}

int render_record_command(clr_sink *file, failure *f) {
    char *command = cli_command_text();
    if (!command)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    char software[64];
    snprintf(software, sizeof software, "clrender %s", clr_version());
    const char *const keys[] = {"Software", "clrender.command"};
    const char *const values[] = {software, command};
    int status = clr_sink_set_text(file, keys, values, 2, f);
    free(command);
    return status;
}

int render_to_file(clr_session *s, const render_options *o, const char *path, const char *label,
                   console *out, failure *f) {
    clr_sink *sinks[2] = {NULL, NULL};
    size_t sink_count = 0;
    int status = 0;
    if (o->verify && !(sinks[sink_count++] = clr_sink_verify(s, f)))
        status = f->status;
    if (status == 0 &&
        !(sinks[sink_count++] =
              strcmp(path, "-")
                  ? clr_sink_file(s, path, compression_levels[o->compression], f)
                  : clr_sink_stdout(s, o->format, compression_levels[o->compression], f)))
        status = f->status;
    clr_sink *file = sinks[sink_count - 1];
    if (status == 0)
        status = render_record_command(file, f);
    if (status == 0) {
        char what[2 * TEXT_SHOWN_SIZE + 128];
        if (o->backend == 0)
            signals_after_driver();
        describe_abandoned(file, path, out, what, sizeof what);
        signals_guard(file, what);
    }
    if (status == 0) {
        console_release(out); /* the request holds: its warnings now */
        render_timings_mark();
        status = clr_render(s, sinks, sink_count, f);
    }
    if (status == 0 && o->verify)
        status =
            report_verify(sinks[0], o->tolerance, label, !strcmp(path, "-") ? stderr : stdout, f);
    /* The file replaces its target only now: not after a failed render or verification. */
    if (status == 0)
        status = clr_sink_commit(file, f);
    if (status == 0 && out->run_noun) {
        /* Between two renders of a run nothing is partial: a signal now only says so. */
        char what[160];
        describe_finished(out, console_run_render_done(out), what, sizeof what);
        signals_guard(NULL, what);
    } else {
        signals_unguard();
    }
    for (size_t i = 0; i < sink_count; ++i)
        clr_sink_free(sinks[i]);
    return status;
}

/* Whether every file a render of the session's layout into `output` would write exists
 * (--resume in a batch): files are renamed into place whole, so one that exists is complete. */
static int outputs_exist(clr_session *s, const char *output, bool *exist, failure *f) {
    clr_layout layout;
    output_pattern pattern;
    if (clr_layout_get(s, &layout, f) != CLR_OK || output_pattern_read(output, &pattern, f) != 0)
        return f->status;
    size_t files = pattern.numbered ? layout.frames : 1;
    *exist = true;
    for (size_t i = 0; i < files && *exist; ++i) {
        char *name = output_pattern_name(output, i);
        if (!name)
            return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
        struct stat info;
        *exist = stat(name, &info) == 0 && S_ISREG(info.st_mode);
        free(name);
    }
    return 0;
}

int render_run(const char *renderer, clr_session *s, const render_options *o, const char *label,
               console *out, failure *f) {
    if (o->frames)
        return sequence_run(renderer, s, o, label, out, f);
    if (o->resume) {
        bool exist;
        if (outputs_exist(s, o->output, &exist, f) != 0)
            return f->status;
        if (exist) {
            console_run_skip(out, 1);
            return 0;
        }
    }
    return render_to_file(s, o, o->output, label, out, f);
}

int render_command(const char *renderer, int argc, char **argv, int first, failure *f) {
    render_options o;
    console out = {0};
    console_hold(&out);
    clr_session *s = NULL;
    int status = render_parse(renderer, argc, argv, first, &o, &out, &s, f);
    if (status == 0)
        status = render_run(renderer, s, &o, "", &out, f);
    if (s && o.timings && (status == 0 || status == CLR_VERIFY_FAILED)) {
        clr_timings t;
        clr_session_timings(s, &t);
        render_print_timings(&t, o.backend == 0, o.backend == 1 || o.verify, s);
        double total_ms = clock_ms() - clock_process_start_ms();
        if (o.frames)
            fprintf(stderr, "frames: %zu rendered, %zu skipped, %.2f ms each\n", out.run_done,
                    out.run_skipped, out.run_done ? total_ms / (double)out.run_done : 0.0);
    }
    clr_session_close(s);
    render_options_free(&o);
    return status;
}
