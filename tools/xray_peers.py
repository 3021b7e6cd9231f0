#!/usr/bin/env python3
"""clrender xray beside its peers, on this machine, side by side and alternating.

    tools/xray_peers.py plastimatch [--sizes 256,512] [--rounds 5] [--clrender PATH] [--json]
    tools/xray_peers.py numba [--rounds 5] [--clrender PATH] [--json]

plastimatch: for each size N, the 3-D Shepp-Logan phantom (mu = 0.02 x value)
voxelised at the centres of an N^3 grid spanning 256 mm, written as a float32
MetaImage with a border of one zero voxel (plastimatch's exact algorithm leaves
out the last voxel each ray crosses; a zero there costs nothing), then one
512x512 cone-beam projection (pitch 0.8 mm, sod 1000, sdd 1536, angle 0) by
`clrender xray --volume` and by `plastimatch drr -i exact`, both reading that
file. Checks that they agree (median relative difference over pixels above
1e-3 of the largest, at most 1e-3, after plastimatch's cm are turned into mm)
and times both processes whole, alternating, --rounds times; prints medians
and the ratio, and clrender's own phases (--timings) from one more run.

How plastimatch's options map onto clrender's geometry (worked out with
experiments, see README.md "Peers"): its angle -y is in radians and turns the
other way (-radians(theta)); -r and -z take columns first; -o is the
isocentre; -P none keeps the values as they are; the output is in cm.

numba: the blog's walk in Numba (tools/xray_numba_walk.py, one thread) against
`clrender xray --preset bisulco`: the walk's compute time (JIT excluded)
against clrender's kernel time (`clrender bench xray-bisulco`: medians in one
session), and both processes whole (the Python one from the interpreter's
start, imports and JIT included).

Uses Debian's /usr/bin/python3 (numpy, numba) and the `plastimatch` package.
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from xray_numba_walk import SHEPP_LOGAN  # noqa: E402  (the phantom's table, once)
from machine import cpu_model  # noqa: E402

EXTENT_MM = 256.0
DETECTOR, PITCH, SOD, SDD = 512, 0.8, 1000.0, 1536.0


def shepp_logan(n, mu_scale=0.02):
    """mu at the voxel centres of an n^3 grid spanning EXTENT_MM, (z, y, x) float32, slice by
    slice (a 512^3 volume in float64 at once would take 1 GiB per temporary)."""
    h = EXTENT_MM / n
    centres = ((np.arange(n) + 0.5) * h - EXTENT_MM / 2) / (EXTENT_MM / 2)  # normalised
    x = centres[None, :]
    y = centres[:, None]
    volume = np.empty((n, n, n), dtype=np.float32)
    for k in range(n):
        z = centres[k]
        value = np.zeros((n, n))
        for a, b, c, x0, y0, z0, phi, rho in SHEPP_LOGAN:
            dz = (z - z0) / c
            if dz * dz > 1:
                continue
            cos_phi, sin_phi = math.cos(math.radians(phi)), math.sin(math.radians(phi))
            dx, dy = x - x0, y - y0
            u = cos_phi * dx + sin_phi * dy
            v = -sin_phi * dx + cos_phi * dy
            value[(u / a) ** 2 + (v / b) ** 2 + dz * dz <= 1.0] += rho
        volume[k] = value * mu_scale
    return volume, h


def write_mha(path, volume, h):
    """A float32 MetaImage, its Offset the centre of voxel 0 (ITK's convention), centred."""
    nz, ny, nx = volume.shape
    offsets = [-(m - 1) / 2 * h for m in (nx, ny, nz)]
    header = ("ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
              "CompressedData = False\nTransformMatrix = 1 0 0 0 1 0 0 0 1\n"
              "Offset = %r %r %r\nElementSpacing = %r %r %r\nDimSize = %d %d %d\n"
              "ElementType = MET_FLOAT\nElementDataFile = LOCAL\n"
              % (*offsets, h, h, h, nx, ny, nz))
    with open(path, "wb") as f:
        f.write(header.encode())
        f.write(np.ascontiguousarray(volume, dtype="<f4").tobytes())


def plastimatch_command(mha, prefix, theta=0.0):
    return ["plastimatch", "drr", "-A", "cpu", "-i", "exact", "-P", "none", "-t", "raw",
            "-r", "%d %d" % (DETECTOR, DETECTOR),
            "-z", "%r %r" % (DETECTOR * PITCH, DETECTOR * PITCH),
            "-c", "%r %r" % ((DETECTOR - 1) / 2, (DETECTOR - 1) / 2),
            "--sad", repr(SOD), "--sid", repr(SDD), "-y", repr(-math.radians(theta)),
            "-o", "0 0 0", "-O", prefix, mha]


def clrender_command(clrender, mha, out, timings=False):
    command = [clrender, "xray", "--volume", mha, "--detector", "%d,%d" % (DETECTOR, DETECTOR),
               "--pitch", repr(PITCH), "--sod", repr(SOD), "--sdd", repr(SDD), "-o", out]
    return command + (["--timings"] if timings else ["--quiet"])


def run(command, env=None):
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit("%s failed (%d): %s" % (command[0], done.returncode, done.stderr.decode()))
    return seconds, done.stdout.decode() + done.stderr.decode()


def plastimatch_peer(args):
    results = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="xray-peers-") as work:
            start = time.perf_counter()
            volume, h = shepp_logan(n)
            mha = os.path.join(work, "phantom%d.mha" % n)
            write_mha(mha, np.pad(volume, 1), h)
            made = time.perf_counter() - start
            clr_out = os.path.join(work, "clrender.npy")
            prefix = os.path.join(work, "pm")
            # one run each to warm the page cache and PoCL's kernel cache
            run(clrender_command(args.clrender, mha, clr_out))
            run(plastimatch_command(mha, prefix))
            ours = np.load(clr_out).astype(np.float64)
            theirs = np.fromfile(prefix + "0000.raw", dtype="<f4").reshape(
                DETECTOR, DETECTOR).astype(np.float64) * 10.0  # cm -> mm
            seen = ours > 1e-3 * ours.max()
            relative = np.abs(ours - theirs)[seen] / ours[seen]
            agreement = {"median": float(np.median(relative)),
                         "p99": float(np.percentile(relative, 99)),
                         "largest": float(relative.max()),
                         "pixels": int(seen.sum())}
            times = {"clrender": [], "plastimatch": []}
            for _ in range(args.rounds):
                times["clrender"].append(run(clrender_command(args.clrender, mha, clr_out))[0])
                times["plastimatch"].append(run(plastimatch_command(mha, prefix))[0])
            _, phases = run(clrender_command(args.clrender, mha, clr_out, timings=True))
            medians = {k: statistics.median(v) for k, v in times.items()}
            rays = DETECTOR * DETECTOR
            results.append({
                "size": n, "voxel_mm": h, "file_mb": os.path.getsize(mha) / 1e6,
                "phantom_seconds": made, "agreement": agreement, "times": times,
                "median_s": medians, "ratio": medians["plastimatch"] / medians["clrender"],
                "clrender_phases": {m.group(1): float(m.group(2)) for m in
                                    re.finditer(r"^(\w+): ([0-9.]+) ms$", phases, re.M)},
                "mrays_per_s": {k: rays / v / 1e6 for k, v in medians.items()}})
    return results


def numba_peer(args):
    env = dict(os.environ)
    walk = [sys.executable, os.path.join(HERE, "xray_numba_walk.py"), "--json", "--repeat", "3"]
    bench = [args.clrender, "bench", "xray-bisulco", "--repeat", "11", "--json"]
    with tempfile.TemporaryDirectory(prefix="xray-peers-") as work:
        cli = [args.clrender, "xray", "--preset", "bisulco", "--quiet", "-o",
               os.path.join(work, "b.npy")]
        run(cli)  # PoCL's kernel cache
        walk_compute, walk_wall, kernel, total, cli_wall = [], [], [], [], []
        steps = None
        for _ in range(args.rounds):
            seconds, text = run(walk, env)
            numbers = json.loads(text[text.index("{"):text.rindex("}") + 1])
            walk_compute.append(numbers["compute_s"])
            walk_wall.append(seconds)
            steps = numbers.get("steps", steps)
            _, text = run(bench)
            rows = json.loads(text[text.index("{"):text.rindex("}") + 1])["results"]
            device = [r for r in rows if r["backend"] != "reference"][0]
            kernel.append(device["kernel_ms"] / 1e3)
            total.append(device["total_ms"] / 1e3)
            cli_wall.append(run(cli)[0])
    m = statistics.median
    return {"walk_compute_s": m(walk_compute), "walk_process_s": m(walk_wall),
            "clrender_kernel_s": m(kernel), "clrender_render_s": m(total),
            "clrender_process_s": m(cli_wall), "steps": steps,
            "kernel_ratio": m(walk_compute) / m(kernel),
            "process_ratio": m(walk_wall) / m(cli_wall),
            "samples": {"walk_compute_s": walk_compute, "walk_process_s": walk_wall,
                        "clrender_kernel_s": kernel, "clrender_process_s": cli_wall}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("peer", choices=["plastimatch", "numba"])
    parser.add_argument("--sizes", default="256,512")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clrender", default=os.path.join(HERE, "..", "build", "clrender"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",")]
    report = {"cpu": cpu_model(), "cores": os.cpu_count(), "peer": args.peer,
              "rounds": args.rounds}
    report["results"] = plastimatch_peer(args) if args.peer == "plastimatch" else numba_peer(args)
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print("CPU: %s, %d cores; %d rounds, alternating" % (report["cpu"], report["cores"],
                                                         args.rounds))
    if args.peer == "plastimatch":
        for r in report["results"]:
            a = r["agreement"]
            print("%d^3 (%.3g mm voxels, %.0f MB .mha): agreement median %.2g, 99%% %.2g, "
                  "largest %.2g over %d pixels" % (r["size"], r["voxel_mm"], r["file_mb"],
                                                   a["median"], a["p99"], a["largest"],
                                                   a["pixels"]))
            print("  whole process: clrender %.3f s, plastimatch %.3f s: %.2fx" % (
                r["median_s"]["clrender"], r["median_s"]["plastimatch"], r["ratio"]))
            print("  clrender phases (ms): %s" % ", ".join(
                "%s %.1f" % kv for kv in r["clrender_phases"].items()))
    else:
        r = report["results"]
        print("bisulco: the walk's compute %.4f s, clrender's kernel %.4f s: %.1fx" % (
            r["walk_compute_s"], r["clrender_kernel_s"], r["kernel_ratio"]))
        print("  whole process: walk %.3f s, clrender %.3f s: %.1fx" % (
            r["walk_process_s"], r["clrender_process_s"], r["process_ratio"]))
        if r["steps"]:
            print("  %d voxel steps: walk %.3g steps/s, clrender kernel %.3g steps/s" % (
                r["steps"], r["steps"] / r["walk_compute_s"], r["steps"] / r["clrender_kernel_s"]))


if __name__ == "__main__":
    main()
