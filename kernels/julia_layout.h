/* julia_layout.h — what kernels/julia.cl and the host (host/renderers/julia/)
 * agree on. Both include this file: it must stay valid C and OpenCL C. */
#ifndef JULIA_LAYOUT_H
#define JULIA_LAYOUT_H

/* Image rows one julia_simd work-item iterates, each a vector of LANES adjacent
 * pixels. A band of a launch starts at a multiple of it; julia() covers 1 row. */
#define JULIA_SIMD_ROWS 4

#endif
