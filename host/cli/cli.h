/* cli.h — the clrender command line, built on the public API (clrender.h).
 *
 * main.c holds the command table; each command parses its options with
 * options.c. The command line is the only part of clrender that prints, and
 * the only reader of the CLRENDER_* environment variables (environment.c).
 */
#ifndef CLRENDER_CLI_H
#define CLRENDER_CLI_H

#include "cli/options.h"
#include "clrender/clrender.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

/* `clrender RENDERER ...`, `clrender bench ...`, `clrender devices ...`, `clrender batch ...`:
 * argv[first] is the first option. Return 0 or an exit status. */
int render_command(const char *renderer, int argc, char **argv, int first, failure *f);
int bench_command(const char *name, int argc, char **argv, int first, failure *f);
int devices_command(const char *name, int argc, char **argv, int first, failure *f);

/* Every OpenCL device clr_list_devices() finds, in one array the caller frees (*items is never
 * NULL on success, even for none). */
int cli_list_devices(clr_device_info **items, size_t *count, failure *f);
/* `clrender batch FILE|-`: one render per line of a JSON Lines file (batch_command.c). */
int batch_command(const char *name, int argc, char **argv, int first, failure *f);
/* `clrender info FILE...`: the text of PNG and EXR files (info_command.c). */
int info_command(const char *name, int argc, char **argv, int first, failure *f);
void info_print_help(const char *name, FILE *out);
void render_print_help(const char *renderer, FILE *out);
void bench_print_help(const char *name, FILE *out);
void devices_print_help(const char *name, FILE *out);
void batch_print_help(const char *name, FILE *out);
/* What `clrender batch` checks of its input before the first render (every line's JSON,
 * renderer, option names and common options), on `length` bytes of `text` (changed: lines
 * are cut at their ends); *renders is what the lines would render. No device is opened. */
int batch_check(char *text, size_t length, size_t *renders, failure *f);

typedef struct frame_sequence frame_sequence; /* cli/sequence.h */

/* The options every render command takes besides the renderer's parameters. */
typedef struct render_options {
    char *output;      /* -o FILE; "-" is standard output */
    char *format;      /* --format: the format of -o - */
    char *device_spec; /* --device */
    int backend;       /* 0 device, 1 reference */
    int verify;
    double tolerance; /* the fraction of pixels --verify lets differ */
    int timings;
    int compression; /* fast, default, best */
    uint64_t tile_rows;
    int progress, quiet;
    uint64_t frames;          /* --frames N: a sequence of N renders; 0 when not given */
    int resume;               /* --resume: skip the frames whose files exist */
    frame_sequence *sequence; /* the parameters given as START:END; NULL when none */
} render_options;

typedef struct console console;

/* Reads `clrender RENDERER ...` (argv[first] is the first option) into `o` and a
 * new session holding the renderer's parameters, checked together (a scene is
 * read); no device is opened. On failure *session may still need closing. */
int render_parse(const char *renderer, int argc, char **argv, int first, render_options *o,
                 console *out, clr_session **session, failure *f);
void render_options_free(render_options *o);

/* The steps of render_parse(), for a caller that keeps sessions open across command lines
 * (batch): the command line read (the common options applied to `o`, the renderer's
 * parameters kept in `request`), a session opened for it, the parameters set on a session
 * and checked together and with the common options. */
typedef struct render_request {
    cli_table tables[2]; /* the common options, the renderer's parameters (allocated) */
    cli_command_line line;
} render_request;
int render_request_read(const char *renderer, int argc, char **argv, int first, render_options *o,
                        render_request *request, failure *f);
void render_request_free(render_request *request);
clr_session *render_open_session(const char *renderer, const render_options *o, console *out,
                                 failure *f);
int render_request_apply(const char *renderer, clr_session *s, const render_request *request,
                         render_options *o, failure *f);

/* The rows of the common options (-o, --device, --frames, ...). */
const param_spec *render_common_rows(size_t *count);

/* Renders what `o` asks of the session, whose parameters are set: one render into -o, or
 * with --frames a sequence of them (cli/sequence.h). With --resume, a render whose files
 * all exist is skipped. `label` starts what the verify lines say of each render ("line 3: "). */
int render_run(const char *renderer, clr_session *s, const render_options *o, const char *label,
               console *out, failure *f);

/* One render of the session's current parameters into `path` (as clr_sink_file reads it),
 * verified when `o` asks (its line on stdout starts "verify: ", then `label`); the file
 * replaces its target only after the render and the verification succeeded. Inside a run
 * (console_run_begin) the finished render is counted. */
int render_to_file(clr_session *s, const render_options *o, const char *path, const char *label,
                   console *out, failure *f);

/* The verify line of `result` on `out` ("verify: " then `label`), and the verdict by
 * `tolerance` (negative: the renderer's default): CLR_VERIFY_FAILED with its line in `f`. */
int render_report_verify(const clr_verify_result *result, double tolerance, const char *label,
                         FILE *out, failure *f);

/* The compression clr_sink_file() takes for --compression. */
int render_compression(const render_options *o);

/* Records the command line and clrender's version in the text of `file` (PNG, EXR). */
int render_record_command(clr_sink *file, failure *f);

/* The --timings lines: each phase (those of the device when `device`, the reference when
 * `reference`), "other" and the total, and with a session of several devices each one's
 * share. The phases add up to the total, the wall time since the process began
 * (clock_process_start_ms): "setup" is everything before the first render began
 * (render_timings_mark) and the devices' opening in it; "other" the rest. */
void render_print_timings(const clr_timings *t, bool device, bool reference,
                          const clr_session *shares);
/* Notes that a render begins (the first call counts), where --timings' setup ends. */
void render_timings_mark(void);
/* --timings' "setup": from the process's start to the first render, and the devices' opening. */
double render_timings_setup_ms(const clr_timings *t);

/* The renderer's parameters as option rows (for reading a command line and for
 * help); *rows is allocated, NULL when the renderer is unknown. */
param_spec *cli_renderer_rows(const char *renderer, size_t *count);

/* Session options from the environment: CLRENDER_DEVICE (the default device
 * spec), CLRENDER_KERNEL_DIR, the kernel cache (CLRENDER_CACHE_DIR, XDG_CACHE_HOME,
 * HOME; CLRENDER_NO_CACHE), and the test hooks CLRENDER_TEST_MAX_ALLOC,
 * CLRENDER_TEST_DEVICE_MEMORY, CLRENDER_TEST_FAIL_LAUNCHES and
 * CLRENDER_TEST_NAMED_TEMP. */
void cli_environment(clr_session_options *options);

/* What may keep the OpenCL driver from working, as one clause for a message (empty
 * when nothing is found): PoCL's kernel cache directory not writable, no linker on
 * PATH. */
void cli_driver_hint(char *hint, size_t size);

/* Replaces the generic hint of a failure that the driver's environment explains
 * (no device, a failed build) by the real cause, when one is found. */
void cli_explain_failure(failure *f);

/* Signal handling (signals.c): installed once by main(); a render guards the file it
 * writes, so that a signal drops it and says what became of the target
 * (`what_happens`: "'x.png' was left as it was"). */
void signals_install(void);
/* Starts the OpenCL driver, whose own handlers replace ours, and installs ours again
 * (the first call only). */
void signals_after_driver(void);
/* `sink` may be NULL: between the renders of a run no file is partial, and a signal then
 * only says `what_happens` ("the 3 frames finished are complete"). */
void signals_guard(clr_sink *sink, const char *what_happens);
/* Guards a temporary file that no sink knows (clrender-mpi's shared file): a signal removes
 * `path` (NULL: none). `quiet`: the process ends without its line (one rank of many speaks).
 * False when the path is too long to keep. */
bool signals_guard_path(const char *path, const char *what_happens, bool quiet);
void signals_unguard(void);
/* For clrender-mpi. `process` ("rank 2 (node17)", NULL for none) begins the line of a crash
 * after "clrender: ". `explain_stop` (NULL for none) is asked, inside the handler of a stop
 * signal (it must be async-signal-safe), for the stop's cause ("rank 2 (node17) was
 * killed"); what it writes into `out` (at most `size` bytes, 0 returned for nothing known)
 * stands in the line for "stopped by SIGTERM". */
void signals_name_process(const char *process);
void signals_explain_stop(size_t (*explain_stop)(char *out, size_t size));
/* Set as the handler begins: every process of a job marks that a signal, not an unknown
 * death, ends it (clrender-mpi's ranks share the mark). */
extern volatile sig_atomic_t *signals_stopping;
extern volatile sig_atomic_t console_bar_open;

/* Where log lines and the progress bar go: stderr, as --quiet and --progress say. */
struct console {
    bool quiet; /* only errors, and what --verify and --timings ask for */
    bool bar;   /* a progress bar (--progress, or a terminal) */
    bool bar_shown;
    /* A run of several renders (--frames, a batch) has one bar for all of them: renders
     * done of the total, the time since the run began and an estimate of what is left. */
    const char *run_noun; /* "frame", "render"; NULL outside a run */
    size_t run_total, run_done, run_skipped;
    double run_start_ms;
    /* Warnings are held while a request is checked and shown when its render starts: a
     * request that fails prints its one error line alone. A warning is shown once, not
     * again for every frame that repeats it. */
    bool holding;
    size_t held_count;
    char held[4][512];
    char last_warning[512];
};

/* Shows the warnings held so far and stops holding them (console_hold starts again). */
void console_hold(console *c);
void console_release(console *c);

/* Callbacks of a session: `user` is a console. */
void console_log(void *user, clr_log_level level, const char *message);
void console_progress(void *user, const clr_progress *progress);

/* A run of `total` renders begins (the bar counts `noun`s); a render of it is skipped
 * (--resume: no longer counted in the total) or done (the bar moves; a newline ends it
 * after the last): the renders done so far are returned. */
void console_run_begin(console *c, const char *noun, size_t total);
void console_run_skip(console *c, size_t count);
size_t console_run_render_done(console *c);

/* Adds the timings `t` to `sum` (the longest launch is the longer of the two). */
void timings_add(clr_timings *sum, const clr_timings *t);

#endif
