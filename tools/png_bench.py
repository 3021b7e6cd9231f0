#!/usr/bin/python3
"""Compare PNG writing of two clrender builds, side by side, at each compression level.

    tools/png_bench.py OLD_CLRENDER NEW_CLRENDER [--runs 5] [--levels fast,default,best]
                       [--workloads gray,rgb] [--dir /tmp]

Workloads: gray, the 4000x4000 blog image (julia --preset blog-zoom); rgb, a 4000x4000
sphere scene (sphere --size 4000x4000). For each workload and level the two builds run
alternately (old, new, old, new, ...) so that both see the same machine load, with --timings.
Prints the medians of the wall time, of the "encode" phase (old: stb + libdeflate on the whole
image; new: filtering, compressing and writing the rows as they arrive), of the kernel, and
the file sizes, with new/old ratios (below 1: the new build is faster or smaller). The two
files of each pair are decoded with PIL and must hold the same pixels.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

WORKLOADS = {
    "gray": ["julia", "--preset", "blog-zoom"],
    "rgb": ["sphere", "--size", "4000x4000"],
}


def run(binary, args, out, level):
    command = [binary] + args + ["-o", out, "--compression", level, "--timings"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    phases = dict(re.findall(r"^(\w+): ([0-9.]+) ms", done.stderr, re.M))
    return {"wall": wall, "encode": float(phases.get("encode", 0)),
            "kernel": float(phases.get("kernel", 0)), "size": os.path.getsize(out)}


def same_pixels(a, b):
    import numpy
    from PIL import Image
    with Image.open(a) as x, Image.open(b) as y:
        return numpy.array_equal(numpy.asarray(x), numpy.asarray(y))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--levels", default="fast,default,best")
    p.add_argument("--workloads", default="gray,rgb")
    p.add_argument("--dir", default="/tmp")
    a = p.parse_args()
    print(f"{'workload':8} {'level':8} {'build':5} {'wall ms':>9} {'encode ms':>10} "
          f"{'kernel ms':>10} {'bytes':>10}")
    for workload in a.workloads.split(","):
        for level in a.levels.split(","):
            results = {"old": [], "new": []}
            outs = {b: os.path.join(a.dir, f"png_bench_{b}_{workload}_{level}.png")
                    for b in results}
            for _ in range(a.runs):
                for build, binary in (("old", a.old), ("new", a.new)):
                    results[build].append(run(binary, WORKLOADS[workload], outs[build], level))
            med = {b: {k: statistics.median(r[k] for r in results[b]) for k in results[b][0]}
                   for b in results}
            for build in ("old", "new"):
                m = med[build]
                print(f"{workload:8} {level:8} {build:5} {m['wall']:9.0f} {m['encode']:10.0f} "
                      f"{m['kernel']:10.0f} {m['size']:10d}")
            ratio = {k: med["new"][k] / med["old"][k] if med["old"][k] else float("nan")
                     for k in med["old"]}
            same = same_pixels(outs["old"], outs["new"])
            print(f"{workload:8} {level:8} {'new/old':7} {ratio['wall']:7.2f} "
                  f"{ratio['encode']:10.2f} {ratio['kernel']:10.2f} {ratio['size']:10.2f}"
                  f"   pixels {'equal' if same else 'DIFFER'}", flush=True)
            for out in outs.values():
                os.remove(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
