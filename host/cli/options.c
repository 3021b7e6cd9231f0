#include "cli/options.h"

#include <stdlib.h>
#include <string.h>

typedef struct found_option {
    const cli_option *option;
    void *target;
    const char *value;
    const char *spelled; /* how the user wrote the option, for messages */
} found_option;

static const cli_option *lookup(const cli_table *tables, size_t table_count, const char *arg,
                                size_t name_length, void **target) {
    for (size_t t = 0; t < table_count; ++t) {
        for (size_t i = 0; i < tables[t].count; ++i) {
            const cli_option *o = &tables[t].options[i];
            int long_match = strlen(o->name) == name_length && !strncmp(o->name, arg, name_length);
            int short_match =
                o->short_name && name_length == 2 && arg[0] == '-' && arg[1] == o->short_name;
            if (long_match || short_match) {
                *target = tables[t].target;
                return o;
            }
        }
    }
    return NULL;
}

int cli_wants_help(int argc, char **argv, int first) {
    for (int i = first; i < argc; ++i) {
        if (!strcmp(argv[i], "--"))
            return 0;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    }
    return 0;
}

int cli_parse(const char *command, int argc, char **argv, int first, const cli_table *tables,
              size_t table_count, failure *f) {
    size_t capacity = argc > first ? (size_t)(argc - first) : 1;
    found_option *found = calloc(capacity, sizeof *found);
    if (!found)
        return failure_set(f, CLR_EXIT_RUNTIME, "out of memory while reading options");
    size_t found_count = 0;
    int status = 0;

    for (int i = first; i < argc && status == 0; ++i) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0') {
            status =
                failure_set(f, CLR_EXIT_USAGE,
                            "%s: unexpected argument '%s' (options start with --; see 'clrender %s "
                            "--help')",
                            command, arg, command);
            break;
        }
        const char *equals = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
        size_t name_length = equals ? (size_t)(equals - arg) : strlen(arg);
        void *target = NULL;
        const cli_option *option = lookup(tables, table_count, arg, name_length, &target);
        if (!option) {
            status = failure_set(f, CLR_EXIT_USAGE,
                                 "%s: unknown option '%.*s' (see 'clrender %s --help')", command,
                                 (int)name_length, arg, command);
            break;
        }
        const char *value = NULL;
        if (option->metavar) {
            if (equals) {
                value = equals + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                status = failure_set(f, CLR_EXIT_USAGE, "%s: option %s needs a value %s", command,
                                     option->name, option->metavar);
                break;
            }
        } else if (equals) {
            status = failure_set(f, CLR_EXIT_USAGE, "%s: option %s takes no value (got '%s')",
                                 command, option->name, equals + 1);
            break;
        }
        found[found_count++] = (found_option){option, target, value, arg};
    }

    int lowest_pass = 0, highest_pass = 0;
    for (size_t i = 0; i < found_count; ++i) {
        if (found[i].option->pass < lowest_pass)
            lowest_pass = found[i].option->pass;
        if (found[i].option->pass > highest_pass)
            highest_pass = found[i].option->pass;
    }
    for (int pass = lowest_pass; status == 0 && pass <= highest_pass; ++pass) {
        for (size_t i = 0; status == 0 && i < found_count; ++i) {
            const found_option *o = &found[i];
            if (o->option->pass != pass)
                continue;
            char why[512];
            if (o->option->apply(o->target, o->value, why, sizeof why) != 0) {
                if (o->value)
                    status =
                        failure_set(f, CLR_EXIT_USAGE, "%s: %s '%s': %s (see 'clrender %s --help')",
                                    command, o->option->name, o->value, why, command);
                else
                    status =
                        failure_set(f, CLR_EXIT_USAGE, "%s: %s: %s", command, o->option->name, why);
            }
        }
    }
    free(found);
    return status;
}

void cli_print_options(FILE *out, const cli_option *options, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        const cli_option *o = &options[i];
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof left, "-%c, %s%s%s", o->short_name, o->name,
                     o->metavar ? " " : "", o->metavar ? o->metavar : "");
        else
            snprintf(left, sizeof left, "    %s%s%s", o->name, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "");
        fprintf(out, "  %-34s %s\n", left, o->help);
    }
}
