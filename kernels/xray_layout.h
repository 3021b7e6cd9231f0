/* xray_layout.h — the packed projection geometry of kernels/xray.cl, written by
 * the host (host/renderers/xray/geometry.c) and read by the kernels and the
 * scalar reference. It must stay valid C and OpenCL C.
 *
 * Everything is in the volume's voxel frame: one unit is one voxel along each
 * axis, the origin is the centre of the volume, so voxel (i, j, k) is the cell
 * [i - NX/2, i + 1 - NX/2) x [j - NY/2, ...) x [k - NZ/2, ...). A ray's length
 * is measured in mm: SPACING turns a step in voxels back into millimetres.
 *
 * One view per projection (frame), XRAY_VIEW_STRIDE reals each (float or
 * double, as the kernel's precision). Each ray is anchored where it crosses
 * the plane through the volume's centre parallel to the detector: the anchor
 * of pixel (row r, column c) is ANCHOR00 + c * COLUMN_STEP + r * ROW_STEP.
 * Anchors lie near the volume, so their coordinates, and the ray positions
 * computed from them, keep float's precision (the source and the detector
 * may be a thousand voxels away, where a float resolves only 1e-4 voxel).
 *   cone beam:     the ray runs from SOURCE through the anchor to the pixel,
 *                  which lies PIXEL_BEYOND times (anchor - source) past the
 *                  anchor;
 *   parallel beam: it is the whole line through the anchor along DIRECTION
 *                  (a unit vector in mm, expressed in voxels), stored where
 *                  the cone beam keeps its source.
 */
#ifndef XRAY_LAYOUT_H
#define XRAY_LAYOUT_H

#define XRAY_VIEW_SOURCE       0  /* xyz: the source (cone) or the direction (parallel) */
#define XRAY_VIEW_ANCHOR00     3  /* xyz: the anchor of pixel (0, 0) */
#define XRAY_VIEW_COLUMN_STEP  6  /* xyz: from one column's anchor to the next */
#define XRAY_VIEW_ROW_STEP     9  /* xyz: from one row's anchor to the next */
#define XRAY_VIEW_SPACING      12 /* xyz: mm per voxel along x, y, z */
#define XRAY_VIEW_PARALLEL     15 /* 1 for a parallel beam, 0 for a cone beam */
#define XRAY_VIEW_PIXEL_BEYOND 16 /* cone: (pixel - anchor) / (anchor - source) */
#define XRAY_VIEW_STRIDE       20

/* Bits of the kernels' `flags` argument. */
#define XRAY_ACCUMULATE 1u /* add to what earlier slabs wrote (else overwrite) */
#define XRAY_INTENSITY  2u /* the last slab: write I0 * exp(-p) instead of p */

#endif
