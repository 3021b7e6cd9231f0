/* bench_command.h — `clrender bench`: the standard workloads on each device and
 * on the scalar reference, medians of repeated runs, as a table or JSON. */
#ifndef CLRENDER_BENCH_COMMAND_H
#define CLRENDER_BENCH_COMMAND_H

#include "util/failure.h"

#include <stdio.h>

int bench_command(int argc, char **argv, int first, failure *f);
void bench_print_help(FILE *out);

#endif
