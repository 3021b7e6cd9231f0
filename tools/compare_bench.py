#!/usr/bin/python3
"""Compare `clrender bench` of two builds, side by side.

    tools/compare_bench.py OLD_CLRENDER NEW_CLRENDER [--rounds 5] [--repeat 5] [bench args...]

Runs `bench --json --repeat N` of the two binaries alternately (old, new, old,
new, ...) so that both see the same machine load, then prints for each
workload and backend the median over the rounds of each bench median: kernel
ms, total ms, and new/old ratios (below 1: the new build is faster). A bench
without a field (older builds have no setup_ms) shows "-". Extra arguments
(workload names, --device SPEC) are passed to both.
"""
import argparse
import json
import statistics
import subprocess


def run_bench(binary, repeat, extra):
    out = subprocess.run([binary, "bench", "--json", "--repeat", str(repeat)] + extra,
                         capture_output=True, text=True, check=True).stdout
    rows = {}
    for r in json.loads(out)["results"]:
        if r["backend"] == "reference":
            backend = "reference"
        elif r["backend"] == "device":
            backend = r["device"]["index"]
        else:
            backend = "+".join(d["index"] for d in r["devices"])
        rows[(r["workload"], backend)] = r
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    args, extra = parser.parse_known_args()
    samples = {"old": [], "new": []}
    for i in range(args.rounds):
        for side in ("old", "new"):
            samples[side].append(run_bench(getattr(args, side), args.repeat, extra))
        print(f"round {i + 1} of {args.rounds} done", flush=True)
    keys = [k for k in samples["new"][0] if k in samples["old"][0]]

    def median(side, key, field):
        values = [s[key][field] for s in samples[side] if field in s[key]]
        return statistics.median(values) if values else None

    print(f"{'workload':22} {'backend':10} {'kernel old':>10} {'new':>9} {'ratio':>6}  "
          f"{'total old':>10} {'new':>9} {'ratio':>6}  {'setup+build new':>15}")
    for key in keys:
        ko, kn = median("old", key, "kernel_ms"), median("new", key, "kernel_ms")
        to, tn = median("old", key, "total_ms"), median("new", key, "total_ms")
        setup, build = median("new", key, "setup_ms"), median("new", key, "build_ms")
        once = f"{setup + build:.1f}" if setup is not None and build is not None else "-"
        print(f"{key[0]:22} {key[1]:10} {ko:10.1f} {kn:9.1f} {kn / ko:6.2f}  "
              f"{to:10.1f} {tn:9.1f} {tn / to:6.2f}  {once:>15}")


if __name__ == "__main__":
    main()
