/* The CLRENDER_* environment variables: read here and nowhere else. */
#include "cli/cli.h"

#include <stdlib.h>

static uint64_t number(const char *name) {
    const char *text = getenv(name);
    return text && *text ? strtoull(text, NULL, 10) : 0;
}

void cli_environment(clr_session_options *options) {
    const char *device = getenv("CLRENDER_DEVICE");
    if (device && *device) {
        options->devices = device;
        options->devices_origin = "CLRENDER_DEVICE";
    }
    const char *kernels = getenv("CLRENDER_KERNEL_DIR");
    if (kernels && *kernels)
        options->kernel_dir = kernels;
    options->test_max_allocation = number("CLRENDER_TEST_MAX_ALLOC");
    options->test_fail_launches = (unsigned)number("CLRENDER_TEST_FAIL_LAUNCHES");
}
