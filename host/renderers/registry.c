/* The table of renderers: one entry per `clrender NAME` render command. */
#include "renderers/julia/julia.h"
#include "renderers/renderer.h"
#include "renderers/sphere/sphere.h"

#include <string.h>

const renderer *const clr_renderers[] = {
    &julia_renderer,
    &sphere_renderer,
    NULL,
};

const renderer *renderer_find(const char *name) {
    for (const renderer *const *r = clr_renderers; *r; ++r)
        if (!strcmp((*r)->name, name))
            return *r;
    return NULL;
}
