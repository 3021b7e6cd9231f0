/* libFuzzer target: scene files.
 *
 * Any bytes must parse into a scene or fail with a one-line usage message,
 * never crash, leak or trip the sanitizers; a parsed scene must also survive
 * camera_frame_make(). */
#include "renderers/sphere/scene.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    scene s;
    failure f = {0};
    int status = scene_parse((const char *)data, size, "fuzz", &s, NULL, NULL, &f);
    if (status != 0) {
        if (status != CLR_USAGE_ERROR || strchr(f.message, '\n') || s.spheres || s.lights)
            abort();
        return 0;
    }
    camera_frame frame;
    (void)camera_frame_make(&s, 64, 48, &frame, &f);
    scene_free(&s);
    return 0;
}
