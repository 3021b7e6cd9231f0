#!/usr/bin/env python3
"""The seeds' one-sphere shaders (pyconde, pyo3), vectorised with numpy float64.

Written from the formulas in include/clrender/sphere.h, independently of the C
code, so that it can check what `clrender sphere --preset NAME` renders:

    clrender sphere --preset pyconde -o p.npy
    tools/sphere_seeds.py --preset pyconde --compare p.npy

    clrender sphere --preset pyo3 --size 800x600 -o q.npy
    tools/sphere_seeds.py --preset pyo3 --size 800x600 --compare q.npy

    tools/sphere_seeds.py --preset pyo3 --save mine.npy

--size defaults to the preset's size (pyconde 800x600, pyo3 80x60). The image
is uint8 RGB, shape (H, W, 3), row 0 on top.

--compare prints the number of pixels compared, how many differ and the
largest channel difference. Exit status: 0 when at most 0.1% of the pixels
differ and no channel differs by more than 1 level, 1 otherwise (or when the
file does not hold a uint8 (H, W, 3) array), 2 for bad arguments.
"""
import argparse
import sys

import numpy as np

PRESET_SIZES = {"pyconde": (800, 600), "pyo3": (80, 60)}
MAX_DIFFERING_FRACTION = 0.001
MAX_CHANNEL_DIFFERENCE = 1
MISS = (100, 100, 100)


def dot(a, b):
    """Dot product over the last axis (length 3)."""
    return a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1] + a[..., 2] * b[..., 2]


def pixel_grid(width, height):
    """Column and row index of every pixel, as float64 arrays of shape (H, W)."""
    ys, xs = np.mgrid[0:height, 0:width]
    return xs.astype(np.float64), ys.astype(np.float64)


def shade(red, hit):
    """The RGB image: (red, 0, 0) where `hit`, the grey miss colour elsewhere."""
    height, width = hit.shape
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[...] = MISS
    image[hit, 0] = red[hit]
    image[hit, 1] = 0
    image[hit, 2] = 0
    return image


def pyconde(width, height):
    x, y = pixel_grid(width, height)
    p = np.stack([8.0 * x / width, 6.0 * y / height, np.zeros_like(x)], axis=-1)
    v = np.array([0.0, 0.0, 1.0])
    q = np.array([4.0, 3.0, 10.0])
    r = 2.0
    light = np.array([8.0, 0.0, 7.0])

    d = p - q
    s = dot(d, v)
    disc = s * s - (dot(d, d) - r * r)
    hit = disc >= 0
    t = -s - np.sqrt(np.where(hit, disc, 0.0))
    point = p + t[..., None] * v
    n = point - q
    n = n / np.sqrt(dot(n, n))[..., None]
    l = light - point
    l = l / np.sqrt(dot(l, l))[..., None]
    red = np.maximum(np.trunc(255.0 * dot(n, l)), 30.0)
    return shade(red.astype(np.int64), hit)


def pyo3(width, height):
    x, y = pixel_grid(width, height)

    def unit(v):
        return v / np.maximum(np.sqrt(dot(v, v)), 1e-5)[..., None]

    o = np.stack([16.0 / width * (x - width / 2.0), 10.0 / height * (y - height / 2.0),
                  np.zeros_like(x)], axis=-1)
    d = np.array([0.0, 0.0, 1.0])
    centre = np.array([0.0, 0.0, 3.0])
    r = 1.0
    light = np.array([-4.0, -4.0, 5.0])

    oc = o - centre
    a = dot(d, d)
    b = 2.0 * dot(oc, d)
    c = dot(oc, oc) - r * r
    disc = b * b - 4.0 * a * c
    hit = disc >= 0
    t = (-b - np.sqrt(np.where(hit, disc, 0.0))) / max(2.0 * a, 1e-5)
    point = o + t[..., None] * d
    n = unit(point - centre)
    l = unit(light - point)
    red = np.minimum(255.0, np.trunc(np.maximum(255.0 * dot(n, l), 30.0)))
    return shade(red.astype(np.int64), hit)


RENDERERS = {"pyconde": pyconde, "pyo3": pyo3}


def parse_size(text):
    try:
        w, h = text.lower().split("x")
        width, height = int(w), int(h)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not WxH")
    if width < 1 or height < 1:
        raise argparse.ArgumentTypeError(f"'{text}': both sides must be at least 1")
    return width, height


def compare(mine, path):
    """Prints the comparison with the .npy file at `path`; True when it passes."""
    try:
        theirs = np.load(path)
    except (OSError, ValueError) as e:
        print(f"sphere_seeds: cannot read {path}: {e}", file=sys.stderr)
        return False
    if theirs.dtype != np.uint8 or theirs.shape != mine.shape:
        print(f"sphere_seeds: {path} holds {theirs.dtype} {theirs.shape}, "
              f"expected uint8 {mine.shape}", file=sys.stderr)
        return False
    difference = np.abs(theirs.astype(np.int64) - mine.astype(np.int64))
    compared = mine.shape[0] * mine.shape[1]
    differing = int(np.count_nonzero(difference.max(axis=-1)))
    largest = int(difference.max()) if difference.size else 0
    print(f"pixels compared: {compared}")
    print(f"pixels differing: {differing} ({100.0 * differing / compared:.4f}%)")
    print(f"largest channel difference: {largest}")
    ok = differing <= MAX_DIFFERING_FRACTION * compared and largest <= MAX_CHANNEL_DIFFERENCE
    if not ok:
        ys, xs = np.nonzero(difference.max(axis=-1))
        for y, x in list(zip(ys, xs))[:5]:
            print(f"  pixel x={x} y={y}: clrender {tuple(int(c) for c in theirs[y, x])}, "
                  f"expected {tuple(int(c) for c in mine[y, x])}")
    print("match" if ok else "MISMATCH")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", required=True, choices=sorted(RENDERERS))
    ap.add_argument("--size", type=parse_size, help="WxH (default: the preset's size)")
    ap.add_argument("--compare", metavar="FILE.npy", help="clrender's uint8 (H, W, 3) .npy")
    ap.add_argument("--save", metavar="FILE.npy", help="write this program's image")
    args = ap.parse_args()
    if not args.compare and not args.save:
        ap.error("nothing to do: give --compare FILE.npy and/or --save FILE.npy")
    width, height = args.size or PRESET_SIZES[args.preset]
    with np.errstate(invalid="ignore", divide="ignore"):
        mine = RENDERERS[args.preset](width, height)
    if args.save:
        np.save(args.save, mine)
    if args.compare:
        return 0 if compare(mine, args.compare) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
