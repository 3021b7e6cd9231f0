/* What happens when a signal ends clrender.
 *
 * SIGINT, SIGTERM and SIGHUP: the file being written is dropped (only its name
 * needs removing; an unnamed temporary file goes with the process), one line says
 * so, and the process exits with 128 + the signal. SIGABRT, SIGSEGV, SIGBUS,
 * SIGFPE and SIGILL, raised inside an OpenCL driver as often as not: the same
 * cleanup and line (with what is known about the driver's environment), then the
 * signal's previous disposition runs (ASan's report in a sanitizer build) and the
 * process dies of it. SIGPIPE is ignored, so that a closed pipe is a write error
 * clrender reports. Everything a handler does is async-signal-safe: the lines are
 * composed from text prepared beforehand.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static clr_sink *volatile guarded; /* the file being written, if any */
/* A temporary file written by other means (clrender-mpi's MPI-IO file), and whether this
 * process keeps quiet when a signal ends it (every rank but 0 of an MPI job). */
static char guarded_path[4096];
static volatile sig_atomic_t path_guarded, stop_quietly;
/* "; 'x.png' was left as it was": written into the buffer the handler does not read, then
 * made the one it reads, so that a signal between two frames never sees a half-written note. */
static char after_stop[2][2 * TEXT_SHOWN_SIZE + 256];
static volatile sig_atomic_t after_stop_shown;
static char driver_hint[1024]; /* what may be wrong with the driver's environment */
static char process_name[256]; /* "rank 2 (node17)": which process of a job speaks */
static size_t (*explain_stop)(char *out, size_t size);
volatile sig_atomic_t *signals_stopping;
static struct sigaction previous[32];
volatile sig_atomic_t console_bar_open; /* a progress bar line waits for its newline */

static const struct {
    int number;
    const char *name;
    int crash;
} handled[] = {
    {SIGINT, "SIGINT", 0},   {SIGTERM, "SIGTERM", 0}, {SIGHUP, "SIGHUP", 0},
    {SIGABRT, "SIGABRT", 1}, {SIGSEGV, "SIGSEGV", 1}, {SIGBUS, "SIGBUS", 1},
    {SIGFPE, "SIGFPE", 1},   {SIGILL, "SIGILL", 1},
};
#define HANDLED (sizeof handled / sizeof handled[0])

static size_t append(char *out, size_t used, size_t size, const char *text) {
    while (*text && used + 1 < size)
        out[used++] = *text++;
    out[used] = '\0';
    return used;
}

static void note(const char *what_happens) {
    int next = !after_stop_shown;
    size_t n = what_happens[0] ? append(after_stop[next], 0, sizeof after_stop[next], "; ") : 0;
    append(after_stop[next], n, sizeof after_stop[next], what_happens);
    after_stop_shown = next;
}

static void on_signal(int number) {
    const char *name = "a signal";
    int crash = 0;
    for (size_t i = 0; i < HANDLED; ++i)
        if (handled[i].number == number)
            name = handled[i].name, crash = handled[i].crash;
    if (signals_stopping)
        *signals_stopping = 1;
    clr_sink_discard(guarded);
    if (path_guarded)
        unlink(guarded_path);
    if (stop_quietly && !crash)
        _exit(128 + number);
    char line[2048], cause[512];
    size_t n = 0;
    if (console_bar_open)
        n = append(line, n, sizeof line, "\n");
    n = append(line, n, sizeof line, "clrender: ");
    if (crash && process_name[0]) {
        n = append(line, n, sizeof line, process_name);
        n = append(line, n, sizeof line, ": ");
    }
    if (!crash && explain_stop && explain_stop(cause, sizeof cause) > 0) {
        n = append(line, n, sizeof line, cause);
    } else {
        n = append(line, n, sizeof line, "stopped by ");
        n = append(line, n, sizeof line, name);
    }
    if (crash)
        n = append(line, n, sizeof line,
                   crash && number == SIGABRT ? " (an abort, most likely inside the OpenCL driver)"
                                              : " (most likely inside the OpenCL driver)");
    n = append(line, n, sizeof line, after_stop[after_stop_shown]);
    if (crash && driver_hint[0]) {
        n = append(line, n, sizeof line, "; ");
        n = append(line, n, sizeof line, driver_hint);
    }
    n = append(line, n, sizeof line, "\n");
    ssize_t ignored = write(STDERR_FILENO, line, n);
    (void)ignored;
    if (!crash)
        _exit(128 + number);
    /* Die of the signal, through what handled it before (ASan's report, or the default). */
    sigaction(number, &previous[number], NULL);
    raise(number);
    _exit(128 + number);
}

static bool ignored_at_start[32];

void signals_install(void) {
    static bool installed;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < HANDLED; ++i) {
        int number = handled[i].number;
        struct sigaction old;
        if (sigaction(number, NULL, &old) != 0)
            continue;
        /* A stop signal ignored by whoever started us (nohup, a background job) stays so. */
        if (!installed)
            ignored_at_start[number] = !handled[i].crash && old.sa_handler == SIG_IGN;
        if (ignored_at_start[number] || old.sa_handler == on_signal)
            continue;
        previous[number] = old;
        sigaction(number, &action, NULL);
    }
    installed = true;
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, NULL);
    cli_driver_hint(driver_hint, sizeof driver_hint);
    note("");
}

void signals_after_driver(void) {
    /* The driver's LLVM installs handlers of its own when it starts; for SIGABRT they give
     * way to abort()'s default action and ours never runs. Starting the driver now and
     * installing ours again puts ours first; they pass crash signals on to LLVM's. The
     * driver starts once per process: the renders of a run (--frames, batch) need this once. */
    static bool driver_started;
    if (driver_started)
        return;
    driver_started = true;
    size_t count;
    clr_list_devices(NULL, 0, &count, NULL);
    signals_install();
}

void signals_guard(clr_sink *sink, const char *what_happens) {
    guarded = NULL; /* neither the last render's file (freed) nor this one with the last note */
    note(what_happens);
    guarded = sink;
}

bool signals_guard_path(const char *path, const char *what_happens, bool quiet) {
    path_guarded = 0;
    stop_quietly = quiet;
    note(what_happens);
    if (!path)
        return true;
    size_t length = strlen(path);
    if (length >= sizeof guarded_path)
        return false;
    memcpy(guarded_path, path, length + 1);
    path_guarded = 1;
    return true;
}

void signals_unguard(void) {
    guarded = NULL;
    path_guarded = 0;
    note("");
}

void signals_name_process(const char *process) {
    process_name[0] = '\0';
    if (process)
        append(process_name, 0, sizeof process_name, process);
}

void signals_explain_stop(size_t (*explain)(char *out, size_t size)) {
    explain_stop = explain;
}
