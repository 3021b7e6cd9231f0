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

/* `clrender RENDERER ...`, `clrender bench ...`, `clrender devices ...`:
 * argv[first] is the first option. Return 0 or an exit status. */
int render_command(const char *renderer, int argc, char **argv, int first, failure *f);
int bench_command(const char *name, int argc, char **argv, int first, failure *f);
int devices_command(const char *name, int argc, char **argv, int first, failure *f);
void render_print_help(const char *renderer, FILE *out);
void bench_print_help(const char *name, FILE *out);
void devices_print_help(const char *name, FILE *out);

/* The options every render command takes besides the renderer's parameters. */
typedef struct render_options {
    char *output;      /* -o FILE */
    char *device_spec; /* --device */
    int backend;       /* 0 device, 1 reference */
    int verify;
    double tolerance; /* the fraction of pixels --verify lets differ */
    int timings;
    int compression; /* fast, default, best */
    uint64_t tile_rows;
    int progress, quiet;
} render_options;

typedef struct console console;

/* Reads `clrender RENDERER ...` (argv[first] is the first option) into `o` and a
 * new session holding the renderer's parameters, checked together (a scene is
 * read); no device is opened. On failure *session may still need closing. */
int render_parse(const char *renderer, int argc, char **argv, int first, render_options *o,
                 console *out, clr_session **session, failure *f);
void render_options_free(render_options *o);

/* The renderer's parameters as option rows (for reading a command line and for
 * help); *rows is allocated, NULL when the renderer is unknown. */
param_spec *cli_renderer_rows(const char *renderer, size_t *count);

/* Session options from the environment: CLRENDER_DEVICE (the default device
 * spec), CLRENDER_KERNEL_DIR, and the test hooks CLRENDER_TEST_MAX_ALLOC,
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
/* Starts the OpenCL driver, whose own handlers replace ours, and installs ours again. */
void signals_after_driver(void);
void signals_guard(clr_sink *sink, const char *what_happens);
void signals_unguard(void);
extern volatile sig_atomic_t console_bar_open;

/* Where log lines and the progress bar go: stderr, as --quiet and --progress say. */
struct console {
    bool quiet; /* only errors, and what --verify and --timings ask for */
    bool bar;   /* a progress bar (--progress, or a terminal) */
    bool bar_shown;
};

void console_log(void *user, clr_log_level level, const char *message);
void console_progress(void *user, const clr_progress *progress);

#endif
