#include "cli/options.h"

#include <stdlib.h>
#include <string.h>

static const param_spec *lookup_long(const cli_table *tables, size_t count, const char *name,
                                     size_t length, const cli_table **table) {
    for (size_t t = 0; t < count; ++t)
        for (size_t i = 0; i < tables[t].count; ++i) {
            const param_spec *row = &tables[t].rows[i];
            if (strlen(row->name) == length && !strncmp(row->name, name, length)) {
                *table = &tables[t];
                return row;
            }
        }
    return NULL;
}

static const param_spec *lookup_short(const cli_table *tables, size_t count, char letter,
                                      const cli_table **table) {
    for (size_t t = 0; t < count; ++t)
        for (size_t i = 0; i < tables[t].count; ++i)
            if (letter && tables[t].rows[i].short_name == letter) {
                *table = &tables[t];
                return &tables[t].rows[i];
            }
    return NULL;
}

/* Presets first, then the rest, each group in command-line order. */
static int put_early_first(cli_command_line *line) {
    cli_option *sorted = calloc(line->option_count ? line->option_count : 1, sizeof *sorted);
    if (!sorted)
        return -1;
    size_t n = 0;
    for (int early = 1; early >= 0; --early)
        for (size_t i = 0; i < line->option_count; ++i)
            if (line->options[i].row->early == (early == 1))
                sorted[n++] = line->options[i];
    free(line->options);
    line->options = sorted;
    return 0;
}

int cli_scan(const char *command, int argc, char **argv, int first, const cli_table *tables,
             size_t table_count, int operands_allowed, cli_command_line *line, failure *f) {
    size_t capacity = argc > first ? (size_t)(argc - first) : 1;
    memset(line, 0, sizeof *line);
    line->options = calloc(capacity, sizeof *line->options);
    line->operands = calloc(capacity, sizeof *line->operands);
    if (!line->options || !line->operands) {
        cli_command_line_free(line);
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory while reading options");
    }
    int only_operands = 0;
    for (int i = first; i < argc; ++i) {
        const char *arg = argv[i];
        if (!only_operands && !strcmp(arg, "--")) {
            only_operands = 1;
            continue;
        }
        if (only_operands || arg[0] != '-' || arg[1] == '\0') {
            if (!operands_allowed) {
                cli_command_line_free(line);
                return failure_set(f, CLR_USAGE_ERROR,
                                   "%s: unexpected argument '%s' (options start with --; see "
                                   "'clrender %s --help')",
                                   command, arg, command);
            }
            line->operands[line->operand_count++] = argv[i];
            continue;
        }
        const cli_table *table = NULL;
        const param_spec *row;
        const char *value = NULL, *attached = NULL;
        char spelled[64];
        if (arg[1] == '-') { /* --name or --name=value */
            const char *equals = strchr(arg, '=');
            size_t length = equals ? (size_t)(equals - arg - 2) : strlen(arg + 2);
            row = lookup_long(tables, table_count, arg + 2, length, &table);
            snprintf(spelled, sizeof spelled, "%.*s", (int)(length + 2 < 60 ? length + 2 : 60),
                     arg);
            attached = equals ? equals + 1 : NULL;
        } else { /* -o or -oVALUE */
            row = lookup_short(tables, table_count, arg[1], &table);
            snprintf(spelled, sizeof spelled, "-%c", arg[1]);
            if (row && arg[2])
                attached = row->metavar ? arg + 2 : NULL;
            if (row && arg[2] && !row->metavar)
                row = NULL; /* "-qx": no cluster of flags is defined */
        }
        if (!row) {
            cli_command_line_free(line);
            return failure_set(f, CLR_USAGE_ERROR,
                               "%s: unknown option '%s' (see 'clrender %s --help')", command,
                               arg[1] == '-' ? spelled : arg, command);
        }
        if (row->metavar) {
            if (attached) {
                value = attached;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                cli_command_line_free(line);
                return failure_set(f, CLR_USAGE_ERROR, "%s: option --%s needs a value %s", command,
                                   row->name, row->metavar);
            }
        } else if (attached) {
            cli_command_line_free(line);
            return failure_set(f, CLR_USAGE_ERROR, "%s: option --%s takes no value (got '%s')",
                               command, row->name, attached);
        }
        line->options[line->option_count++] = (cli_option){table, row, value};
    }
    if (put_early_first(line) != 0) {
        cli_command_line_free(line);
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory while reading options");
    }
    return 0;
}

void cli_command_line_free(cli_command_line *line) {
    free(line->options);
    free(line->operands);
    memset(line, 0, sizeof *line);
}

int cli_apply(const char *command, const cli_option *option, failure *f) {
    char why[512];
    if (param_set_text(option->row, option->table->target, option->value, why, sizeof why) == 0)
        return 0;
    if (option->value)
        return failure_set(f, CLR_USAGE_ERROR, "%s: --%s '%s': %s (see 'clrender %s --help')",
                           command, option->row->name, option->value, why, command);
    return failure_set(f, CLR_USAGE_ERROR, "%s: --%s: %s", command, option->row->name, why);
}

int cli_read(const char *command, int argc, char **argv, int first, const cli_table *tables,
             size_t table_count, int operands_allowed, cli_command_line *line, failure *f) {
    if (cli_scan(command, argc, argv, first, tables, table_count, operands_allowed, line, f) != 0)
        return f->status;
    for (size_t i = 0; i < line->option_count; ++i)
        if (line->options[i].table->target && cli_apply(command, &line->options[i], f) != 0) {
            cli_command_line_free(line);
            return f->status;
        }
    return 0;
}

static int wants(int argc, char **argv, int first, const char *a, const char *b) {
    for (int i = first; i < argc; ++i) {
        if (!strcmp(argv[i], "--"))
            return 0;
        if (!strcmp(argv[i], a) || !strcmp(argv[i], b))
            return 1;
    }
    return 0;
}

int cli_wants_help(int argc, char **argv, int first) {
    return wants(argc, argv, first, "--help", "-h");
}

int cli_wants_version(int argc, char **argv, int first) {
    return wants(argc, argv, first, "--version", "-V");
}

void cli_print_rows(FILE *out, const param_spec *rows, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        char left[64];
        param_usage(&rows[i], left, sizeof left);
        fprintf(out, "  %-34s %s\n", left, rows[i].help);
    }
}

/* The process's command line, kept by main() for the files that record it. */
static int command_argc;
static char **command_argv;

void cli_remember_command(int argc, char **argv) {
    command_argc = argc;
    command_argv = argv;
}

/* Appends `word` to `out` quoted for a POSIX shell: as it is when it holds only characters no
 * shell treats specially, else in single quotes (a ' inside as '\''). Returns the new end. */
static char *shell_quote(const char *word, char *out) {
    const size_t length = strlen(word);
    if (length && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789%+,-./:=@_") == length) {
        memcpy(out, word, length);
        return out + length;
    }
    *out++ = '\'';
    for (const char *c = word; *c; ++c) {
        if (*c == '\'') {
            memcpy(out, "'\\''", 4);
            out += 4;
        } else {
            *out++ = *c;
        }
    }
    *out++ = '\'';
    return out;
}

char *cli_command_text(void) {
    size_t size = sizeof "clrender";
    for (int i = 1; i < command_argc; ++i)
        size += 4 * strlen(command_argv[i]) + 3; /* a space, two quotes, ' as 4 characters */
    char *text = malloc(size);
    if (!text)
        return NULL;
    char *end = text + sprintf(text, "clrender");
    for (int i = 1; i < command_argc; ++i) {
        *end++ = ' ';
        end = shell_quote(command_argv[i], end);
    }
    *end = '\0';
    return text;
}
