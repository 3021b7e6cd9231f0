/* options.h — command lines read against typed tables (util/params.h).
 *
 * A command describes its options as tables of param_spec rows: rows bound to
 * a struct of its own (the common render options, bench's), or a renderer's
 * parameters, which the command passes on to clr_set(). Following getopt:
 * "--name VALUE", "--name=VALUE", "-o VALUE" and "-oVALUE" are accepted; "--"
 * ends the options and makes every later argument an operand. Options that
 * are presets (early) are applied first, the rest in command-line order.
 */
#ifndef CLRENDER_CLI_OPTIONS_H
#define CLRENDER_CLI_OPTIONS_H

#include "util/failure.h"
#include "util/params.h"

#include <stdio.h>

typedef struct cli_table {
    const param_spec *rows;
    size_t count;
    void *target; /* the struct its rows write into; NULL for a renderer's parameters */
} cli_table;

typedef struct cli_option {
    const cli_table *table;
    const param_spec *row;
    const char *value; /* NULL for a flag */
} cli_option;

typedef struct cli_command_line {
    cli_option *options; /* in the order to apply them */
    size_t option_count;
    char **operands; /* arguments that are no options */
    size_t operand_count;
} cli_command_line;

/* Reads argv[first..argc-1]. `command` names the command in messages
 * ("julia"). Unless `operands_allowed`, an operand is a usage failure. */
int cli_scan(const char *command, int argc, char **argv, int first, const cli_table *tables,
             size_t table_count, int operands_allowed, cli_command_line *line, failure *f);
void cli_command_line_free(cli_command_line *line);

/* main() keeps the process's arguments; cli_command_text() gives them back as one line
 * quoted for a POSIX shell ("clrender julia --c -0.4,0.6 -o 'my file.png'"), a new string
 * to free (NULL without memory), for the files that record how they were made. */
void cli_remember_command(int argc, char **argv);
char *cli_command_text(void);

/* Applies an option of a struct-bound table; usage failure "CMD: --NAME 'VALUE': WHY". */
int cli_apply(const char *command, const cli_option *option, failure *f);

/* cli_scan(), then cli_apply() of every option whose table has a target. */
int cli_read(const char *command, int argc, char **argv, int first, const cli_table *tables,
             size_t table_count, int operands_allowed, cli_command_line *line, failure *f);

/* 1 when argv[first..] asks for help ("--help", "-h") or the version ("--version",
 * "-V") before any "--". */
int cli_wants_help(int argc, char **argv, int first);
int cli_wants_version(int argc, char **argv, int first);

/* Prints rows for --help, aligned. */
void cli_print_rows(FILE *out, const param_spec *rows, size_t count);

#endif
