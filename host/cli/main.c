/* clrender — render images with OpenCL kernels and prove them against scalar C.
 *
 * main() looks the command up in one table: the fixed commands below, then every
 * renderer of the library, each a render command. */
#define _GNU_SOURCE /* __fpending */
#include "cli/cli.h"
#include "util/clock.h"

#include <errno.h>
#include <limits.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* How many processes the MPI launcher that started this one runs, from what mpirun (Open MPI)
 * or a PMI launcher (MPICH's, Slurm's srun --mpi=pmi2) puts in the environment; 1 when none. */
static long launcher_size(const char **rank) {
    static const char *const sizes[][2] = {{"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"},
                                           {"PMI_SIZE", "PMI_RANK"}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
        const char *size = getenv(sizes[i][0]);
        if (size && *size) {
            *rank = getenv(sizes[i][1]);
            return strtol(size, NULL, 10);
        }
    }
    return 1;
}

/* `mpirun -np N clrender julia ...`: a render spread over N processes is clrender-mpi's
 * (docs/CLUSTER.md), which lies beside this program when the build found MPI. The plain
 * program links no MPI, so it runs where no MPI is installed; it only hands over. Returns
 * only when it did not (not a render, or one process), or with a failure. */
static int hand_over_to_cluster(int argc, char **argv, failure *f) {
    const char *rank = NULL, *renderer = NULL;
    /* A process of an MPI job that runs clrender as a program of its own (a script's
     * subprocess) inherits the launcher's environment: CLRENDER_NO_MPI keeps it one process. */
    const char *no_mpi = getenv("CLRENDER_NO_MPI");
    if (no_mpi && *no_mpi && strcmp(no_mpi, "0") != 0)
        return 0;
    long size = launcher_size(&rank);
    if (size <= 1 || argc < 2 || (find(argv[1], &renderer), !renderer))
        return 0;
    char self[PATH_MAX], program[PATH_MAX + 16];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0)
        return failure_set(f, CLR_RUNTIME_ERROR,
                           "started by an MPI launcher, but /proc/self/exe cannot be read: %s",
                           strerror(errno));
    self[length] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(program, sizeof program, "%s/clrender-mpi", slash ? self : ".");
    execv(program, argv);
    return failure_set(
        f, CLR_RUNTIME_ERROR,
        "started by an MPI launcher with %ld processes, but '%s' cannot run (%s): "
        "build clrender with MPI (-DCLRENDER_MPI=ON), or set CLRENDER_NO_MPI=1 for one process",
        size, program, strerror(errno));
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
    int status = hand_over_to_cluster(argc, argv, &f);
    if (status == 0)
        status = run(argc, argv, &f);
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
