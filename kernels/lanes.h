/* lanes.h — what the kernels built for a vector of LANES pixels or rays (-DLANES=N, N = 1, 2,
 * 4, 8 or 16) share: the names of their vector types and the test whether any lane of a
 * comparison holds.
 *
 * VECTOR(double, 8) is double8 and LANEWISE(double) is doubleLANES (double for LANES 1), the
 * OpenCL type or builtin: both expand their arguments first, so LANES may be a macro. */
#ifndef CLRENDER_LANES_H
#define CLRENDER_LANES_H

#define JOIN_EXPANDED(a, b) a##b
#define JOIN(a, b)          JOIN_EXPANDED(a, b)
#define VECTOR(type, n)     JOIN(type, n)

#if LANES == 1
#define LANE_SUFFIX
#elif LANES == 2 || LANES == 4 || LANES == 8 || LANES == 16
#define LANE_SUFFIX LANES
#else
#error "LANES must be 1, 2, 4, 8 or 16"
#endif
#define LANEWISE(name) JOIN(name, LANE_SUFFIX)

/* ANY_LANE(m): whether any lane of the comparison result m holds (m a scalar for LANES 1).
 * Read from the lanes' low bytes as one integer, which LLVM turns into one test of the
 * comparison's mask register (ktest on AVX-512). PoCL 3.1's any() tests the lanes a pair at a
 * time with a branch each, and an OR over the lanes becomes a chain of shuffles: in the Julia
 * loop that reduction held a third of the kernel's profile samples. */
#if LANES == 1
#define ANY_LANE(m) (m)
#elif LANES == 2
#define ANY_LANE(m) (as_ushort(convert_char2(m)) != 0)
#elif LANES == 4
#define ANY_LANE(m) (as_uint(convert_char4(m)) != 0)
#elif LANES == 8
#define ANY_LANE(m) (as_ulong(convert_char8(m)) != 0)
#else
#define ANY_LANE(m) any_of_16_lanes(as_ulong2(convert_char16(m)))
static bool any_of_16_lanes(ulong2 bytes) {
    return (bytes.s0 | bytes.s1) != 0;
}
#endif

#endif
