#!/usr/bin/python3
"""Check that clrender's outputs are identical to those of an earlier commit.

    tools/check_identity.py REV [--new build/clrender] [--keep DIR]

Builds REV in a temporary git worktree (Release, no tests), then renders the
standard workloads with both binaries on the same device: the four `bench`
workloads, each Julia preset in both precisions and both kernels, the sphere
presets and the default scene with both kernels, and the scalar reference.
Each is written as .npy (compared byte for byte) and as images (.png decoded
and compared pixel for pixel, .pgm/.ppm byte for byte). Exit status 0 when
everything is identical, 1 otherwise. Needs Debian's python3-numpy and
python3-pil.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

JULIA = [
    (preset, precision, kernel)
    for preset in ("blog-zoom", "blog-overview")
    for precision in ("double", "float")
    for kernel in ("per-pixel", "simd")
]
WORKLOADS = (
    [
        (f"julia-{p}-{q}-{k}", ["julia", "--preset", p, "--precision", q, "--kernel", k], ".pgm")
        for p, q, k in JULIA
    ]
    + [
        ("julia-reference", ["julia", "--preset", "blog-overview", "--backend", "reference"], ".pgm"),
        ("julia-wide-counts", ["julia", "--size", "300x200", "--c", "0,0", "--iter", "0:70000"], ".pgm"),
        ("sphere-pyconde", ["sphere", "--preset", "pyconde"], ".ppm"),
        ("sphere-pyo3", ["sphere", "--preset", "pyo3"], ".ppm"),
        ("sphere-default", ["sphere"], ".ppm"),
        ("sphere-default-per-pixel", ["sphere", "--kernel", "per-pixel"], ".ppm"),
        ("sphere-bench-1920x1080", ["sphere", "--size", "1920x1080", "--spp", "4"], ".ppm"),
        ("sphere-reference", ["sphere", "--size", "320x180", "--backend", "reference"], ".ppm"),
    ]
)


def build_old(rev, root, work):
    tree = os.path.join(work, "old-src")
    subprocess.run(["git", "-C", root, "worktree", "add", "--detach", tree, rev], check=True,
                   stdout=subprocess.DEVNULL)
    build = os.path.join(work, "old-build")
    subprocess.run(["cmake", "-S", tree, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                    "-DCLRENDER_TESTS=OFF"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build, "-j", str(os.cpu_count() or 2), "--target",
                    "clrender"], check=True, stdout=subprocess.DEVNULL)
    return tree, os.path.join(build, "clrender")


def render(binary, args, path):
    result = subprocess.run([binary] + args + ["--quiet", "-o", path], capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{binary} {' '.join(args)} -o {path}: {result.stderr.strip()}")


def same_files(a, b):
    if a.endswith(".png"):
        x, y = np.asarray(Image.open(a)), np.asarray(Image.open(b))
        return x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x, y)
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev", help="the earlier commit to compare with")
    parser.add_argument("--new", default="build/clrender", help="the binary under test")
    parser.add_argument("--keep", help="keep the rendered files in this directory")
    args = parser.parse_args()
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True,
                          text=True, check=True).stdout.strip()
    new = os.path.abspath(args.new)
    work = tempfile.mkdtemp(prefix="clrender-identity-")
    tree = None
    differing = 0
    try:
        tree, old = build_old(args.rev, root, work)
        out = args.keep or work
        os.makedirs(out, exist_ok=True)
        for name, command, raw_image in WORKLOADS:
            for extension in (".npy", ".png", raw_image):
                files = [os.path.join(out, f"{name}.{side}{extension}") for side in ("old", "new")]
                render(old, command, files[0])
                render(new, command, files[1])
                same = same_files(*files)
                differing += not same
                how = "pixels" if extension == ".png" else "bytes"
                print(f"{'same' if same else 'DIFFERENT'} {how:6} {name}{extension}", flush=True)
                if not args.keep:
                    for f in files:
                        os.remove(f)
    finally:
        if tree:
            subprocess.run(["git", "-C", root, "worktree", "remove", "--force", tree],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    total = len(WORKLOADS) * 3
    print(f"{total - differing} of {total} outputs identical to {args.rev}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
