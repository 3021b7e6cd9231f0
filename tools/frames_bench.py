#!/usr/bin/env python3
"""Many frames in one run against one process per frame: a Julia zoom.

    /usr/bin/python3 tools/frames_bench.py [--clrender build/clrender] [--frames 100]
        [--rounds 5] [--size 640x360] [--device SPEC]

Renders the same zoom two ways, alternating, round after round (a first, untimed round
warms the caches, PoCL's kernel cache included):

  - one `clrender julia --frames N --region START:END -o run/%03d.png` process;
  - N `clrender julia --region R_k -o procs/%03d.png` processes, one after the other,
    where R_k is frame k's region computed here by the rule of host/cli/sequence.h and
    passed with 17 significant digits.

Every round compares the two sets of files byte for byte (a difference fails the
script). Prints the median wall times, their ratio, and, from the run's --timings, the
overhead per frame: (total - kernel - encode - write - setup - build) / N, what a frame
costs beyond its kernel, its encoding and writing, and the run's one-time device set-up
and kernel build. The figures go with the CPU model (/proc/cpuinfo).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from machine import cpu_model  # tools/machine.py, beside this script

START = [-1.6, 1.6, -0.9, 0.9]
END = [-0.0016, 0.0016, -0.0009, 0.0009]


def zoom_region(start, end, frame, frames):
    """Frame `frame`'s region: the widths geometric in t = k/(N-1), each axis's centre
    c1 + (c0 - c1)(w - w1)/(w0 - w1); frame 0 is START and frame N-1 END exactly."""
    if frame == 0 or frames < 2:
        return list(start)
    if frame == frames - 1:
        return list(end)
    t = frame / (frames - 1)
    values = [s + t * (e - s) for s, e in zip(start, end)]
    for axis in (0, 2):
        lo0, hi0, lo1, hi1 = start[axis], start[axis + 1], end[axis], end[axis + 1]
        w0, w1 = hi0 - lo0, hi1 - lo1
        if w0 == w1:
            continue
        w = w0 * (w1 / w0) ** t
        c0, c1 = (lo0 + hi0) / 2, (lo1 + hi1) / 2
        c = c1 + (c0 - c1) * ((w - w1) / (w0 - w1))
        values[axis], values[axis + 1] = c - w / 2, c + w / 2
    return values


def text(values):
    return ",".join("%.17g" % v for v in values)


def phases(stderr):
    return {name: float(ms) for name, ms in re.findall(r"^(\w+): ([0-9.]+) ms$", stderr, re.M)}


def run_checked(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")
    return done


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clrender", default=os.path.join(os.path.dirname(__file__), "..",
                                                           "build", "clrender"))
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--device", default=os.environ.get("CLRENDER_DEVICE", "cpu"))
    args = parser.parse_args()
    clrender, n = os.path.abspath(args.clrender), args.frames
    work = tempfile.mkdtemp(prefix="frames_bench.")
    try:
        os.chdir(work)
        os.mkdir("run")
        os.mkdir("procs")
        common = ["--size", args.size, "--device", args.device, "--quiet"]
        run_command = [clrender, "julia", "--frames", str(n), "--region",
                       text(START) + ":" + text(END), "--timings", "-o", "run/%03d.png"] + common
        proc_commands = [[clrender, "julia", "--region=" + text(zoom_region(START, END, k, n)),
                          "-o", "procs/%03d.png" % k] + common for k in range(n)]
        run_walls, proc_walls, overheads, run_phases = [], [], [], []
        for round_number in range(args.rounds + 1):  # round 0 warms up, untimed
            begin = time.perf_counter()
            done = run_checked(run_command)
            run_wall = (time.perf_counter() - begin) * 1e3
            begin = time.perf_counter()
            for command in proc_commands:
                run_checked(command)
            proc_wall = (time.perf_counter() - begin) * 1e3
            for k in range(n):
                name = "%03d.png" % k
                with open("run/" + name, "rb") as a, open("procs/" + name, "rb") as b:
                    if a.read() != b.read():
                        sys.exit(f"frame {k} differs: run/{name} and procs/{name}")
            if round_number == 0:
                continue
            t = phases(done.stderr)
            once = t["setup"] + t["build"]
            overheads.append((t["total"] - t["kernel"] - t["encode"] - t["write"] - once) / n)
            run_walls.append(run_wall)
            proc_walls.append(proc_wall)
            run_phases.append(t)
            print(f"round {round_number}: one run {run_wall:.0f} ms, {n} processes "
                  f"{proc_wall:.0f} ms ({proc_wall / run_wall:.1f}x), overhead "
                  f"{overheads[-1]:.2f} ms/frame", flush=True)
        median = statistics.median
        run_ms, proc_ms = median(run_walls), median(proc_walls)
        print(f"\n{cpu_model()}, {os.cpu_count()} CPUs; device {args.device}; "
              f"{n} frames of {args.size}, zoom {text(START)} -> {text(END)}")
        print(f"medians of {args.rounds} rounds, all {n} frames identical every round:")
        print(f"  one run (--frames {n}):   {run_ms:8.0f} ms  ({run_ms / n:.2f} ms/frame)")
        print(f"  {n} processes:           {proc_ms:8.0f} ms  ({proc_ms / n:.2f} ms/frame)")
        print(f"  speed-up:                {proc_ms / run_ms:8.1f}x")
        for phase in ("setup", "build", "kernel", "transfer", "encode", "write", "total"):
            print(f"  run {phase + ':':10} {median(p[phase] for p in run_phases):8.1f} ms")
        print(f"  overhead per frame beyond kernel + encode + write and setup + build: "
              f"{median(overheads):.2f} ms")
    finally:
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
