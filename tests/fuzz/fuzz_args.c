/* libFuzzer target: command lines of the render commands.
 *
 * The input is split at NUL and newline bytes into at most 24 arguments; its
 * first byte picks the renderer, among every one the library has. Any input
 * must end in 0 or a usage failure with a one-line message (the options, then
 * the renderer's parameters set through the session and checked together),
 * never a crash, a leak or undefined behaviour. Parsing also checks where the
 * frames of -o NAME%d would go, and a directory that is not there is the
 * machine's state, not a usage error: a one-line runtime failure. */
#include "cli/cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    size_t renderers = 0;
    while (clr_renderer_name(renderers))
        ++renderers;
    const char *renderer = clr_renderer_name(data[0] % renderers);
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    char *argv[MAX_ARGS + 2] = {"clrender", (char *)renderer};
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

    /* Files are other fuzzers' job; reading arbitrary paths (a FIFO, /dev/zero) would only
     * make this one slow or stall. */
    for (int i = 2; i < argc; ++i)
        if (strstr(argv[i], "--scene")) {
            free(text);
            return 0;
        }

    render_options options;
    console out = {.quiet = true};
    clr_session *session = NULL;
    failure f = {0};
    int status = render_parse(renderer, argc, argv, 2, &options, &out, &session, &f);
    if (status != 0 && ((status != CLR_USAGE_ERROR && status != CLR_RUNTIME_ERROR) ||
                        strchr(f.message, '\n') || !f.message[0]))
        abort(); /* only one-line usage or runtime failures are allowed */
    clr_session_close(session);
    render_options_free(&options);
    free(text);
    return 0;
}
