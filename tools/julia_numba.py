#!/usr/bin/env python3
"""The seed blog's numba Julia program, written from the algorithm in README.md.

It computes escape counts with complex128 arithmetic over numpy.linspace
samples, row 0 on top, and can compare them with a clrender .npy file:

    tools/julia_numba.py --preset blog-zoom --compare z.npy
    tools/julia_numba.py --size 400x400 --region -0.1,0.1,-0.1,0.1 --iter 20:100 --save n.npy

Exit status: 0 when the counts (and a --compare-png picture) match, 1 otherwise.
"""
import argparse
import sys
import time

import numpy as np
from numba import njit

PRESETS = {
    "blog-overview": dict(size="1000x625", region="-1.6,1.6,-1,1", iter="0:80"),
    "blog-zoom": dict(size="4000x4000", region="-0.1,0.1,-0.1,0.1", iter="20:100"),
}


@njit(cache=False)
def julia_counts(xs, ys, c, threshold, max_iter):
    counts = np.empty((ys.size, xs.size), dtype=np.uint32)
    r2 = threshold * threshold
    for j in range(ys.size):
        for i in range(xs.size):
            z = complex(xs[i], ys[j])
            n = max_iter
            for k in range(max_iter):
                z = z * z + c
                if z.real * z.real + z.imag * z.imag >= r2:
                    n = k
                    break
            counts[j, i] = n
    return counts


class ComplexRegion:
    """The blog's module API (its Rust version was `juliaset`): the grid of `resolution`
    points along the real axis, numpy.linspace on both axes with both ends, row 0 on top."""

    def __init__(self, xleft, xright, yleft, yright):
        self.xleft, self.xright, self.yleft, self.yright = xleft, xright, yleft, yright

    def build(self, resolution):
        height = int(round(resolution * (self.yright - self.yleft) / (self.xright - self.xleft)))
        xs = np.linspace(self.xleft, self.xright, resolution)
        ys = np.linspace(self.yleft, self.yright, height)[::-1]
        return xs[np.newaxis, :] + 1j * ys[:, np.newaxis]


@njit(cache=False)
def plane_counts(plane, c, threshold, max_iter):
    counts = np.empty(plane.shape, dtype=np.int64)
    r2 = threshold * threshold
    for j in range(plane.shape[0]):
        for i in range(plane.shape[1]):
            z = plane[j, i]
            n = max_iter
            for k in range(max_iter):
                z = z * z + c
                if z.real * z.real + z.imag * z.imag >= r2:
                    n = k
                    break
            counts[j, i] = n
    return counts


class JuliaDiv:
    """The blog's module API: over(plane) is (max(count, itermin) - itermin) / (itermax -
    itermin) at every point, float64, the counts by the numba loop above."""

    def __init__(self, c_0, threshold, n_iterations=(0, 80), resolution=None):
        self.c_0, self.threshold = complex(c_0), float(threshold)
        self.itermin, self.itermax = n_iterations

    def over(self, plane):
        n = plane_counts(plane, self.c_0, self.threshold, self.itermax)
        return (np.maximum(n, self.itermin) - self.itermin) / (self.itermax - self.itermin)


def render(width, height, region, c, threshold, max_iter):
    xmin, xmax, ymin, ymax = region
    xs = np.linspace(xmin, xmax, width)
    ys = np.linspace(ymin, ymax, height)
    # Row 0 of the picture is the top of the plane: the last y sample.
    return np.flipud(julia_counts(xs, ys, c, threshold, max_iter))


def gray(counts, iter_min, iter_max):
    n = np.maximum(counts.astype(np.int64), iter_min) - iter_min
    return (255 * n // (iter_max - iter_min)).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=sorted(PRESETS))
    ap.add_argument("--size")
    ap.add_argument("--region")
    ap.add_argument("--iter")
    ap.add_argument("--c", default="-0.835,-0.2321")
    ap.add_argument("--threshold", type=float, default=2.0)
    ap.add_argument("--compare", help="a clrender .npy of counts that must match exactly")
    ap.add_argument("--compare-png", help="a clrender .png that must be the gray picture")
    ap.add_argument("--save", help="write the counts to this .npy")
    a = ap.parse_args()

    settings = dict(size="1000x625", region="-1.6,1.6,-1,1", iter="0:80")
    if a.preset:
        settings.update(PRESETS[a.preset])
    for key in ("size", "region", "iter"):
        if getattr(a, key):
            settings[key] = getattr(a, key)
    width, height = (int(v) for v in settings["size"].split("x"))
    region = [float(v) for v in settings["region"].split(",")]
    lo, _, hi = settings["iter"].rpartition(":")
    iter_min, iter_max = int(lo or 0), int(hi)
    c = complex(*(float(v) for v in a.c.split(",")))

    julia_counts(np.zeros(1), np.zeros(1), c, a.threshold, 1)  # compile before timing
    start = time.perf_counter()
    counts = render(width, height, region, c, a.threshold, iter_max)
    print(f"numba: {width}x{height} in {time.perf_counter() - start:.3f} s", file=sys.stderr)
    if a.save:
        np.save(a.save, counts)

    ok = True
    if a.compare:
        theirs = np.load(a.compare)
        if theirs.shape != counts.shape:
            print(f"shape differs: clrender {theirs.shape}, numba {counts.shape}")
            return 1
        differing = int(np.count_nonzero(theirs.astype(np.int64) != counts))
        print(f"counts: {counts.size} pixels compared, {differing} differing")
        ok &= differing == 0
    if a.compare_png:
        from PIL import Image

        picture = np.asarray(Image.open(a.compare_png))
        expected = gray(counts, iter_min, iter_max)
        same = picture.shape == expected.shape and np.array_equal(picture, expected)
        print(f"png: {'identical to' if same else 'DIFFERS from'} the gray picture")
        ok &= same
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
