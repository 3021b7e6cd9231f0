#!/usr/bin/env python3
"""Median wall time, and median of each --timings phase, over repeated runs.

    tools/time_runs.py 5 build/clrender julia --preset blog-zoom -o z.png

Runs the command N times (adding --timings), then prints one line per phase:
"<phase>: median <ms> ms (min <ms>, max <ms>)", the wall time first.
"""
import re
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        print(__doc__.strip(), file=sys.stderr)
        return 2
    runs, command = int(sys.argv[1]), sys.argv[2:] + ["--timings"]
    phases = {"wall": []}
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        wall = (time.perf_counter() - start) * 1e3
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        phases["wall"].append(wall)
        for name, ms in re.findall(r"^(\w+): ([0-9.]+) ms$", done.stderr, re.M):
            phases.setdefault(name, []).append(float(ms))
    print(f"{runs} runs of: {' '.join(command)}")
    for name, values in phases.items():
        print(f"{name}: median {statistics.median(values):.1f} ms "
              f"(min {min(values):.1f}, max {max(values):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
