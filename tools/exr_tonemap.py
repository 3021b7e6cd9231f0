#!/usr/bin/python3
"""Tone-map a linear-radiance OpenEXR file (clrender sphere --values radiance -o scene.exr) to
an 8-bit sRGB PNG: exposure, then Reinhard's x / (1 + x) on luminance (highlights above 1
roll off instead of clipping, as the tracer's own sRGB bytes do), then the sRGB curve.

    tools/exr_tonemap.py scene.exr scene.png [--exposure STOPS]

Reads the EXR with tests/tools/small_readers.py (no OpenEXR Python module needed)."""
import argparse
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import small_readers  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("exr")
    parser.add_argument("png")
    parser.add_argument("--exposure", type=float, default=0.0, help="stops (default 0)")
    args = parser.parse_args()
    radiance, _ = small_readers.read_exr(args.exr)
    if radiance.ndim != 3:
        sys.exit("exr_tonemap: %s is not an RGB image" % args.exr)
    x = np.maximum(radiance.astype(np.float64), 0) * 2.0 ** args.exposure
    luminance = x @ np.array([0.2126, 0.7152, 0.0722])
    scale = np.where(luminance > 0, 1 / (1 + luminance), 1)
    mapped = np.clip(x * scale[..., None], 0, 1)
    srgb = np.where(mapped <= 0.0031308, 12.92 * mapped, 1.055 * mapped ** (1 / 2.4) - 0.055)
    Image.fromarray(np.floor(srgb * 255 + 0.5).astype(np.uint8)).save(args.png)


if __name__ == "__main__":
    main()
