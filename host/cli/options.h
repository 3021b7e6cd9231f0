/* cli.h — table-driven option parsing shared by every command.
 *
 * A command describes its options as `cli_option` tables, each bound to the
 * struct its `apply` functions fill. cli_parse() accepts "--name VALUE",
 * "--name=VALUE" and "-o VALUE", rejects anything unknown, then applies the
 * options in order of `pass` (lower first: presets go before the options that
 * override them) and, within a pass, in command-line order.
 */
#ifndef CLRENDER_CLI_H
#define CLRENDER_CLI_H

#include "util/failure.h"

#include <stddef.h>
#include <stdio.h>

/* Stores `value` (NULL for a flag) into `target`; on a bad value returns -1 with a reason. */
typedef int (*cli_apply_fn)(void *target, const char *value, char *why, size_t why_len);

typedef struct cli_option {
    const char *name;    /* "--size" */
    char short_name;     /* 'o' for "-o", or 0 */
    const char *metavar; /* "WxH"; NULL when the option is a flag that takes no value */
    const char *help;    /* one line for --help */
    cli_apply_fn apply;
    int pass; /* 0 for most options, -1 for those applied first */
} cli_option;

typedef struct cli_table {
    const cli_option *options;
    size_t count;
    void *target;
} cli_table;

/* Parses argv[first..argc-1] (no positional arguments are accepted). `command`
 * names the command in messages ("julia"). Returns 0 or CLR_EXIT_USAGE. */
int cli_parse(const char *command, int argc, char **argv, int first, const cli_table *tables,
              size_t table_count, failure *f);

/* 1 when argv[first..] asks for help ("--help" or "-h") before any "--". */
int cli_wants_help(int argc, char **argv, int first);

/* Prints one table's options, aligned, for --help. */
void cli_print_options(FILE *out, const cli_option *options, size_t count);

#endif
