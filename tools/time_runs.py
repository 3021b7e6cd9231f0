#!/usr/bin/env python3
"""Median wall time, and median of each --timings phase, over repeated runs.

    tools/time_runs.py 5 build/clrender julia --preset blog-zoom -o z.png
    tools/time_runs.py 5 build/clrender sphere --size 1920x1080 -o a.png \\
        -- build/clrender sphere --size 1920x1080 --backend reference -o b.png

Runs each command N times (adding --timings); with several commands separated
by "--", the runs alternate (1, 2, 1, 2, ...) so that all of them see the same
machine load. Prints, per command, one line per phase, "<phase>: median <ms>
ms (min, max)", the wall time first; then the ratio of each command's median
wall time and compute time (kernel, else reference) to those of the first.
"""
import re
import statistics
import subprocess
import sys
import time


def split_commands(words):
    commands, current = [], []
    for word in words:
        if word == "--":
            commands.append(current)
            current = []
        else:
            current.append(word)
    commands.append(current)
    return [c + ["--timings"] for c in commands if c]


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        print(__doc__.strip(), file=sys.stderr)
        return 2
    runs, commands = int(sys.argv[1]), split_commands(sys.argv[2:])
    phases = [{"wall": []} for _ in commands]
    for _ in range(runs):
        for command, record in zip(commands, phases):
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True)
            wall = (time.perf_counter() - start) * 1e3
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            record["wall"].append(wall)
            for name, ms in re.findall(r"^(\w+): ([0-9.]+) ms$", done.stderr, re.M):
                record.setdefault(name, []).append(float(ms))
    medians = []
    for command, record in zip(commands, phases):
        print(f"{runs} runs of: {' '.join(command)}")
        for name, values in record.items():
            print(f"  {name}: median {statistics.median(values):.1f} ms "
                  f"(min {min(values):.1f}, max {max(values):.1f})")
        compute = record.get("kernel") or record.get("reference") or record["wall"]
        medians.append((statistics.median(record["wall"]), statistics.median(compute)))
    for i in range(1, len(commands)):
        print(f"command {i + 1} / command 1: wall {medians[i][0] / medians[0][0]:.2f}x, "
              f"compute {medians[i][1] / medians[0][1]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
