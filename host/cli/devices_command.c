#include "cli/devices_command.h"

#include "cli/options.h"
#include "device/device.h"

static int apply_json(void *target, const char *value, char *why, size_t why_len) {
    (void)value, (void)why, (void)why_len;
    *(int *)target = 1;
    return 0;
}

static const cli_option devices_options[] = {
    {"--json", 0, NULL, "print a JSON array instead of one line per device", apply_json, 0},
};

void devices_print_help(FILE *out) {
    fprintf(out, "usage: clrender devices [--json]\n\n"
                 "Lists every OpenCL device, one line each: index P:D (platform:device), type,\n"
                 "name, compute units, global memory and whether it has fp64 (double).\n\n"
                 "options:\n");
    cli_print_options(out, devices_options, sizeof devices_options / sizeof devices_options[0]);
    fprintf(out, "  %-34s %s\n", "-h, --help", "show this help");
}

int devices_command(int argc, char **argv, int first, failure *f) {
    int json = 0;
    const cli_table table = {devices_options, sizeof devices_options / sizeof devices_options[0],
                             &json};
    if (cli_parse("devices", argc, argv, first, &table, 1, f) != 0)
        return f->code;
    device_list list;
    if (device_list_query(&list, f) != 0)
        return f->code;
    if (json)
        device_print_json(stdout, list.items, list.count);
    else
        for (size_t i = 0; i < list.count; ++i)
            device_print_line(stdout, &list.items[i]);
    device_list_free(&list);
    return 0;
}
