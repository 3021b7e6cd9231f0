/* clrender — render images with OpenCL kernels and prove them against scalar C.
 *
 * main() looks the command up in one table: the fixed commands below, then every
 * renderer of the library, each a render command. */
#define _GNU_SOURCE /* __fpending */
#include "cli/cli.h"
#include "util/clock.h"

#include <errno.h>
#include <stdio_ext.h>
#include <string.h>

typedef struct command {
    const char *name;
    const char *summary;
    int (*run)(const char *name, int argc, char **argv, int first, failure *f);
    void (*help)(const char *name, FILE *out);
} command;

static const command commands[] = {
    {"devices", "list the OpenCL devices", devices_command, devices_print_help},
    {"bench", "time the standard workloads on devices and the reference", bench_command,
     bench_print_help},
    {"batch", "render every line of a file of JSON lines, reusing sessions", batch_command,
     batch_print_help},
    {"info", "print the command and version a PNG or EXR file was made with", info_command,
     info_print_help},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_usage(FILE *out) {
    fprintf(out, "usage: clrender COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; ++i)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    for (size_t i = 0; clr_renderer_name(i); ++i)
        fprintf(out, "  %-10s render %s\n", clr_renderer_name(i),
                clr_renderer_summary(clr_renderer_name(i)));
    fprintf(out, "  %-10s %s\n", "help", "describe a command: clrender help COMMAND");
    fprintf(out, "\n'clrender COMMAND --help' describes a command's options.\n"
                 "The device is chosen with --device SPEC or $CLRENDER_DEVICE; by default the\n"
                 "first GPU, else the first CPU device.\n");
}

/* The command called `name`: a fixed one, or a renderer's (then *renderer is set). */
static const command *find(const char *name, const char **renderer) {
    *renderer = NULL;
    for (size_t i = 0; i < COMMAND_COUNT; ++i)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    for (size_t i = 0; clr_renderer_name(i); ++i)
        if (!strcmp(clr_renderer_name(i), name)) {
            *renderer = clr_renderer_name(i);
            return NULL;
        }
    return NULL;
}

static int print_help_of(const char *name, failure *f) {
    const char *renderer;
    const command *c = find(name, &renderer);
    if (c)
        c->help(c->name, stdout);
    else if (renderer)
        render_print_help(renderer, stdout);
    else
        return failure_set(f, CLR_USAGE_ERROR, "help: unknown command '%s' (try 'clrender --help')",
                           name);
    return 0;
}

static int run(int argc, char **argv, failure *f) {
    if (argc < 2)
        return failure_set(f, CLR_USAGE_ERROR, "missing command (try 'clrender --help')");
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || (!strcmp(name, "help") && argc == 2)) {
        print_usage(stdout);
        return 0;
    }
    if (!strcmp(name, "help"))
        return argc == 3 ? print_help_of(argv[2], f)
                         : failure_set(f, CLR_USAGE_ERROR, "help: name one command");
    if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
        printf("clrender %s\n", clr_version());
        return 0;
    }
    const char *renderer;
    const command *c = find(name, &renderer);
    if (!c && !renderer)
        return failure_set(f, CLR_USAGE_ERROR, "unknown command '%s' (try 'clrender --help')",
                           name);
    if (cli_wants_help(argc, argv, 2))
        return print_help_of(name, f);
    if (cli_wants_version(argc, argv, 2)) {
        printf("clrender %s\n", clr_version());
        return 0;
    }
    return c ? c->run(c->name, argc, argv, 2, f) : render_command(renderer, argc, argv, 2, f);
}

/* Standard output could not take what was printed (a full disk, a closed pipe): as GNU's
 * close_stdout, a closed descriptor that was never written to is no error. */
static int stdout_failed(int *error) {
    int pending = __fpending(stdout) != 0, failed_before = ferror(stdout);
    errno = 0;
    int close_failed = fclose(stdout) != 0;
    *error = errno ? errno : EIO;
    return failed_before || (close_failed && (pending || *error != EBADF));
}

int main(int argc, char **argv) {
    clock_process_start_ms(); /* --timings counts from here, before anything else */
    signals_install();
    cli_remember_command(argc, argv);
    failure f = {0};
    int status = run(argc, argv, &f);
    if (status != 0) {
        cli_explain_failure(&f);
        /* A progress bar waiting for its newline gets it: the message has a line of its own. */
        fprintf(stderr, "%sclrender: %s\n", console_bar_open ? "\n" : "", f.message);
    }
    int error;
    if (stdout_failed(&error)) {
        fprintf(stderr, "clrender: write error on standard output: %s\n", strerror(error));
        if (status == 0)
            status = CLR_RUNTIME_ERROR;
    }
    return status;
}
