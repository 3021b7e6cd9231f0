/* libFuzzer target: volume files.
 *
 * The first byte picks the format (.npy, .mha, .nrrd), the rest is the file. Any
 * bytes must read into finite float voxels or fail with a one-line message, never
 * crash, leak or trip the sanitizers, and never allocate beyond the limit given
 * (64 MiB here: headers that promise more are refused before any reading). */
#define _POSIX_C_SOURCE 200809L
#include "renderers/xray/xray.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[3] = {"/tmp/clrender-fuzz-%d.npy", "/tmp/clrender-fuzz-%d.mha",
                                         "/tmp/clrender-fuzz-%d.nrrd"};
    if (size == 0)
        return 0;
    char path[64];
    snprintf(path, sizeof path, names[data[0] % 3], (int)getpid());
    FILE *out = fopen(path, "wb");
    if (!out)
        abort();
    if (size > 1 && fwrite(data + 1, 1, size - 1, out) != size - 1)
        abort();
    fclose(out);
    volume_file v;
    failure f = {0};
    int status = volume_file_read(path, 64u << 20, &v, &f);
    unlink(path);
    if (status != 0) {
        if ((status != CLR_USAGE_ERROR && status != CLR_RUNTIME_ERROR) || strchr(f.message, '\n') ||
            v.voxels)
            abort();
        return 0;
    }
    size_t count = v.grid.dims[0] * v.grid.dims[1] * v.grid.dims[2];
    if (!v.voxels || count == 0)
        abort();
    for (size_t i = 0; i < count; ++i)
        if (!isfinite(v.voxels[i]))
            abort();
    for (int a = 0; a < 3; ++a)
        if (!(v.grid.spacing[a] > 0) || !isfinite(v.grid.corner[a]))
            abort();
    volume_file_free(&v);
    return 0;
}
