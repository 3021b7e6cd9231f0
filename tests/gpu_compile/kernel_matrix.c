/* kernel_matrix — prints every kernel launch the renderers can describe, one per line:
 *
 *     PROGRAM <TAB> ENTRY POINT <TAB> BUILD OPTIONS
 *
 * For each renderer, each of its declared kernel_variants ("name=value ...") is set on a fresh
 * session and launch() describes the launch on a GPU and on CPUs of every preferred vector
 * width, so the SIMD kernels appear with each lane count they can be built with. Duplicates are
 * printed once. tests/gpu_compile/compile_for_gpu.sh compiles each line for a GPU target. */
#include "engine/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 256

static char seen[MAX_LINES][512];
static size_t seen_count;

static void print_once(const launch *request) {
    char line[512];
    snprintf(line, sizeof line, "%s\t%s\t%s", request->program, request->entry_point,
             request->build_options);
    for (size_t i = 0; i < seen_count; ++i)
        if (!strcmp(seen[i], line))
            return;
    if (seen_count < MAX_LINES)
        snprintf(seen[seen_count++], sizeof seen[0], "%s", line);
    printf("%s\n", line);
}

#define DEVICES 6

/* The devices launch() tells apart: a GPU (no preferred vector width) and CPUs preferring
 * 2, 4, 8 and 16 lanes, all with fp64, which every renderer's double variants need; and a GPU
 * without fp64, for the kernels that use double only where the device has it. */
static void fake_devices(device_entry devices[DEVICES]) {
    const cl_uint widths[DEVICES] = {1, 2, 4, 8, 16, 1};
    for (int i = 0; i < DEVICES; ++i) {
        bool gpu = i == 0 || i == DEVICES - 1;
        memset(&devices[i], 0, sizeof devices[i]);
        devices[i].type = gpu ? CL_DEVICE_TYPE_GPU : CL_DEVICE_TYPE_CPU;
        snprintf(devices[i].name, sizeof devices[i].name, "fake %s", gpu ? "GPU" : "CPU");
        devices[i].fp64 = i != DEVICES - 1;
        devices[i].vector_width_float = devices[i].vector_width_double = widths[i];
        devices[i].max_allocation = devices[i].global_memory = 1ull << 30;
    }
}

static int describe_variant(const renderer *r, const char *variant, const device_entry *devices) {
    char words[512];
    snprintf(words, sizeof words, "%s", variant);
    failure f = {0};
    /* The reference backend: no device is opened, the launches are only described. */
    clr_session *s = clr_session_open(r->name, &(clr_session_options){.reference = 1}, &f);
    int status = s ? 0 : 1;
    for (char *w = strtok(words, " "); status == 0 && w; w = strtok(NULL, " ")) {
        char *equals = strchr(w, '=');
        if (equals)
            *equals = '\0';
        status = clr_set(s, w, equals ? equals + 1 : NULL, &f);
    }
    if (status == 0)
        status = session_finish(s, &f);
    for (int d = 0; status == 0 && d < DEVICES; ++d) {
        launch request;
        memset(&request, 0, sizeof request);
        status = r->launch(s->params, &devices[d], 0, 0, &request, &f);
        if (status == 0)
            print_once(&request);
    }
    if (status != 0)
        fprintf(stderr, "kernel_matrix: %s variant '%s': %s\n", r->name, variant, f.message);
    clr_session_close(s);
    return status;
}

int main(void) {
    device_entry devices[DEVICES];
    fake_devices(devices);
    for (const renderer *const *r = renderer_registry; *r; ++r) {
        if (!(*r)->kernel_variants) {
            fprintf(stderr, "kernel_matrix: renderer %s declares no kernel_variants\n", (*r)->name);
            return 1;
        }
        for (const char *const *v = (*r)->kernel_variants; *v; ++v)
            if (describe_variant(*r, *v, devices) != 0)
                return 1;
    }
    return 0;
}
