/* julia_layout.h — what kernels/julia.cl and the host (host/renderers/julia/)
 * agree on. Both include this file: it must stay valid C and OpenCL C. */
#ifndef JULIA_LAYOUT_H
#define JULIA_LAYOUT_H

/* Image rows one julia_simd work-item iterates, each a vector of LANES adjacent
 * pixels. A band of a launch starts at a multiple of it; julia() covers 1 row. */
#define JULIA_SIMD_ROWS 4

/* The golden ratio's fraction, which spaces a pixel's samples (--spp) in y. Both sides
 * round it to their precision from this text, so they sample the same points. */
#define JULIA_GOLDEN 0.6180339887498949

/* The escape radius when smooth values are asked and --threshold is not given: nu's
 * log-log formula is exact in the limit of large |z|, and at R = 256 its error is far
 * below what a picture shows (a smaller R leaves faint bands). */
#define JULIA_SMOOTH_RADIUS 256.0

#endif
