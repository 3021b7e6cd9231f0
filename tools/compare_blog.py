#!/usr/bin/python3
"""Side-by-side comparison with the seed blog's Julia programs on blog-zoom.

    tools/compare_blog.py [--rounds 3] [--clrender build/clrender] [--out docs]

Runs, alternately in each round so that all see the same machine load:
  - the numpy loop program (vectorised numpy, written from the algorithm in README.md);
  - the numba program (tools/julia_numba.py's kernel), compute alone and with its picture
    saved the way such programs save it, matplotlib's imsave (1.4 s here, as issue #4 measured);
  - clrender on the PoCL CPU device: double and float (SIMD kernel), and the per-pixel kernel.
Before any time is reported, the numpy and numba counts must equal clrender's double counts
exactly. Prints medians, the blog-style table (implementation, runtime, speed-up) and the
goals of issue #4, and writes OUT/blog-comparison.md and OUT/blog-comparison.png.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as missing:
    sys.exit(f"{missing}: apt-get install python3-matplotlib")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from julia_numba import gray, render as numba_render  # noqa: E402

WIDTH = HEIGHT = 4000
REGION = (-0.1, 0.1, -0.1, 0.1)
C = complex(-0.835, -0.2321)
ITER_MIN, ITER_MAX = 20, 100
BLOG = {  # the blog's published runtimes, on its author's machine
    "np.vectorize": 139.0, "numpy loop": 19.0, "numba": 3.2, "Rust (PyO3)": 2.8,
    "Rust, fast PNG": 2.1,
}


def numpy_loop(width, height, region, c, threshold, max_iter):
    """All pixels at once: one numpy pass per iteration over the points still iterating."""
    xmin, xmax, ymin, ymax = region
    z = np.linspace(xmin, xmax, width)[None, :] + 1j * np.linspace(ymin, ymax, height)[:, None]
    counts = np.full(z.shape, max_iter, dtype=np.uint32)
    index = np.arange(z.size)
    z = z.ravel()
    r2 = threshold * threshold
    flat = counts.ravel()
    for i in range(max_iter):
        z = z * z + c
        escaped = z.real * z.real + z.imag * z.imag >= r2
        flat[index[escaped]] = i
        keep = ~escaped
        z, index = z[keep], index[keep]
        if index.size == 0:
            break
    return np.flipud(counts)


def run_clrender(clrender, args, out):
    start = time.perf_counter()
    done = subprocess.run([clrender, "julia", "--preset", "blog-zoom", "--device", "cpu",
                           "--timings", "-o", out] + args, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"clrender failed: {done.stderr}")
    phases = {k: float(v) / 1e3 for k, v in re.findall(r"^(\w+): ([0-9.]+) ms$", done.stderr, re.M)}
    return wall, phases


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--clrender", default=os.path.join(here, "build", "clrender"))
    ap.add_argument("--out", default=os.path.join(here, "docs"))
    a = ap.parse_args()
    work = tempfile.mkdtemp()
    npy, png = os.path.join(work, "z.npy"), os.path.join(work, "z.png")

    # Exactness first: no time is worth reporting for different counts.
    run_clrender(a.clrender, [], npy)
    reference = np.load(npy)
    numba_render(8, 8, REGION, C, 2.0, ITER_MAX)  # compile outside the timed runs
    for name, counts in (("numba", numba_render(WIDTH, HEIGHT, REGION, C, 2.0, ITER_MAX)),
                         ("numpy loop", numpy_loop(WIDTH, HEIGHT, REGION, C, 2.0, ITER_MAX))):
        differing = int(np.count_nonzero(counts != reference))
        print(f"{name}: {differing} of {counts.size} counts differ from clrender's")
        if differing:
            sys.exit("the programs disagree: no times reported")

    t = {k: [] for k in ("numpy loop", "numba compute", "numba + PNG", "clrender double",
                         "clrender double kernel", "clrender float", "clrender float kernel",
                         "clrender per-pixel", "clrender per-pixel kernel", "clrender encode")}
    for r in range(a.rounds):
        print(f"round {r + 1} of {a.rounds}", file=sys.stderr)
        start = time.perf_counter()
        numpy_loop(WIDTH, HEIGHT, REGION, C, 2.0, ITER_MAX)
        t["numpy loop"].append(time.perf_counter() - start)

        start = time.perf_counter()
        counts = numba_render(WIDTH, HEIGHT, REGION, C, 2.0, ITER_MAX)
        t["numba compute"].append(time.perf_counter() - start)
        plt.imsave(os.path.join(work, "n.png"), gray(counts, ITER_MIN, ITER_MAX), cmap="gray")
        t["numba + PNG"].append(time.perf_counter() - start)

        for label, args in (("clrender double", []), ("clrender float", ["--precision", "float"]),
                            ("clrender per-pixel", ["--kernel", "per-pixel"])):
            wall, phases = run_clrender(a.clrender, args, png)
            t[label].append(wall)
            t[label + " kernel"].append(phases["kernel"])
            if label == "clrender double":
                t["clrender encode"].append(phases["encode"])
    m = {k: statistics.median(v) for k, v in t.items()}

    rows = [("numpy loop", m["numpy loop"]), ("numba (compute + imsave)", m["numba + PNG"]),
            ("clrender, per-pixel kernel", m["clrender per-pixel"]),
            ("clrender, float", m["clrender float"]), ("clrender, double", m["clrender double"])]
    table = ["| Implementation | Runtime | Speed-up |", "| --- | ---: | ---: |"]
    table += [f"| {name} | {sec:.2f} s | {m['numpy loop'] / sec:.1f}x |" for name, sec in rows]
    goals = [
        ("kernel, double <= 0.15 s", m["clrender double kernel"] <= 0.15),
        ("kernel, float <= 0.10 s", m["clrender float kernel"] <= 0.10),
        ("kernel >= 12x numba compute",
         m["numba compute"] / m["clrender double kernel"] >= 12),
        ("whole run <= 0.5 s", m["clrender double"] <= 0.5),
        ("whole run >= 6x numba end to end", m["numba + PNG"] / m["clrender double"] >= 6),
        ("4000x4000 PNG encoded in <= 0.25 s", m["clrender encode"] <= 0.25),
    ]
    lines = [f"Medians of {a.rounds} alternating rounds, blog-zoom (4000x4000, 528,529,990 "
             "iterations); counts identical across all programs.", ""] + table + ["",
             "| Measure | Median |", "| --- | ---: |"]
    lines += [f"| {k} | {v:.3f} s |" for k, v in m.items()]
    lines += ["", "| Goal | Result |", "| --- | --- |"]
    lines += [f"| {g} | {'met' if ok else 'MISSED'} |" for g, ok in goals]
    lines += ["", f"Ratios: clrender double kernel is {m['numba compute'] / m['clrender double kernel']:.1f}x "
              f"numba's compute; the whole clrender run is {m['numba + PNG'] / m['clrender double']:.1f}x "
              "numba's compute + PNG."]
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "blog-comparison.md"), "w") as f:
        f.write(text)

    fig, ax = plt.subplots(figsize=(8, 3.6))
    names = [n for n, _ in rows][::-1]
    secs = [s for _, s in rows][::-1]
    bars = ax.barh(names, secs, color=["#c44e52" if "clrender" in n else "#8c8c8c" for n in names])
    ax.set_xscale("log")
    ax.set_xlabel("seconds, log scale (blog-zoom, 2-core AMD EPYC, PoCL)")
    for bar, s in zip(bars, secs):
        ax.text(bar.get_width() * 1.05, bar.get_y() + bar.get_height() / 2, f"{s:.2f} s",
                va="center", fontsize=8)
    ax.set_xlim(min(secs) / 2, max(secs) * 4)
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "blog-comparison.png"), dpi=110)
    print(f"wrote {a.out}/blog-comparison.md and .png")
    return 0 if all(ok for _, ok in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
