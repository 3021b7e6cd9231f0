/* ramp.cl — the engine tests' kernel (tests/unit/test_session.c): float samples of
 * weights[col] * scale + row + 1000 * frame, ROWS_PER_ITEM image rows per work-item. */
#pragma OPENCL FP_CONTRACT OFF

__kernel void ramp(__global float *out, uint width, uint height, uint frame, float scale,
                   __global const float *weights, uint rows_per_item) {
    const uint col = get_global_id(0);
    const uint first = get_global_id(1) * rows_per_item;
    const uint band_first = get_global_offset(1) * rows_per_item;
    if (col >= width)
        return;
    for (uint r = 0; r < rows_per_item; ++r) {
        const uint row = first + r;
        if (row < height)
            out[(size_t)(row - band_first) * width + col] =
                weights[col] * scale + (float)row + 1000.0f * (float)frame;
    }
}
