#!/usr/bin/env python3
"""The X-ray blog's cell-by-cell ray walk, single-threaded Numba: a benchmark peer.

It projects a voxel volume onto a flat detector with the geometry of
`clrender xray --preset bisulco` (the blog's model, in mm):

  volume    208 x 256 x 225 voxels of 1 mm; voxel (i, j, k) covers
            [i, i+1) x [j, j+1) x [2+k, 3+k), stored as volume[k, j, i]
            (shape (225, 256, 208)), values mu in 1/mm
  detector  128 x 128 pixels in the plane z = 0, pitch 2.756667 mm; pixel
            (i, j) is the point (-72.42667 + 2.756667 i, -48.42667 + 2.756667 j, 0)
  source    (104, 128, 827)

Each pixel's value is p = sum over voxels of mu * (length of the segment from
the pixel point to the source inside the voxel), stored as output[j, i]
(float32, shape (128, 128)). The walk, as in the blog: clip the segment to the
volume's box (slab method), then step from cell boundary to cell boundary (a 3D
DDA, Amanatides-Woo style): for the current cell take the parametric distance
to its next x, y and z boundary, advance to the nearest, add mu(cell) times the
step's length, move to the neighbouring cell; stop at the source or where the
ray leaves the volume. Arithmetic is float64, one thread, one ray at a time.

Without --volume it projects a 3D Shepp-Logan phantom (Yu-Ye-Wang
intensities) scaled to the volume's box and sampled at voxel centres, times
--mu-scale; numpy builds it (vectorised, timed separately as "voxelise").

Timing: the walk is JIT-compiled by a first call on a 1-voxel volume and a
1-pixel detector (the "jit" time, excluded), then the full projection runs
--repeat times and "compute" is the median of those runs. "wall" is from the
start of main() to the end (argument parsing, volume, JIT, all runs, output;
not the interpreter's start or the imports). "steps" counts the cells the
walk visited over all rays (one per loop iteration; a ray through a cell edge
or corner visits the cells between with zero length).

Precision note: pixel column i = 64 and row j = 64 rays run 1.3e-5 to 1.8e-5
mm from the voxel planes x = 104 and y = 128 (the detector point is 104.000018
and 128.000018 in exact arithmetic). A float32 projector that rounds a pixel
onto or past the plane walks the neighbouring column or row; for the phantom
row 64 then differs by up to 1.2% of the largest value (column 64 is
unaffected: the phantom is mirror-symmetric about x = 104 there).

    tools/xray_numba_walk.py [--volume FILE.npy] [--mu-scale F] [--repeat N]
                             [-o OUT.npy] [--compare CLRENDER.npy] [--json]

  --volume FILE.npy     float32 or float64 array of shape (225, 256, 208),
                        mu in 1/mm, instead of the phantom (kept in its dtype)
  --mu-scale F          phantom value to mu factor (default 0.02)
  --repeat N            timed runs (default 3)
  -o OUT.npy            write the (128, 128) float32 projection
  --compare FILE.npy    another (128, 128) projection (a leading axis of one
                        frame is accepted): prints the largest and the mean
                        absolute difference relative to our largest value
  --json                print the numbers as one JSON object on stdout

Exit status: 1 when the --compare largest relative difference exceeds 1e-4
(or the shapes differ), 0 otherwise.
"""
import argparse
import json
import math
import statistics
import sys
import time

import numpy as np
from numba import njit

# The bisulco geometry, in mm.
NX, NY, NZ = 208, 256, 225
VOXEL = 1.0
VOLUME_LO = (0.0, 0.0, 2.0)  # the box's corner: x, y, z
DET_NU, DET_NV = 128, 128
DET_PITCH = 2.756667
DET_ORIGIN = (-72.42667, -48.42667, 0.0)  # pixel (0, 0)
SOURCE = (104.0, 128.0, 827.0)
COMPARE_TOLERANCE = 1e-4

# 3D Shepp-Logan, Yu-Ye-Wang intensities, on [-1, 1]^3:
# a, b, c (semi-axes), x0, y0, z0 (centre), phi (degrees, about z), rho.
SHEPP_LOGAN = (
    (0.69, 0.92, 0.90, 0.0, 0.0, 0.0, 0.0, 1.0),
    (0.6624, 0.874, 0.88, 0.0, 0.0, 0.0, 0.0, -0.8),
    (0.41, 0.16, 0.21, -0.22, 0.0, -0.25, 108.0, -0.2),
    (0.31, 0.11, 0.22, 0.22, 0.0, -0.25, 72.0, -0.2),
    (0.21, 0.25, 0.5, 0.0, 0.35, -0.25, 0.0, 0.2),
    (0.046, 0.046, 0.046, 0.0, 0.1, -0.25, 0.0, 0.2),
    (0.046, 0.023, 0.02, -0.08, -0.65, -0.25, 0.0, 0.1),
    (0.046, 0.023, 0.02, 0.06, -0.65, -0.25, 90.0, 0.1),
    (0.056, 0.04, 0.1, 0.06, -0.105, 0.625, 90.0, 0.2),
    (0.056, 0.056, 0.1, 0.0, 0.1, 0.625, 0.0, -0.2),
)


def shepp_logan_volume(mu_scale):
    """mu at the voxel centres, shape (NZ, NY, NX), float32."""
    centre = [VOLUME_LO[a] + 0.5 * n * VOXEL for a, n in enumerate((NX, NY, NZ))]
    half = [0.5 * n * VOXEL for n in (NX, NY, NZ)]
    # Normalised voxel-centre coordinates, shaped to broadcast to (NZ, NY, NX).
    x = ((VOLUME_LO[0] + (np.arange(NX) + 0.5) * VOXEL - centre[0]) / half[0])[None, None, :]
    y = ((VOLUME_LO[1] + (np.arange(NY) + 0.5) * VOXEL - centre[1]) / half[1])[None, :, None]
    z = ((VOLUME_LO[2] + (np.arange(NZ) + 0.5) * VOXEL - centre[2]) / half[2])[:, None, None]
    value = np.zeros((NZ, NY, NX))
    for a, b, c, x0, y0, z0, phi, rho in SHEPP_LOGAN:
        cos_phi, sin_phi = math.cos(math.radians(phi)), math.sin(math.radians(phi))
        dx, dy, dz = x - x0, y - y0, z - z0
        # Rz(-phi) (x - centre): the point in the ellipsoid's own axes.
        u = cos_phi * dx + sin_phi * dy
        v = -sin_phi * dx + cos_phi * dy
        inside = (u / a) ** 2 + (v / b) ** 2 + (dz / c) ** 2 <= 1.0
        value[inside] += rho
    return (value * mu_scale).astype(np.float32)


@njit
def clip_slab(a, d, lo, hi, t_in, t_out):
    """Narrows [t_in, t_out] to where a + t d lies in [lo, hi] (one axis)."""
    if d == 0.0:
        # Parallel to the slab: all or nothing (cells are half-open, so a ray
        # lying in the plane x = hi is outside, one in x = lo inside).
        if a < lo or a >= hi:
            return 1.0, 0.0
        return t_in, t_out
    t0 = (lo - a) / d
    t1 = (hi - a) / d
    if t0 > t1:
        t0, t1 = t1, t0
    return max(t_in, t0), min(t_out, t1)


@njit
def first_cell(a, d, t, lo, h, n):
    """Index of the cell holding a + t d along one axis, kept inside [0, n)."""
    i = int(math.floor((a + t * d - lo) / h))
    return min(max(i, 0), n - 1)


@njit
def next_boundary(a, d, lo, h, i):
    """Parameter t where the ray leaves cell i along one axis (inf if d == 0)."""
    if d > 0.0:
        return (lo + (i + 1) * h - a) / d
    if d < 0.0:
        return (lo + i * h - a) / d
    return math.inf


@njit
def walk_ray(volume, lo_x, lo_y, lo_z, h, ax, ay, az, bx, by, bz):
    """sum(mu * length) along the segment a -> b; returns (p, cells visited)."""
    nz, ny, nx = volume.shape
    dx, dy, dz = bx - ax, by - ay, bz - az
    length = math.sqrt(dx * dx + dy * dy + dz * dz)

    # Clip the segment (t in [0, 1]) to the volume's box.
    t_in, t_out = 0.0, 1.0
    t_in, t_out = clip_slab(ax, dx, lo_x, lo_x + nx * h, t_in, t_out)
    t_in, t_out = clip_slab(ay, dy, lo_y, lo_y + ny * h, t_in, t_out)
    t_in, t_out = clip_slab(az, dz, lo_z, lo_z + nz * h, t_in, t_out)
    if t_in >= t_out:
        return 0.0, 0

    # The cell where the ray enters (clamped: the entry point lies on a face).
    i = first_cell(ax, dx, t_in, lo_x, h, nx)
    j = first_cell(ay, dy, t_in, lo_y, h, ny)
    k = first_cell(az, dz, t_in, lo_z, h, nz)
    step_i = 1 if dx > 0.0 else -1
    step_j = 1 if dy > 0.0 else -1
    step_k = 1 if dz > 0.0 else -1
    t_x = next_boundary(ax, dx, lo_x, h, i)
    t_y = next_boundary(ay, dy, lo_y, h, j)
    t_z = next_boundary(az, dz, lo_z, h, k)

    t = t_in
    p = 0.0
    steps = 0
    while True:
        t_next = min(t_x, t_y, t_z)
        p += volume[k, j, i] * (min(t_next, t_out) - t)
        steps += 1
        if t_next >= t_out:  # the source (or the box's far face) is in this cell
            break
        # Move to the neighbour across the nearest boundary.
        if t_x <= t_y and t_x <= t_z:
            i += step_i
            if i < 0 or i >= nx:
                break
            t_x = next_boundary(ax, dx, lo_x, h, i)
        elif t_y <= t_z:
            j += step_j
            if j < 0 or j >= ny:
                break
            t_y = next_boundary(ay, dy, lo_y, h, j)
        else:
            k += step_k
            if k < 0 or k >= nz:
                break
            t_z = next_boundary(az, dz, lo_z, h, k)
        t = t_next
    return p * length, steps


@njit
def project(volume, lo_x, lo_y, lo_z, h, x0, y0, z0, pitch, nu, nv, sx, sy, sz):
    """The (nv, nu) float32 projection and the number of cells visited."""
    image = np.zeros((nv, nu), dtype=np.float32)
    steps = 0
    for j in range(nv):
        for i in range(nu):
            p, n = walk_ray(volume, lo_x, lo_y, lo_z, h,
                            x0 + i * pitch, y0 + j * pitch, z0, sx, sy, sz)
            image[j, i] = p
            steps += n
    return image, steps


def run_projection(volume, nu=DET_NU, nv=DET_NV):
    return project(volume, *VOLUME_LO, VOXEL, *DET_ORIGIN, DET_PITCH, nu, nv, *SOURCE)


def load_volume(path):
    volume = np.load(path)
    if volume.shape != (NZ, NY, NX) or volume.dtype not in (np.float32, np.float64):
        sys.exit(f"{path}: need float32 or float64 of shape {(NZ, NY, NX)}, "
                 f"got {volume.dtype} {volume.shape}")
    return np.ascontiguousarray(volume)


def compare(ours, path):
    """Largest and mean |ours - theirs| relative to max |ours|, or None."""
    theirs = np.load(path)
    if theirs.ndim == 3 and theirs.shape[0] == 1:
        theirs = theirs[0]
    if theirs.shape != ours.shape:
        return None
    diff = np.abs(ours.astype(np.float64) - theirs.astype(np.float64))
    scale = float(np.max(np.abs(ours)))
    return {"max_rel": float(diff.max()) / scale, "mean_rel": float(diff.mean()) / scale,
            "max_abs": float(diff.max()), "our_max": scale,
            "worst_pixel_ji": [int(v) for v in np.unravel_index(np.argmax(diff), diff.shape)]}


def main():
    wall_start = time.perf_counter()
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--volume", help="(225, 256, 208) float32/float64 .npy of mu in 1/mm")
    ap.add_argument("--mu-scale", type=float, default=0.02,
                    help="phantom value to mu in 1/mm (default 0.02)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs (default 3)")
    ap.add_argument("-o", "--output", help="write the (128, 128) float32 projection")
    ap.add_argument("--compare", help="a clrender (128, 128) projection to check against")
    ap.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    a = ap.parse_args()
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")

    start = time.perf_counter()
    volume = load_volume(a.volume) if a.volume else shepp_logan_volume(a.mu_scale)
    setup_s = time.perf_counter() - start

    # Compile on a 1-voxel volume of the same dtype and a 1-pixel detector.
    start = time.perf_counter()
    run_projection(np.zeros((1, 1, 1), dtype=volume.dtype), nu=1, nv=1)
    jit_s = time.perf_counter() - start

    times = []
    for _ in range(a.repeat):
        start = time.perf_counter()
        image, steps = run_projection(volume)
        times.append(time.perf_counter() - start)
    compute_s = statistics.median(times)

    if a.output:
        np.save(a.output, image)
    ok = True
    if a.compare:
        result = compare(image, a.compare)
        ok = result is not None and result["max_rel"] <= COMPARE_TOLERANCE

    rays = DET_NU * DET_NV
    report = {
        "volume": a.volume or f"shepp-logan (mu-scale {a.mu_scale})",
        "volume_dtype": str(volume.dtype),
        "rays": rays,
        "steps": int(steps),
        "repeat": a.repeat,
        "compute_s": compute_s,
        "compute_runs_s": times,
        "jit_s": jit_s,
        ("load_s" if a.volume else "voxelise_s"): setup_s,
        "rays_per_s": rays / compute_s,
        "steps_per_s": steps / compute_s,
        "p_max": float(image.max()),
        "p_sum": float(image.sum(dtype=np.float64)),
    }
    if a.compare:
        report["compare"] = result if result is not None else "shape differs"
        report["compare_ok"] = ok
    report["wall_s"] = time.perf_counter() - wall_start

    if a.json:
        print(json.dumps(report))
    else:
        print(f"numba walk: {rays} rays, {steps} cells visited; "
              f"compute {compute_s:.4f} s (median of {a.repeat}), "
              f"{rays / compute_s:.4g} rays/s, {steps / compute_s:.4g} steps/s")
        setup = "load" if a.volume else "voxelise"
        print(f"jit {jit_s:.3f} s, {setup} {setup_s:.3f} s, wall {report['wall_s']:.3f} s; "
              f"p max {report['p_max']:.6g}")
        if a.compare and result is None:
            print(f"compare: {a.compare} has another shape than {image.shape}")
        elif a.compare:
            print(f"compare: largest |diff| {result['max_rel']:.3g} and mean "
                  f"{result['mean_rel']:.3g} of our largest value {result['our_max']:.6g} "
                  f"({'within' if ok else 'OVER'} {COMPARE_TOLERANCE:g}; worst pixel "
                  f"j, i = {result['worst_pixel_ji']})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
