/* clrender — render images with OpenCL kernels and prove them against scalar C.
 *
 * main() picks the command; host/render_command.c runs every renderer. */
#include "cli/bench_command.h"
#include "cli/devices_command.h"
#include "cli/render_command.h"

#include <stdio.h>
#include <string.h>

static void print_usage(FILE *out) {
    fprintf(out, "usage: clrender COMMAND [options]\n\ncommands:\n");
    fprintf(out, "  %-10s %s\n", "devices", "list the OpenCL devices");
    fprintf(out, "  %-10s %s\n", "bench",
            "time the standard workloads on devices and the reference");
    for (const renderer *const *r = clr_renderers; *r; ++r)
        fprintf(out, "  %-10s render %s\n", (*r)->name, (*r)->summary);
    fprintf(out, "\n'clrender COMMAND --help' describes a command's options.\n"
                 "The device is chosen with --device SPEC or $CLRENDER_DEVICE; by default the\n"
                 "first GPU, else the first CPU device.\n");
}

static int has_version_flag(int argc, char **argv, int first) {
    for (int i = first; i < argc; ++i)
        if (!strcmp(argv[i], "--version"))
            return 1;
    return 0;
}

static int run(int argc, char **argv, failure *f) {
    if (argc < 2)
        return failure_set(f, CLR_EXIT_USAGE, "missing command (try 'clrender --help')");
    const char *command = argv[1];
    if (!strcmp(command, "--help") || !strcmp(command, "-h") || !strcmp(command, "help")) {
        print_usage(stdout);
        return 0;
    }
    if (!strcmp(command, "--version")) {
        printf("clrender %s\n", CLRENDER_VERSION);
        return 0;
    }
    const renderer *r = renderer_find(command);
    int is_devices = !strcmp(command, "devices"), is_bench = !strcmp(command, "bench");
    if (!r && !is_devices && !is_bench)
        return failure_set(f, CLR_EXIT_USAGE, "unknown command '%s' (try 'clrender --help')",
                           command);
    if (cli_wants_help(argc, argv, 2)) {
        if (r)
            render_print_help(r, stdout);
        else if (is_devices)
            devices_print_help(stdout);
        else
            bench_print_help(stdout);
        return 0;
    }
    if (has_version_flag(argc, argv, 2)) {
        printf("clrender %s\n", CLRENDER_VERSION);
        return 0;
    }
    if (r)
        return render_command(r, argc, argv, 2, f);
    return is_devices ? devices_command(argc, argv, 2, f) : bench_command(argc, argv, 2, f);
}

int main(int argc, char **argv) {
    failure f = {0, ""};
    int status = run(argc, argv, &f);
    if (status != 0)
        fprintf(stderr, "clrender: %s\n", f.message);
    return status;
}
