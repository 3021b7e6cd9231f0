/* libFuzzer target: the files of `clrender batch`.
 *
 * The input is a batch file: JSON Lines, one render per line. Whatever the bytes, checking
 * it (batch_check: every line's JSON, renderer, option names and common options, as the
 * command does before its first render) must end in 0 or a usage failure with a one-line
 * message, never a crash, a leak or undefined behaviour. Nothing is rendered. */
#include "cli/cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1); /* the reader cuts lines in place, the last one too */
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    failure f = {0};
    size_t renders;
    int status = batch_check(text, size, &renders, &f);
    if (status != 0 && (status != CLR_USAGE_ERROR || strchr(f.message, '\n')))
        abort(); /* only one-line usage failures are allowed */
    free(text);
    return 0;
}
