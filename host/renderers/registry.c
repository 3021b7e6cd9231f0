/* The registry: one line per renderer. */
#include "renderers/julia/julia.h"
#include "renderers/sphere/sphere.h"
#include "renderers/xray/xray.h"

#include <string.h>

const renderer *const renderer_registry[] = {
    &julia_renderer, &mandelbrot_renderer, &sphere_renderer, &xray_renderer, NULL,
};

const renderer *renderer_find(const char *name) {
    for (const renderer *const *r = renderer_registry; *r; ++r)
        if (!strcmp((*r)->name, name))
            return *r;
    return NULL;
}

bool renderer_was_set(const renderer *r, const renderer_context *context, const char *name) {
    for (size_t i = 0; i < r->param_count; ++i)
        if (!strcmp(r->params[i].name, name))
            return context->was_set[i];
    return false;
}

verify_rule renderer_verify_rule(const renderer *r, const void *params) {
    verify_rule rule = r->verify;
    if (r->verify_rule_for)
        r->verify_rule_for(params, &rule);
    return rule;
}
