/* A program that uses clrender as an installed library: only <clrender/clrender.h>.
 * It renders the blog's Julia set at 100x62 into memory and checks it, then renders the same
 * with the scalar reference and compares. Exit 0 and "ok" when everything agrees. */
#include <clrender/clrender.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int render(int reference, uint32_t **counts, clr_layout *layout) {
    clr_error err;
    clr_session_options options = {.reference = reference};
    clr_session *s = clr_session_open("julia", &options, &err);
    if (!s || clr_set(s, "preset", "blog-overview", &err) != CLR_OK ||
        clr_set(s, "size", "100x62", &err) != CLR_OK ||
        clr_set_real(s, "threshold", 2.0, &err) != CLR_OK ||
        clr_layout_get(s, layout, &err) != CLR_OK) {
        fprintf(stderr, "example: %s\n", err.message);
        clr_session_close(s);
        return 1;
    }
    *counts = malloc(layout->bytes);
    if (!*counts || clr_render_memory(s, *counts, layout->bytes, &err) != CLR_OK) {
        fprintf(stderr, "example: %s\n", err.message);
        clr_session_close(s);
        return 1;
    }
    clr_session_close(s);
    return 0;
}

int main(void) {
    size_t count = 0;
    clr_error err;
    if (clr_list_devices(NULL, 0, &count, &err) != CLR_OK || count == 0) {
        fprintf(stderr, "example: no device: %s\n", err.message);
        return 1;
    }
    uint32_t *device = NULL, *reference = NULL;
    clr_layout layout;
    if (render(0, &device, &layout) != 0 || render(1, &reference, &layout) != 0)
        return 1;
    /* The filled set has points that never escape (count MAX = 80); the corner escapes at once. */
    size_t inside = 0;
    for (size_t i = 0; i < layout.width * layout.height; ++i)
        inside += device[i] == 80;
    uint32_t corner = device[0];
    int same = memcmp(device, reference, layout.bytes) == 0;
    printf("clrender %s: %zux%zu, %zu devices, %zu points inside, corner %u, %s\n", clr_version(),
           layout.width, layout.height, count, inside, corner, same ? "same" : "DIFFERENT");
    free(device);
    free(reference);
    if (layout.width != 100 || layout.height != 62 || inside == 0 || corner > 2 || !same)
        return 1;
    puts("ok");
    return 0;
}
