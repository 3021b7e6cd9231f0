/* libFuzzer target: --device specs (host/device/device_spec.c).
 *
 * The input is a spec, chosen against a made-up listing of a CPU platform and a GPU platform
 * of two cards and an accelerator. Any spec must choose distinct, existing devices or fail
 * with a one-line runtime failure that chose nothing; never crash, leak or trip the
 * sanitizers. */
#include "device/device.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static device_entry make(cl_device_type type, const char *name, unsigned p, unsigned d) {
    device_entry e;
    memset(&e, 0, sizeof e);
    e.type = type, e.platform_index = p, e.device_index = d;
    snprintf(e.name, sizeof e.name, "%s", name);
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const device_entry devices[4] = {
        make(CL_DEVICE_TYPE_CPU, "pthread-znver4", 0, 0),
        make(CL_DEVICE_TYPE_GPU, "NVIDIA H100 80GB HBM3", 1, 0),
        make(CL_DEVICE_TYPE_GPU, "NVIDIA GeForce RTX 4090", 1, 1),
        make(CL_DEVICE_TYPE_ACCELERATOR, "gfx90a:sramecc+:xnack-", 2, 0),
    };
    char *spec = malloc(size + 1);
    if (!spec)
        return 0;
    memcpy(spec, data, size);
    spec[size] = '\0';
    size_t chosen[4], count = 99;
    failure f = {0};
    int status =
        device_choose(devices, 4, spec, size % 2 ? "CLRENDER_DEVICE" : NULL, chosen, &count, &f);
    if (status != 0) {
        if (status != CLR_RUNTIME_ERROR || count != 0 || !f.message[0] || strchr(f.message, '\n'))
            abort();
    } else {
        if (count == 0 || count > 4)
            abort();
        for (size_t i = 0; i < count; ++i)
            for (size_t j = 0; j < count; ++j)
                if (chosen[i] >= 4 || (i != j && chosen[i] == chosen[j]))
                    abort();
    }
    free(spec);
    return 0;
}
