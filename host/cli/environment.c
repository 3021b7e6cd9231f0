/* The environment: the CLRENDER_* variables, read here and nowhere else, and what the
 * OpenCL driver (PoCL) needs from it, to explain its failures. */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* OpenCL status codes the hints look at (the CLI does not include the OpenCL headers). */
#define CL_DEVICE_NOT_FOUND_CODE      (-1)
#define CL_BUILD_PROGRAM_FAILURE_CODE (-11)

static uint64_t number(const char *name) {
    const char *text = getenv(name);
    return text && *text ? strtoull(text, NULL, 10) : 0;
}

/* The kernel cache: $CLRENDER_CACHE_DIR, else $XDG_CACHE_HOME/clrender, else
 * $HOME/.cache/clrender (the XDG base directory rules); none with CLRENDER_NO_CACHE set to
 * anything but 0, or when neither XDG_CACHE_HOME nor HOME says where home is. */
static const char *cache_dir(void) {
    static char dir[4096];
    const char *off = getenv("CLRENDER_NO_CACHE"), *explicit_dir = getenv("CLRENDER_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n = -1;
    if (off && *off && strcmp(off, "0"))
        return NULL;
    if (explicit_dir && *explicit_dir)
        n = snprintf(dir, sizeof dir, "%s", explicit_dir);
    else if (xdg && xdg[0] == '/') /* the rules ignore a relative XDG_CACHE_HOME */
        n = snprintf(dir, sizeof dir, "%s/clrender", xdg);
    else if (home && *home)
        n = snprintf(dir, sizeof dir, "%s/.cache/clrender", home);
    return n > 0 && (size_t)n < sizeof dir ? dir : NULL;
}

void cli_environment(clr_session_options *options) {
    const char *device = getenv("CLRENDER_DEVICE");
    if (device && *device) {
        options->devices = device;
        options->devices_origin = "CLRENDER_DEVICE";
    }
    const char *kernels = getenv("CLRENDER_KERNEL_DIR");
    if (kernels && *kernels)
        options->kernel_dir = kernels;
    options->test_max_allocation = number("CLRENDER_TEST_MAX_ALLOC");
    options->test_device_memory = number("CLRENDER_TEST_DEVICE_MEMORY");
    options->test_fail_launches = (unsigned)number("CLRENDER_TEST_FAIL_LAUNCHES");
    options->test_named_temp_files = number("CLRENDER_TEST_NAMED_TEMP") != 0;
    options->cache_dir = cache_dir();
}

/* Whether an executable called `name` is in one of PATH's directories. */
static bool on_path(const char *name) {
    const char *path = getenv("PATH");
    if (!path || !*path)
        return false;
    for (const char *start = path;;) {
        const char *colon = strchr(start, ':');
        size_t length = colon ? (size_t)(colon - start) : strlen(start);
        char candidate[4096];
        if (length && length + strlen(name) + 2 < sizeof candidate) {
            snprintf(candidate, sizeof candidate, "%.*s/%s", (int)length, start, name);
            if (access(candidate, X_OK) == 0)
                return true;
        }
        if (!colon)
            return false;
        start = colon + 1;
    }
}

/* PoCL's kernel cache directory: $POCL_CACHE_DIR, else $XDG_CACHE_HOME/pocl, else
 * $HOME/.cache/pocl. */
static void pocl_cache_dir(char *out, size_t size) {
    const char *explicit_dir = getenv("POCL_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (explicit_dir && *explicit_dir)
        snprintf(out, size, "%s", explicit_dir);
    else if (xdg && *xdg)
        snprintf(out, size, "%s/pocl", xdg);
    else
        snprintf(out, size, "%s/.cache/pocl", home && *home ? home : "");
}

/* Whether `dir` can be written, or created: its nearest existing ancestor decides. */
static bool can_write_or_create(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (;;) {
        struct stat info;
        if (stat(path, &info) == 0)
            return S_ISDIR(info.st_mode) && access(path, W_OK | X_OK) == 0;
        char *slash = strrchr(path, '/');
        if (!slash || slash == path)
            return access("/", W_OK | X_OK) == 0;
        *slash = '\0';
    }
}

void cli_driver_hint(char *hint, size_t size) {
    char dir[4096], shown[TEXT_SHOWN_SIZE];
    hint[0] = '\0';
    pocl_cache_dir(dir, sizeof dir);
    size_t used = 0;
    if (!can_write_or_create(dir))
        used += (size_t)snprintf(hint, size,
                                 "PoCL's kernel cache directory '%s' is not writable (set "
                                 "POCL_CACHE_DIR to a writable directory)",
                                 text_shown(dir, shown));
    if (!on_path("ld") && used < size)
        snprintf(hint + used, size - used,
                 "%sPoCL links kernels with the system linker 'ld', "
                 "which is not on PATH (%s)",
                 used ? "; and " : "",
                 getenv("PATH") && *getenv("PATH") ? "add its directory, /usr/bin"
                                                   : "PATH is empty");
}

void cli_explain_failure(failure *f) {
    char hint[1024];
    if (f->opencl_status != -1001 && f->opencl_status != CL_DEVICE_NOT_FOUND_CODE &&
        f->opencl_status != CL_BUILD_PROGRAM_FAILURE_CODE)
        return;
    cli_driver_hint(hint, sizeof hint);
    if (!hint[0])
        return;
    int code = f->opencl_status;
    if (code == CL_BUILD_PROGRAM_FAILURE_CODE) {
        /* The build log says little when the compiler could not even write its output. */
        char what[CLR_MESSAGE_SIZE];
        snprintf(what, sizeof what, "%s", f->message);
        char *log_note = strstr(what, " (build log above)");
        if (log_note)
            *log_note = '\0';
        failure_set(f, f->status, "%s: %s", what, hint);
    } else {
        failure_set(f, f->status, "no usable OpenCL device: %s", hint);
    }
    f->opencl_status = code;
}
