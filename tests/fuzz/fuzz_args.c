/* libFuzzer target: command lines of the render commands.
 *
 * The input is split at NUL and newline bytes into at most 24 arguments; its
 * first byte picks the command (julia, sphere, devices-style flags through
 * julia). Any input must end in 0 or a usage failure with a one-line message,
 * never a crash, a leak or undefined behaviour. */
#include "cli/render_command.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const renderer *r = clr_renderers[data[0] % 2];
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    char *argv[MAX_ARGS + 2] = {"clrender", (char *)r->name};
    int argc = 2;
    char *token = text;
    for (size_t i = 0; i + 1 < size && argc < MAX_ARGS + 2; ++i) {
        if (text[i] == '\n' || text[i] == '\0') {
            text[i] = '\0';
            argv[argc++] = token;
            token = text + i + 1;
        }
    }
    if (argc < MAX_ARGS + 2)
        argv[argc++] = token;

    /* Scene files are the scene fuzzer's job; reading arbitrary paths (a FIFO,
     * /dev/zero) would only make this one slow or stall. */
    for (int i = 2; i < argc; ++i)
        if (strstr(argv[i], "--scene")) {
            free(text);
            return 0;
        }

    render_options options;
    void *params = calloc(1, r->params_size);
    failure f = {0, ""};
    if (params) {
        int status = render_parse(r, argc, argv, 2, &options, params, &f);
        if (status != 0 && (status != CLR_EXIT_USAGE || strchr(f.message, '\n')))
            abort(); /* only one-line usage failures are allowed */
        if (r->release)
            r->release(params);
    }
    free(params);
    free(text);
    return 0;
}
