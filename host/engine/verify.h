/* verify.h — comparing a device's rows with the scalar reference's, by the
 * renderer's rule: integer levels, or an absolute plus relative bound for reals. */
#ifndef CLRENDER_VERIFY_H
#define CLRENDER_VERIFY_H

#include "renderers/renderer.h"

typedef struct verify_totals {
    uint64_t compared;         /* pixels */
    uint64_t differing;        /* pixels with any sample beyond the tolerance */
    double largest_difference; /* over all samples */
} verify_totals;

/* Compares two images of the same layout and adds to `totals`. */
void verify_compare(const verify_rule *rule, const image *device, const image *reference,
                    verify_totals *totals);

#endif
