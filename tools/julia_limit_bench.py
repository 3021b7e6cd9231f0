#!/usr/bin/python3
"""Compares clrender's Julia kernel with this CPU's limit for the escape-time loop.

The limit is measured by tools/julia_simd_limit.c, a hand-written SIMD C loop (AVX-512 or AVX2
intrinsics, OpenMP) that computes exactly the counts of `clrender julia --preset blog-zoom`.
This script

  1. builds it into a temporary directory (gcc -O3 -march=native -fopenmp -ffp-contract=off);
  2. checks its counts against `clrender julia ... -o x.npy` for both presets and both
     precisions, for every R tried (all must be identical: 0 differing);
  3. alternates, for --rounds rounds, the hand-written loop's median compute time (for each R,
     rows iterated together per block) and clrender's kernel time: `clrender bench
     julia-blog-zoom julia-blog-zoom-float --no-reference --json` (the device's kernel_ms: one
     session rendering --repeat times, like the hand-written loop's repeats after a warm-up),
     and, for reference, `clrender julia --preset blog-zoom --timings` (kernel: X ms, --repeat
     whole processes, whose kernel also faults in its fresh buffers). Alternating spreads the
     noise of a shared machine over both sides;
  4. reports medians over the rounds, the ratio clrender / hand-written (fastest R), and the
     arithmetic bound: iterations x vector ops per lane-step / (lanes per vector x vector ops per
     cycle per core x cores x clock), with the fraction of it each program reaches.

Run:  /usr/bin/python3 tools/julia_limit_bench.py [--rounds 7] [--rows 4,6,8] [--repeat 5]
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "tools", "julia_simd_limit.c")
PRECISIONS = ("double", "float")
PRESETS = ("blog-zoom", "blog-overview")

# Zen 4 (and any core with two 512-bit or four 256-bit vector pipes): two 512-bit vector
# operations per cycle per core, 512-bit ones double-pumped through 256-bit pipes.
VECTOR_BITS_PER_CYCLE = 1024


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)


def cpuinfo():
    """The model name, the first `cpu MHz`, and the number of physical cores."""
    model, mhz, cores = "unknown", None, set()
    with open("/proc/cpuinfo") as f:
        physical = core = None
        for line in f:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "model name" and model == "unknown":
                model = value
            elif key == "cpu MHz" and mhz is None:
                mhz = float(value)
            elif key == "physical id":
                physical = value
            elif key == "core id":
                core = value
            elif not key and physical is not None:
                cores.add((physical, core))
                physical = core = None
    return model, mhz, len(cores) or os.cpu_count()


def build(tmp):
    exe = os.path.join(tmp, "julia_simd_limit")
    cmd = ["gcc", "-O3", "-march=native", "-fopenmp", "-ffp-contract=off", "-Wall", "-Wextra",
           SOURCE, "-o", exe, "-lm"]
    print("build:", " ".join(cmd))
    run(cmd)
    return exe


def handwritten(exe, precision, rows, repeat, preset="blog-zoom", save=None):
    cmd = [exe, "--preset", preset, "--precision", precision, "--rows", str(rows),
           "--repeat", str(repeat), "--json"]
    if save:
        cmd += ["--save", save]
    return json.loads(run(cmd).stdout)


def clrender_bench(clrender, repeat):
    """Median kernel ms per precision from `clrender bench` (one session, buffers reused)."""
    out = run([clrender, "bench", "julia-blog-zoom", "julia-blog-zoom-float", "--no-reference",
               "--repeat", str(repeat), "--json"]).stdout
    rows = json.loads(out)["results"]
    by_name = {r["workload"]: r for r in rows}
    return ({"double": by_name["julia-blog-zoom"]["kernel_ms"],
             "float": by_name["julia-blog-zoom-float"]["kernel_ms"]},
            by_name["julia-blog-zoom"]["device"]["name"])


def clrender_julia_kernel_ms(clrender, precision, tmp):
    err = run([clrender, "julia", "--preset", "blog-zoom", "--precision", precision,
               "--timings", "-o", os.path.join(tmp, "timed.npy")]).stderr
    return float(re.search(r"^kernel: ([0-9.]+) ms", err, re.M).group(1))


def counts_check(exe, clrender, rows_list, tmp):
    """The number of pixels whose counts differ, over both presets, precisions and all R."""
    differing = 0
    for preset in PRESETS:
        for precision in PRECISIONS:
            theirs = os.path.join(tmp, "clrender.npy")
            run([clrender, "julia", "--preset", preset, "--precision", precision, "--quiet",
                 "-o", theirs])
            expected = np.load(theirs).astype(np.int64)
            for rows in rows_list:
                ours = os.path.join(tmp, "hand.npy")
                handwritten(exe, precision, rows, 1, preset, save=ours)
                got = np.load(ours).astype(np.int64)
                assert got.shape == expected.shape, (got.shape, expected.shape)
                n = int((got != expected).sum())
                print(f"  counts {preset:13} {precision:6} R={rows}: {n} differing of "
                      f"{got.size}")
                differing += n
    return differing


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rows", default="4,6,8", help="R values to try (default 4,6,8)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement")
    parser.add_argument("--clrender", default=os.path.join(ROOT, "build", "clrender"))
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    rows_list = [int(r) for r in args.rows.split(",")]

    model, mhz, cores = cpuinfo()
    print(f"CPU: {model}, {cores} cores, /proc/cpuinfo cpu MHz {mhz}")
    with tempfile.TemporaryDirectory() as tmp:
        exe = build(tmp)
        print("counts check (hand-written vs clrender julia -o x.npy):")
        differing = counts_check(exe, args.clrender, rows_list, tmp)
        clock = json.loads(run([exe, "--measure-clock", "--json"]).stdout)
        print(f"measured clock (dependent adds, all threads busy): {clock['clock_ghz']:.3f} GHz")

        hand = {(p, r): [] for p in PRECISIONS for r in rows_list}
        bench, timings = {p: [] for p in PRECISIONS}, {p: [] for p in PRECISIONS}
        info = {}
        for k in range(args.rounds):
            # Alternate which side goes first, so a drift of the machine hits both alike.
            sides = ["hand", "clrender"] if k % 2 == 0 else ["clrender", "hand"]
            for side in sides:
                if side == "hand":
                    for p in PRECISIONS:
                        for r in rows_list:
                            result = handwritten(exe, p, r, args.repeat)
                            hand[(p, r)].append(result["median_ms"])
                            info[p] = result
                else:
                    ms, device = clrender_bench(args.clrender, args.repeat)
                    for p in PRECISIONS:
                        bench[p].append(ms[p])
                    for p in PRECISIONS:
                        runs = [clrender_julia_kernel_ms(args.clrender, p, tmp)
                                for _ in range(args.repeat)]
                        timings[p].append(statistics.median(runs))
            line = " ".join(f"{p[0]}R{r}={hand[(p, r)][-1]:.1f}" for p in PRECISIONS
                            for r in rows_list)
            print(f"round {k + 1}/{args.rounds}: hand {line} | clrender bench double "
                  f"{bench['double'][-1]:.1f} float {bench['float'][-1]:.1f}, julia --timings "
                  f"double {timings['double'][-1]:.1f} float {timings['float'][-1]:.1f} ms",
                  flush=True)

    med = statistics.median
    results = {"cpu": model, "cores": cores, "cpu_mhz": mhz, "clock_ghz": clock["clock_ghz"],
               "rounds": args.rounds, "repeat": args.repeat, "device": device,
               "counts_differing": differing, "precisions": {}}
    print(f"\nCPU {model}, {cores} cores; clrender device: {device}")
    print(f"counts check: {differing} differing (both presets, both precisions, R in {rows_list})")
    print(f"medians over {args.rounds} rounds of blog-zoom, each the median of {args.repeat} runs:")
    for p in PRECISIONS:
        r_ms = {r: med(hand[(p, r)]) for r in rows_list}
        best = min(r_ms, key=r_ms.get)
        ours = r_ms[best]
        clr = med(bench[p])
        clr_source = "bench kernel_ms"
        iterations, ops, lanes = info[p]["iterations"], info[p]["ops_per_lane_step"], info[p][
            "lanes"]
        threads = info[p]["threads"]
        lanes_512 = 512 // (64 if p == "double" else 32)
        vector_ops_per_cycle = VECTOR_BITS_PER_CYCLE / 512  # in 512-bit operations

        def bound_ms(ghz):
            return (iterations * ops / (lanes_512 * vector_ops_per_cycle * min(cores, threads)
                                        * ghz * 1e9) * 1e3)

        bound_nominal, bound_measured = bound_ms(mhz / 1e3), bound_ms(clock["clock_ghz"])
        print(f"\n{p}:")
        print("  hand-written " + ", ".join(f"R={r}: {ms:.2f} ms" for r, ms in r_ms.items())
              + f"  -> R={best} ({info[p]['isa']}, {lanes} lanes, {threads} threads)")
        print(f"  clrender     {clr:.2f} ms ({clr_source}; one whole `julia --timings` render, "
              f"whose kernel also faults its new buffers in: {med(timings[p]):.2f} ms)")
        print(f"  ratio clrender / hand-written: {clr / ours:.2f}")
        print(f"  bound: {iterations} iterations x {ops} vector ops per lane-step / ({lanes_512} "
              f"lanes x {vector_ops_per_cycle:g} 512-bit ops per cycle x {min(cores, threads)} "
              f"cores x clock)")
        print(f"    at cpu MHz {mhz:.0f}: {bound_nominal:.2f} ms; hand-written reaches "
              f"{bound_nominal / ours:.0%}, clrender {bound_nominal / clr:.0%}")
        print(f"    at measured {clock['clock_ghz']:.3f} GHz: {bound_measured:.2f} ms; "
              f"hand-written reaches {bound_measured / ours:.0%}, clrender "
              f"{bound_measured / clr:.0%}")
        results["precisions"][p] = {
            "handwritten_ms_by_rows": r_ms, "rows": best, "handwritten_ms": ours,
            "handwritten_rounds_ms": hand[(p, best)], "clrender_ms": clr,
            "clrender_source": clr_source, "clrender_julia_timings_ms": med(timings[p]),
            "clrender_bench_rounds_ms": bench[p],
            "clrender_julia_timings_rounds_ms": timings[p], "ratio": clr / ours,
            "iterations": iterations, "ops_per_lane_step": ops,
            "bound_ms_cpu_mhz": bound_nominal, "bound_ms_measured_clock": bound_measured,
            "fraction_handwritten_cpu_mhz": bound_nominal / ours,
            "fraction_clrender_cpu_mhz": bound_nominal / clr,
            "fraction_handwritten_measured_clock": bound_measured / ours,
            "fraction_clrender_measured_clock": bound_measured / clr,
        }
    print(f"\nassumption: {VECTOR_BITS_PER_CYCLE // 512} 512-bit vector ops per cycle per core "
          "(Zen 4: four 256-bit pipes, 512-bit ops double-pumped); every op of the step counted, "
          "only the iterations clrender counts (count + 1 per escaped pixel, max_iter otherwise)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
        print("wrote", args.json)
    return 0 if differing == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
