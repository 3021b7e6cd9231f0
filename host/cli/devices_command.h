/* devices_command.h — `clrender devices [--json]`: list every OpenCL device. */
#ifndef CLRENDER_DEVICES_COMMAND_H
#define CLRENDER_DEVICES_COMMAND_H

#include "util/failure.h"

#include <stdio.h>

int devices_command(int argc, char **argv, int first, failure *f);
void devices_print_help(FILE *out);

#endif
