#include "engine/verify.h"

verify_result verify_compare(const image *device, const image *reference,
                             uint32_t sample_tolerance) {
    verify_result result = {0, 0, 0};
    const size_t pixels = device->width * device->height;
    const unsigned channels = device->channels;
    for (size_t p = 0; p < pixels; ++p) {
        int differs = 0;
        for (unsigned c = 0; c < channels; ++c) {
            uint32_t a = image_sample(device, p * channels + c);
            uint32_t b = image_sample(reference, p * channels + c);
            uint32_t difference = a > b ? a - b : b - a;
            if (difference > result.largest_difference)
                result.largest_difference = difference;
            differs |= difference > sample_tolerance;
        }
        result.differing += (uint64_t)differs;
    }
    result.compared = pixels;
    return result;
}

double verify_fraction(const verify_result *result) {
    return result->compared ? (double)result->differing / (double)result->compared : 0.0;
}
