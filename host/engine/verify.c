#include "engine/verify.h"

#include <math.h>

void verify_compare(const verify_rule *rule, const image *device, const image *reference,
                    verify_totals *totals) {
    const size_t pixels = device->width * device->height;
    const unsigned channels = device->channels;
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
            } else {
                double a = image_sample_real(device, i), b = image_sample_real(reference, i);
                difference = fabs(a - b);
                if (isnan(a) || isnan(b))
                    difference = isnan(a) && isnan(b) ? 0.0 : INFINITY;
                differs |= difference > rule->absolute + rule->relative * fabs(b);
            }
            if (difference > totals->largest_difference)
                totals->largest_difference = difference;
        }
        totals->differing += (uint64_t)differs;
    }
    totals->compared += pixels;
}
