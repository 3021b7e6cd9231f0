/* `clrender devices [--json]`: the OpenCL devices, one line each or as JSON. */
#include "cli/cli.h"

#include <stdlib.h>

typedef struct devices_options {
    int json;
} devices_options;

static const param_spec devices_rows[] = {
    PARAM_FLAG("json", devices_options, json, "print a JSON array instead of one line per device"),
};

void devices_print_help(const char *name, FILE *out) {
    fprintf(out,
            "usage: clrender %s [--json]\n\n"
            "Lists every OpenCL device, one line each: index P:D (platform:device), type,\n"
            "name, compute units, global memory and whether it has fp64 (double).\n\n"
            "options:\n",
            name);
    cli_print_rows(out, devices_rows, sizeof devices_rows / sizeof devices_rows[0]);
    fprintf(out, "  %-34s %s\n", "-h, --help", "show this help");
}

static void print_json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (; *s; ++s) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void print_json(FILE *out, const clr_device_info *items, size_t count) {
    fprintf(out, "[");
    for (size_t i = 0; i < count; ++i) {
        const clr_device_info *d = &items[i];
        fprintf(out, "%s\n  {\"index\": \"%u:%u\", \"platform\": ", i ? "," : "", d->platform_index,
                d->device_index);
        print_json_string(out, d->platform_name);
        fprintf(out, ", \"type\": \"%s\", \"name\": ", d->type_name);
        print_json_string(out, d->name);
        fprintf(out, ", \"version\": ");
        print_json_string(out, d->version);
        fprintf(out, ", \"driver_version\": ");
        print_json_string(out, d->driver_version);
        fprintf(out,
                ", \"compute_units\": %u, \"global_memory_bytes\": %llu, "
                "\"max_allocation_bytes\": %llu, \"fp64\": %s}",
                d->compute_units, (unsigned long long)d->global_memory,
                (unsigned long long)d->max_allocation, d->fp64 ? "true" : "false");
    }
    fprintf(out, "%s]\n", count ? "\n" : "");
}

int devices_command(const char *name, int argc, char **argv, int first, failure *f) {
    devices_options o = {0};
    const cli_table table = {devices_rows, sizeof devices_rows / sizeof devices_rows[0], &o};
    cli_command_line line;
    if (cli_read(name, argc, argv, first, &table, 1, 0, &line, f) != 0)
        return f->status;
    cli_command_line_free(&line);
    signals_after_driver();
    clr_device_info *items = NULL;
    size_t listed = 0;
    if (cli_list_devices(&items, &listed, f) != 0)
        return f->status;
    if (o.json)
        print_json(stdout, items, listed);
    else
        for (size_t i = 0; i < listed; ++i)
            printf("%u:%u  %-4s  %s  %u CU  %.1f GiB  fp64 %s\n", items[i].platform_index,
                   items[i].device_index, items[i].type_name, items[i].name, items[i].compute_units,
                   (double)items[i].global_memory / (1024.0 * 1024.0 * 1024.0),
                   items[i].fp64 ? "yes" : "no");
    free(items);
    return 0;
}

int cli_list_devices(clr_device_info **items, size_t *count, failure *f) {
    *items = NULL;
    size_t found = 0;
    if (clr_list_devices(NULL, 0, &found, f) != CLR_OK)
        return f->status;
    clr_device_info *all = calloc(found ? found : 1, sizeof *all);
    if (!all)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory");
    size_t listed = found;
    if (clr_list_devices(all, found, &listed, f) != CLR_OK) {
        free(all);
        return f->status;
    }
    *items = all;
    *count = listed < found ? listed : found; /* a device gone between the two calls */
    return 0;
}
