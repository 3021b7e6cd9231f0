/* verify.h — comparing a device image with the scalar reference's. */
#ifndef CLRENDER_VERIFY_H
#define CLRENDER_VERIFY_H

#include "util/image.h"

#include <stdint.h>

typedef struct verify_result {
    uint64_t compared;           /* pixels */
    uint64_t differing;          /* pixels with any sample off by more than the tolerance */
    uint32_t largest_difference; /* over all samples */
} verify_result;

/* Both images must have the same layout. */
verify_result verify_compare(const image *device, const image *reference,
                             uint32_t sample_tolerance);

/* The fraction of compared pixels that differ (0 when none were compared). */
double verify_fraction(const verify_result *result);

#endif
