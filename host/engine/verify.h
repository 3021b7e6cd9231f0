/* verify.h — comparing a device's rows with the scalar reference's, by the
 * renderer's rule (renderer.h): integer levels, or an absolute plus relative
 * bound for reals, per sample or relative to each frame's largest value; or the
 * mean difference from an exact solution. */
#ifndef CLRENDER_VERIFY_H
#define CLRENDER_VERIFY_H

#include "renderers/renderer.h"

typedef struct verify_totals {
    uint64_t compared;             /* pixels */
    uint64_t differing;            /* pixels with any sample beyond the tolerance */
    double largest_difference;     /* over all samples, in the rule's unit */
    double difference_sum;         /* of |a - b| over all samples */
    uint64_t samples;              /* compared */
    double largest_difference_abs; /* max |a - b| */
    double largest_reference;      /* max |b| over the render */
    /* relative_to_frame_max: the frame's differences wait for its largest |b| */
    float *frame_differences;
    size_t frame_samples;
    double frame_largest_reference;
} verify_totals;

/* Makes room for one frame of `samples` samples when the rule needs it. */
int verify_begin(const verify_rule *rule, size_t samples, verify_totals *totals, failure *f);

/* Compares two bands of the same layout, the band's rows starting at `first_row` of a frame
 * `height` rows high, and adds to `totals`. */
void verify_compare(const verify_rule *rule, const image *device, const image *reference,
                    size_t first_row, size_t height, verify_totals *totals);

/* The result so far, in the public form. */
void verify_result(const verify_rule *rule, const verify_totals *totals, clr_verify_result *result);

void verify_free(verify_totals *totals);

#endif
