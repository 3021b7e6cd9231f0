/* xray.cl — X-ray line integrals through a voxel volume, one work-item per
 * detector pixel: the exact projector of Siddon (1985) in the incremental form
 * of Amanatides & Woo / Jacobs: the ray is walked cell by cell and each cell's
 * value is weighted by the length of the ray inside it.
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
 * the nz_total, and adds to what the earlier slabs wrote (XRAY_ACCUMULATE). */
#if defined(XRAY_DOUBLE) || defined(XRAY_SETUP_DOUBLE)
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double SETUP;
typedef double3 SETUP3;
#else
typedef float SETUP;
typedef float3 SETUP3;
#endif
#ifdef XRAY_DOUBLE
typedef double REAL;
#else
typedef float REAL;
#endif
#pragma OPENCL FP_CONTRACT OFF

#include "xray_layout.h"

/* The walk's state along one axis. */
typedef struct {
    REAL inverse;  /* 1 / direction: mm per voxel along this axis */
    REAL boundary; /* the next face the ray crosses, from the start cell's low face */
    REAL next;     /* the distance from the entry point to that face, mm */
    int step;      /* -1, 0 or +1 cell */
    uint left;     /* cells still ahead along this axis before the volume ends */
} axis_walk;

/* Clips the ray o + t·d, t in [*t_in, *t_out], to [lo, lo + n) along one axis; false when it
 * misses. *entered: this axis set the entry. */
static bool clip(SETUP o, SETUP d, SETUP lo, uint n, SETUP *t_in, SETUP *t_out, bool *entered) {
    const SETUP hi = lo + (SETUP)n;
    *entered = false;
    if (d == (SETUP)0)
        return lo <= o && o < hi;
    const SETUP ta = (lo - o) / d, tb = (hi - o) / d;
    const SETUP near = fmin(ta, tb), far = fmax(ta, tb);
    if (near > *t_in) {
        *t_in = near;
        *entered = true;
    }
    *t_out = fmin(*t_out, far);
    return true;
}

/* The cell along one axis where the walk starts (entry point e), and the first face ahead. */
static uint start_axis(SETUP e, SETUP d, SETUP lo, uint n, bool entered_here, axis_walk *w) {
    uint index;
    if (entered_here) {
        index = d > (SETUP)0 ? 0 : n - 1; /* on the face it entered by, exactly */
    } else {
        const SETUP cell = floor(e - lo);
        index = cell < (SETUP)0 ? 0 : cell > (SETUP)(n - 1) ? n - 1 : (uint)cell;
    }
    /* where e lies in its cell: 0 at the low face, 1 at the high */
    const REAL offset = (REAL)(e - (lo + (SETUP)index));
    w->step = d > (SETUP)0 ? 1 : d < (SETUP)0 ? -1 : 0;
    w->inverse = (REAL)((SETUP)1 / d);
    w->left = w->step > 0 ? n - 1 - index : w->step < 0 ? index : 0;
    w->boundary = w->step > 0 ? (REAL)1 : (REAL)0;
    w->next = w->step == 0 ? (REAL)INFINITY : (w->boundary - offset) * w->inverse;
    /* the walk keeps `boundary - offset` exact by moving the offset instead of the face */
    w->boundary -= offset;
    return index;
}

/* Moves to the next cell along the axis; false when the volume ends there. */
static bool advance(axis_walk *w) {
    if (w->left == 0)
        return false;
    --w->left;
    w->boundary += (REAL)w->step;
    w->next = w->boundary * w->inverse;
    return true;
}

__kernel void xray_siddon(__global float *out, __global const SETUP *views, uint frame,
                          uint width, uint nx, uint ny, uint nz_total, uint k0, uint nz,
                          __global const float *volume, REAL scale, uint flags, REAL i0) {
    const uint col = get_global_id(0), row = get_global_id(1);
    if (col >= width)
        return;
    __global const SETUP *view = views + (size_t)frame * XRAY_VIEW_STRIDE;
    const size_t pixel = (size_t)(row - get_global_offset(1)) * width + col; /* in this band */

    /* The ray o + t·d in the voxel frame, t in mm over [t_in, t_out], o its anchor. */
    const SETUP3 o = (SETUP3)(view[XRAY_VIEW_ANCHOR00], view[XRAY_VIEW_ANCHOR00 + 1],
                              view[XRAY_VIEW_ANCHOR00 + 2]) +
                     (SETUP)col * (SETUP3)(view[XRAY_VIEW_COLUMN_STEP],
                                           view[XRAY_VIEW_COLUMN_STEP + 1],
                                           view[XRAY_VIEW_COLUMN_STEP + 2]) +
                     (SETUP)row * (SETUP3)(view[XRAY_VIEW_ROW_STEP], view[XRAY_VIEW_ROW_STEP + 1],
                                           view[XRAY_VIEW_ROW_STEP + 2]);
    const SETUP3 source =
        (SETUP3)(view[XRAY_VIEW_SOURCE], view[XRAY_VIEW_SOURCE + 1], view[XRAY_VIEW_SOURCE + 2]);
    SETUP3 d;
    SETUP t_in, t_out;
    REAL sum = 0;
    bool hit = true;
    if (view[XRAY_VIEW_PARALLEL] != (SETUP)0) {
        d = source; /* the direction */
        t_in = -(SETUP)INFINITY, t_out = (SETUP)INFINITY;
    } else {
        d = o - source;
        const SETUP3 mm = d * (SETUP3)(view[XRAY_VIEW_SPACING], view[XRAY_VIEW_SPACING + 1],
                                       view[XRAY_VIEW_SPACING + 2]);
        const SETUP length = sqrt(mm.x * mm.x + mm.y * mm.y + mm.z * mm.z);
        hit = length > (SETUP)0;
        d /= length;
        t_in = -length, t_out = view[XRAY_VIEW_PIXEL_BEYOND] * length;
    }

    /* Clip to this slab's box: [-N/2, N/2) in x and y, slices k0 .. k0 + nz in z. */
    const SETUP3 lo = (SETUP3)(-(SETUP)nx / 2, -(SETUP)ny / 2, -(SETUP)nz_total / 2 + (SETUP)k0);
    bool entered_x, entered_y, entered_z;
    hit = hit && clip(o.x, d.x, lo.x, nx, &t_in, &t_out, &entered_x);
    hit = hit && clip(o.y, d.y, lo.y, ny, &t_in, &t_out, &entered_y);
    hit = hit && clip(o.z, d.z, lo.z, nz, &t_in, &t_out, &entered_z);
    if (hit && t_in < t_out) {
        /* Walk from the entry point e, where t restarts at 0: the faces' distances then stay
         * as small as the volume, and so do their rounding errors. Only the last axis to
         * clip the ray entered it. */
        entered_x = entered_x && !entered_y && !entered_z;
        entered_y = entered_y && !entered_z;
        const REAL length = (REAL)(t_out - t_in);
        const SETUP3 e = o + t_in * d;
        axis_walk x, y, z;
        const uint i = start_axis(e.x, d.x, lo.x, nx, entered_x, &x);
        const uint j = start_axis(e.y, d.y, lo.y, ny, entered_y, &y);
        const uint k = start_axis(e.z, d.z, lo.z, nz, entered_z, &z);
        size_t cell = ((size_t)k * ny + j) * nx + i;
        const long stride_y = (long)y.step * (long)nx, stride_z = (long)z.step * (long)nx * ny;
        REAL t = 0;
        for (;;) {
            /* The nearest face; on a tie x, then y, then z (the others follow at no length). */
            const REAL nearest = fmin(fmin(x.next, y.next), z.next);
            const REAL until = fmin(nearest, length);
            sum += (REAL)volume[cell] * fmax(until - t, (REAL)0);
            t = fmax(t, until);
            if (t >= length)
                break;
            if (x.next == nearest) {
                if (!advance(&x))
                    break;
                cell += x.step;
            } else if (y.next == nearest) {
                if (!advance(&y))
                    break;
                cell += stride_y;
            } else {
                if (!advance(&z))
                    break;
                cell += stride_z;
            }
        }
    }
    REAL p = sum * scale;
    if (flags & XRAY_ACCUMULATE)
        p += (REAL)out[pixel];
    out[pixel] = (flags & XRAY_INTENSITY) ? (float)(i0 * exp(-p)) : (float)p;
}
