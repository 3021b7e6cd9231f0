#include "engine/verify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int verify_begin(const verify_rule *rule, size_t samples, verify_totals *totals, failure *f) {
    float *kept = totals->frame_differences;
    size_t kept_samples = totals->frame_samples;
    memset(totals, 0, sizeof *totals);
    totals->frame_differences = kept, totals->frame_samples = kept_samples;
    if (!rule->relative_to_frame_max || (kept && kept_samples >= samples))
        return 0;
    free(kept);
    totals->frame_differences = malloc(samples * sizeof *totals->frame_differences);
    totals->frame_samples = totals->frame_differences ? samples : 0;
    if (!totals->frame_differences)
        return failure_set(f, CLR_RUNTIME_ERROR, "out of memory for a frame's differences");
    return 0;
}

/* The difference of two real samples; NaN against NaN is no difference, against a number
 * an infinite one. */
static double real_difference(double a, double b) {
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0.0 : INFINITY;
    if (a == b)
        return 0.0; /* infinities too: inf - inf would be NaN */
    return fabs(a - b);
}

/* A frame is complete: its pixels are judged against its largest reference value. */
static void end_frame(const verify_rule *rule, size_t pixels, unsigned channels,
                      verify_totals *totals) {
    const double scale = totals->frame_largest_reference;
    const double bound = rule->absolute + rule->relative * scale;
    for (size_t p = 0; p < pixels; ++p) {
        int differs = 0;
        for (unsigned c = 0; c < channels; ++c) {
            double difference = totals->frame_differences[p * channels + c];
            differs |= difference > bound;
            double shown = scale > 0 ? difference / scale : difference;
            if (shown > totals->largest_difference)
                totals->largest_difference = shown;
        }
        totals->differing += (uint64_t)differs;
    }
    totals->frame_largest_reference = 0;
}

void verify_compare(const verify_rule *rule, const image *device, const image *reference,
                    size_t first_row, size_t height, verify_totals *totals) {
    const size_t pixels = device->width * device->height;
    const unsigned channels = device->channels;
    const bool per_frame = rule->relative_to_frame_max && !rule->integer;
    const size_t frame_offset = first_row * device->width * channels;
    for (size_t p = 0; p < pixels; ++p) {
        int differs = 0;
        for (unsigned c = 0; c < channels; ++c) {
            const size_t i = p * channels + c;
            double difference;
            if (rule->integer) {
                uint32_t a = image_sample(device, i), b = image_sample(reference, i);
                uint32_t levels = a > b ? a - b : b - a;
                differs |= levels > rule->levels;
                difference = levels;
                if ((double)b > totals->largest_reference)
                    totals->largest_reference = b;
            } else {
                double a = image_sample_real(device, i), b = image_sample_real(reference, i);
                difference = real_difference(a, b);
                if (isfinite(b) && fabs(b) > totals->largest_reference)
                    totals->largest_reference = fabs(b);
                if (per_frame) {
                    totals->frame_differences[frame_offset + i] = (float)difference;
                    if (fabs(b) > totals->frame_largest_reference)
                        totals->frame_largest_reference = fabs(b);
                } else {
                    differs |= difference > rule->absolute + rule->relative * fabs(b);
                }
            }
            totals->difference_sum += difference;
            ++totals->samples;
            if (difference > totals->largest_difference_abs)
                totals->largest_difference_abs = difference;
            if (!per_frame && rule->judge == VERIFY_PIXELS &&
                difference > totals->largest_difference)
                totals->largest_difference = difference;
        }
        totals->differing += (uint64_t)differs;
    }
    totals->compared += pixels;
    if (per_frame && first_row + device->height == height)
        end_frame(rule, device->width * height, channels, totals);
}

void clr_verify_combine(clr_verify_result *total, const clr_verify_result *part) {
    /* Relative differences back to absolute ones, then relative to the larger reference: the
     * whole render's scale, as one process would have divided by. */
    const double total_scale = total->relative_to_largest ? total->largest_reference : 1;
    const double part_scale = part->relative_to_largest ? part->largest_reference : 1;
    const double largest_reference = part->largest_reference > total->largest_reference
                                         ? part->largest_reference
                                         : total->largest_reference;
    const bool relative = total->relative_to_largest || part->relative_to_largest;
    const double scale = relative && largest_reference > 0 ? largest_reference : 1;
    uint64_t compared = total->compared + part->compared;
    total->mean_difference = compared
                                 ? (total->mean_difference * total_scale * (double)total->compared +
                                    part->mean_difference * part_scale * (double)part->compared) /
                                       (double)compared / scale
                                 : 0;
    total->compared = compared;
    total->differing += part->differing;
    /* Judged by mean, the largest difference is relative to the render's largest reference
     * too; otherwise it is in the unit itself, or relative to its own frame's (final). */
    double total_largest = total->largest_difference, part_largest = part->largest_difference;
    if (total->judged_by_mean)
        total_largest *= total_scale / scale, part_largest *= part_scale / scale;
    total->largest_difference = part_largest > total_largest ? part_largest : total_largest;
    total->largest_reference = largest_reference;
    total->relative_to_largest = relative && largest_reference > 0;
}

void verify_result(const verify_rule *rule, const verify_totals *totals,
                   clr_verify_result *result) {
    const double mean = totals->samples ? totals->difference_sum / (double)totals->samples : 0;
    const bool relative = rule->judge == VERIFY_MEAN || rule->relative_to_frame_max;
    const double scale = relative && totals->largest_reference > 0 ? totals->largest_reference : 1;
    *result = (clr_verify_result){
        .compared = totals->compared,
        .differing = totals->differing,
        .largest_difference = rule->judge == VERIFY_MEAN ? totals->largest_difference_abs / scale
                                                         : totals->largest_difference,
        .unit = rule->unit,
        .integer = rule->integer,
        .mean_difference = mean / scale,
        .largest_reference = totals->largest_reference,
        .judged_by_mean = rule->judge == VERIFY_MEAN,
        .default_tolerance = rule->default_tolerance,
        .reference_name = rule->reference_name ? rule->reference_name : "the reference",
        .relative_to_largest = relative && totals->largest_reference > 0,
    };
}

void verify_free(verify_totals *totals) {
    free(totals->frame_differences);
    totals->frame_differences = NULL;
    totals->frame_samples = 0;
}
