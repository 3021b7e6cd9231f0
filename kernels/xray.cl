/* xray.cl — X-ray line integrals through a voxel volume: the exact projector of
 * Siddon (1985) in the incremental form of Amanatides & Woo / Jacobs: each ray
 * is walked cell by cell and each cell's value is weighted by the length of the
 * ray inside it.
 *
 * Lanes. One work-item walks LANES rays, the adjacent pixels col0 .. col0 +
 * LANES - 1 of one detector row (build with -DLANES=1, 2, 4, 8 or 16; 1 by default).
 * One lane is the per-pixel kernel GPUs want; on a CPU, PoCL cannot vectorise
 * a walk whose work-items stop at different cells, so the lanes are vectors
 * here: they step in lockstep, each lane with a mask that says whether it is
 * still walking, until no lane is. Neighbouring rays cross about as many cells,
 * so few lanes wait idle, and the axis choice becomes a select instead of a
 * branch the CPU would mispredict at every third cell. Every lane performs
 * exactly the operations of the one-lane kernel, in the same order.
 *
 * Precision. The walk runs in REAL (float, or double with -DXRAY_DOUBLE); the
 * volume is float either way. Each ray is set up (its anchor, direction and
 * entry into the volume) in SETUP, double wherever the device has it
 * (-DXRAY_SETUP_DOUBLE): where a ray crosses a face it runs nearly parallel
 * to, an error d in the ray's position moves the crossing by d / angle, so a
 * float setup's 1e-5 voxel would shift such crossings by a thousandth of a
 * voxel. The walk measures faces from the cell it started in, so the numbers
 * it subtracts stay small and exact.
 *
 * host/renderers/xray/reference.c is the scalar twin (xray_siddon);
 * kernels/xray_layout.h documents the packed views and the flags.
 *
 * A volume larger than one allocation arrives as slabs along z, one launch
 * each: this launch walks the part of the ray inside slices [k0, k0 + nz) of
 * the nz_total, and adds to what the earlier slabs wrote (XRAY_ACCUMULATE).
 * Cell indices are int (long in double) within a slab; the host keeps a slab
 * under 2^31 voxels. */
#if defined(XRAY_DOUBLE) || defined(XRAY_SETUP_DOUBLE)
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#define SETUP      double
#define SETUP_MASK long /* what comparing two SETUP vectors gives */
#else
#define SETUP      float
#define SETUP_MASK int
#endif
#ifdef XRAY_DOUBLE
#define REAL  double
#define INDEX long /* the integer as wide as REAL: its comparisons and selects share masks */
#else
#define REAL  float
#define INDEX int
#endif
#pragma OPENCL FP_CONTRACT OFF

#include "xray_layout.h"

#ifndef LANES
#define LANES 1
#endif
#include "lanes.h"

#if LANES == 1
typedef SETUP setupv;
typedef REAL realv;
typedef INDEX indexv;
typedef int setup_mask; /* a comparison's result: 0 or 1 for one lane, 0 or -1 per lane */
typedef int mask;
#define SELECT(a, b, m)      ((m) ? (b) : (a))
#define TO_REAL(x)           ((REAL)(x))
#define TO_INDEX(x)          ((INDEX)(x))
#define TO_SETUP(x)          ((SETUP)(x))
#define LANE_OFFSETS         0
#define GATHER(volume, cell) ((REAL)(volume)[cell])
#else
typedef VECTOR(SETUP, LANES) setupv;
typedef VECTOR(REAL, LANES) realv;
typedef VECTOR(INDEX, LANES) indexv;
typedef VECTOR(SETUP_MASK, LANES) setup_mask; /* SETUP's comparisons */
typedef indexv mask;                          /* REAL's and INDEX's comparisons */
#define SELECT(a, b, m) select(a, b, m)
#define TO_REAL(x)      VECTOR(VECTOR(convert_, REAL), LANES)(x)
#define TO_INDEX(x)     VECTOR(VECTOR(convert_, INDEX), LANES)(x)
#define TO_SETUP(x)     VECTOR(VECTOR(convert_, SETUP), LANES)(x)
#define LANE_OFFSETS    VECTOR(vload, LANES)(0, lane_offsets)
__constant SETUP lane_offsets[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
#if LANES == 2
#define GATHER(v, c) TO_REAL(((float2)(v[c.s0], v[c.s1])))
#elif LANES == 4
#define GATHER(v, c) TO_REAL(((float4)(v[c.s0], v[c.s1], v[c.s2], v[c.s3])))
#elif LANES == 8
#define GATHER(v, c)                                                                               \
    TO_REAL(((float8)(v[c.s0], v[c.s1], v[c.s2], v[c.s3], v[c.s4], v[c.s5], v[c.s6], v[c.s7])))
#elif LANES == 16
#define GATHER(v, c)                                                                               \
    TO_REAL(((float16)(v[c.s0], v[c.s1], v[c.s2], v[c.s3], v[c.s4], v[c.s5], v[c.s6], v[c.s7],     \
                       v[c.s8], v[c.s9], v[c.sa], v[c.sb], v[c.sc], v[c.sd], v[c.se], v[c.sf])))
#else
#error "LANES must be 1, 2, 4, 8 or 16"
#endif
#endif

/* fmin and fmax without their care for NaN, which costs a comparison and a blend each on a
 * CPU: the walk's distances are numbers or infinite (its lanes that miss may hold NaN, and
 * add nothing). */
#define MIN(a, b) SELECT(b, a, (a) < (b))
#define MAX(a, b) SELECT(b, a, (a) > (b))

/* The walk's state along one axis, per lane. */
typedef struct {
    realv inverse;  /* 1 / direction: mm per voxel along this axis */
    realv boundary; /* the next face the ray crosses, from the start cell's low face */
    realv next;     /* the distance from the entry point to that face, mm */
    indexv step;    /* -1, 0 or +1 cell */
    indexv left;    /* cells still ahead along this axis before the volume ends */
} axis_walk;

/* Clips the rays o + t·d, t in [*t_in, *t_out], to [lo, lo + n) along one axis; *hit
 * loses the lanes that miss. *entered: the lanes whose entry this axis set. */
static void clip(setupv o, setupv d, SETUP lo, uint n, setupv *t_in, setupv *t_out, setup_mask *hit,
                 setup_mask *entered) {
    const SETUP hi = lo + (SETUP)n;
    const setup_mask along = d != (SETUP)0;
    /* a ray parallel to the faces (d = 0) divides by zero: its lanes keep what they had */
    const setupv ta = (lo - o) / d, tb = (hi - o) / d;
    const setupv near = fmin(ta, tb), far = fmax(ta, tb);
    *entered = along && near > *t_in;
    *t_in = SELECT(*t_in, near, *entered);
    *t_out = SELECT(*t_out, fmin(*t_out, far), along);
    *hit = *hit && (along || (lo <= o && o < hi));
}

/* The cell along one axis where the walk starts (entry point e), and the first face ahead. */
static indexv start_axis(setupv e, setupv d, SETUP lo, uint n, setup_mask entered_here,
                         axis_walk *w) {
    const setupv last = (setupv)((SETUP)(n - 1));
    /* entered here: on the face it entered by, exactly; else the cell around e */
    const setupv index = SELECT(fmin(fmax(floor(e - lo), (setupv)((SETUP)0)), last),
                                SELECT(last, (setupv)((SETUP)0), d > (SETUP)0), entered_here);
    /* where e lies in its cell: 0 at the low face, 1 at the high */
    const realv offset = TO_REAL(e - (lo + index));
    const setupv step = SELECT(SELECT((setupv)((SETUP)0), (setupv)((SETUP)-1), d < (SETUP)0),
                               (setupv)((SETUP)1), d > (SETUP)0);
    w->step = TO_INDEX(step);
    w->left = TO_INDEX(
        SELECT(SELECT((setupv)((SETUP)0), index, step < (SETUP)0), last - index, step > (SETUP)0));
    w->inverse = TO_REAL((SETUP)1 / d);
    const realv step_real = TO_REAL(step);
    w->boundary = SELECT((realv)((REAL)0), (realv)((REAL)1), step_real > (REAL)0);
    /* no face ahead along an axis the ray runs parallel to, or with no cell beyond */
    w->next =
        SELECT((w->boundary - offset) * w->inverse, (realv)((REAL)INFINITY), w->left == (INDEX)0);
    /* the walk keeps `boundary - offset` exact by moving the offset instead of the face */
    w->boundary -= offset;
    return TO_INDEX(index);
}

/* Moves the lanes in `moving` to their next cell along the axis. */
static void advance(axis_walk *w, mask moving) {
    w->left = SELECT(w->left, w->left - (INDEX)1, moving);
    w->boundary = SELECT(w->boundary, w->boundary + TO_REAL(w->step), moving);
    /* no cell beyond the face: none ahead (xray_siddon in reference.c says why) */
    w->next = SELECT(w->next,
                     SELECT(w->boundary * w->inverse, (realv)((REAL)INFINITY), w->left == (INDEX)0),
                     moving);
}

/* LANES rays on their way through the volume. */
typedef struct {
    axis_walk x, y, z;
    realv t, length; /* mm from the entry point: walked so far, and in all */
    realv sum;       /* Σ voxel × length so far */
    indexv cell, stride_y, stride_z;
    mask walking;
} ray_walk;

/* Sets up the rays of pixels col0 .. col0 + LANES - 1 of detector row `row`: where each
 * enters this slab of the volume, and which way it goes. */
static void start_rays(ray_walk *w, __global const SETUP *view, uint col0, uint row, uint width,
                       uint nx, uint ny, uint nz_total, uint k0, uint nz) {
    /* The rays o + t·d in the voxel frame, t in mm over [t_in, t_out], o their anchors. */
    const setupv col = (setupv)((SETUP)col0) + LANE_OFFSETS;
    setup_mask hit = col < (SETUP)width;
#define VIEW(at, axis) ((SETUP)view[(at) + (axis)])
#define ANCHOR(axis)                                                                               \
    (VIEW(XRAY_VIEW_ANCHOR00, axis) + col * VIEW(XRAY_VIEW_COLUMN_STEP, axis) +                    \
     (SETUP)row * VIEW(XRAY_VIEW_ROW_STEP, axis))
    const setupv ox = ANCHOR(0), oy = ANCHOR(1), oz = ANCHOR(2);
    setupv dx, dy, dz, t_in, t_out;
    if (view[XRAY_VIEW_PARALLEL] != (SETUP)0) {
        dx = (setupv)VIEW(XRAY_VIEW_SOURCE, 0); /* the direction */
        dy = (setupv)VIEW(XRAY_VIEW_SOURCE, 1);
        dz = (setupv)VIEW(XRAY_VIEW_SOURCE, 2);
        t_in = (setupv)(-(SETUP)INFINITY), t_out = (setupv)((SETUP)INFINITY);
    } else {
        dx = ox - VIEW(XRAY_VIEW_SOURCE, 0);
        dy = oy - VIEW(XRAY_VIEW_SOURCE, 1);
        dz = oz - VIEW(XRAY_VIEW_SOURCE, 2);
        const setupv mx = dx * VIEW(XRAY_VIEW_SPACING, 0), my = dy * VIEW(XRAY_VIEW_SPACING, 1),
                     mz = dz * VIEW(XRAY_VIEW_SPACING, 2);
        const setupv length = sqrt(mx * mx + my * my + mz * mz);
        hit = hit && length > (SETUP)0;
        dx /= length, dy /= length, dz /= length;
        t_in = -length, t_out = VIEW(XRAY_VIEW_PIXEL_BEYOND, 0) * length;
    }
#undef ANCHOR
#undef VIEW

    /* Clip to this slab's box: [-N/2, N/2) in x and y, slices k0 .. k0 + nz in z. */
    const SETUP lo_x = -(SETUP)nx / 2, lo_y = -(SETUP)ny / 2,
                lo_z = -(SETUP)nz_total / 2 + (SETUP)k0;
    setup_mask entered_x, entered_y, entered_z;
    clip(ox, dx, lo_x, nx, &t_in, &t_out, &hit, &entered_x);
    clip(oy, dy, lo_y, ny, &t_in, &t_out, &hit, &entered_y);
    clip(oz, dz, lo_z, nz, &t_in, &t_out, &hit, &entered_z);
    hit = hit && t_in < t_out;

    /* Walk from the entry point e, where t restarts at 0: the faces' distances then stay as
     * small as the volume, and so do their rounding errors. Only the last axis to clip the
     * ray entered it. */
    entered_x = entered_x && !entered_y && !entered_z;
    entered_y = entered_y && !entered_z;
    w->length = TO_REAL(t_out - t_in);
    const indexv i = start_axis(ox + t_in * dx, dx, lo_x, nx, entered_x, &w->x);
    const indexv j = start_axis(oy + t_in * dy, dy, lo_y, ny, entered_y, &w->y);
    const indexv k = start_axis(oz + t_in * dz, dz, lo_z, nz, entered_z, &w->z);
    /* lanes that miss sit in cell 0 and never add */
    w->walking = TO_INDEX(TO_SETUP(hit)) != (INDEX)0;
    w->cell = SELECT((indexv)0, (k * (INDEX)ny + j) * (INDEX)nx + i, w->walking);
    w->stride_y = w->y.step * (INDEX)nx;
    w->stride_z = w->z.step * (INDEX)nx * (INDEX)ny;
    w->t = w->sum = (realv)((REAL)0);
}

/* One cell further for every lane still walking. */
static void step(ray_walk *w, __global const float *volume) {
    /* The nearest face; on a tie x, then y, then z (the others follow at no length). */
    const realv nearest = MIN(MIN(w->x.next, w->y.next), w->z.next);
    const realv until = MIN(nearest, w->length);
    w->sum = SELECT(w->sum, w->sum + GATHER(volume, w->cell) * MAX(until - w->t, (realv)((REAL)0)),
                    w->walking);
    w->t = SELECT(w->t, MAX(w->t, until), w->walking);
    const mask along_x = w->x.next == nearest, along_y = !along_x && w->y.next == nearest,
               along_z = !along_x && !along_y;
    /* a lane stops at the end of its ray (where it leaves the volume) */
    w->walking = w->walking && !(w->t >= w->length);
    advance(&w->x, w->walking && along_x);
    advance(&w->y, w->walking && along_y);
    advance(&w->z, w->walking && along_z);
    w->cell = SELECT(
        w->cell, w->cell + SELECT(SELECT(w->stride_z, w->stride_y, along_y), w->x.step, along_x),
        w->walking);
}

/* Writes the line integrals of the rays of one row, lane by lane: the rays beyond the
 * detector's edge are not stored, and exp is the one-lane kernel's. */
static void store(__global float *out, const ray_walk *w, size_t first, uint col0, uint width,
                  uint flags, REAL scale, REAL i0) {
    REAL sums[LANES];
#if LANES == 1
    sums[0] = w->sum;
#else
    VECTOR(vstore, LANES)(w->sum, 0, sums);
#endif
    for (uint lane = 0; lane < LANES && col0 + lane < width; ++lane) {
        REAL p = sums[lane] * scale;
        if (flags & XRAY_ACCUMULATE)
            p += (REAL)out[first + lane];
        out[first + lane] = (flags & XRAY_INTENSITY) ? (float)(i0 * exp(-p)) : (float)p;
    }
}

/* The global size is ceil(width / LANES) x height. Asking whether any lane still walks is a
 * reduction across the vector: it is asked every second step (a lane that has stopped takes
 * the further step as a no-op). Two rows per work-item, two independent chains of steps,
 * ran slower: the state of 32 lanes does not fit in the registers. */
__kernel void xray_siddon(__global float *out, __global const SETUP *views, uint frame, uint width,
                          uint nx, uint ny, uint nz_total, uint k0, uint nz,
                          __global const float *volume, REAL scale, uint flags, REAL i0) {
    const uint col0 = get_global_id(0) * LANES, row = get_global_id(1);
    if (col0 >= width)
        return;
    ray_walk w;
    start_rays(&w, views + (size_t)frame * XRAY_VIEW_STRIDE, col0, row, width, nx, ny, nz_total, k0,
               nz);
    while (ANY_LANE(w.walking)) {
        step(&w, volume);
        step(&w, volume);
    }
    /* the output holds the rows of this launch's band, which starts at the global offset */
    store(out, &w, (size_t)(row - get_global_offset(1)) * width + col0, col0, width, flags, scale,
          i0);
}
