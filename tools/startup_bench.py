#!/usr/bin/python3
"""Start-up: small renders as whole processes, their floor, and the pure-Python shader.

    tools/startup_bench.py [--clrender build/clrender] [--rounds 21] [--renders 50]

Times whole processes (spawned with posix_spawn, output to files in a temporary
directory, until waitpid returns), alternating in every round, the order rotated
from round to round, and prints medians:

  julia        clrender julia --size 640x360 -o j.png, the kernel cache warm
  julia-build  the same with CLRENDER_NO_CACHE=1: the kernel built from source (served
               from PoCL's own cache), as every process did before the kernel cache
  pyconde      clrender sphere --preset pyconde -o p.png (and p.ppm)
  python       /usr/bin/python3 tools/sphere_pyconde_python.py -o py.ppm: the seed's
               shader in pure Python, the same image byte for byte
  floor        tools/startup_floor.c (compiled here): only the OpenCL platform and its
               first device, and with a context and queue: no clrender process starts
               faster on this driver
  true         /bin/true: what spawning and waiting for any process costs here
  *-before     with --before OLD_CLRENDER: the same commands with another build (the
               one before this work: git archive 4d3c9fe, built Release)

then where a clrender process spends its time (medians of its --timings lines), and
from one Python process: Session("sphere", preset="pyconde").render(out=...) repeated,
clrender.sphere(preset="pyconde") repeated, and the pure-Python render in that process,
alternating. Ratios: the pure-Python shader's time over clrender's, whole process
against whole process and per render in a session. The kernel cache lives in a
temporary directory (warmed by one run of each), never in your home.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PHASES = ["setup", "build", "upload", "kernel", "transfer", "encode", "write", "other", "total"]

SESSION_CHILD = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
import clrender, sphere_pyconde_python as pure

from machine import cpu_model  # tools/machine.py, beside this script
rounds, renders = int(sys.argv[3]), int(sys.argv[4])
session, calls, python = [], [], []
with clrender.Session("sphere", preset="pyconde") as s:
    out = s.render()  # opens the device, loads the kernel
    clrender.sphere(preset="pyconde")  # the one-call API's kept session, opened
    for r in range(rounds):
        for i in range(renders):
            t = time.perf_counter(); s.render(out=out); session.append(time.perf_counter() - t)
        for i in range(renders):
            t = time.perf_counter(); clrender.sphere(preset="pyconde")
            calls.append(time.perf_counter() - t)
        t = time.perf_counter(); image = pure.render(800, 600); python.append(time.perf_counter() - t)
    same = bytes(image[-800 * 600 * 3:]) == out.tobytes()
    timings = s.timings
print(json.dumps({"session": session, "calls": calls, "python": python, "same": same,
                  "kernel_ms": timings["kernel"] / (1 + rounds * renders)}))
"""


def spawn_ms(argv, env, directory):
    """Wall milliseconds of one whole process, stdout and stderr to files."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 1, os.path.join(directory, "stdout.txt"),
         os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, os.path.join(directory, "stderr.txt"),
         os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    _, status = os.waitpid(pid, 0)
    elapsed = (time.perf_counter() - start) * 1e3
    if os.waitstatus_to_exitcode(status) != 0:
        with open(os.path.join(directory, "stderr.txt")) as f:
            sys.exit(f"{' '.join(argv)} failed: {f.read().strip()}")
    return elapsed


def timings_of(argv, env):
    """The --timings lines of one run, as {phase: ms}."""
    run = subprocess.run(argv + ["--timings", "--quiet"], env=env, capture_output=True, text=True,
                         check=True)
    return {k: float(v) for k, v in re.findall(r"^(\w+): (-?[0-9.]+) ms$", run.stderr, re.M)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clrender", default=os.path.join(ROOT, "build", "clrender"))
    parser.add_argument("--rounds", type=int, default=21, help="rounds of whole processes")
    parser.add_argument("--renders", type=int, default=50,
                        help="session renders per round of the Python session (7 rounds)")
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--before", help="an earlier clrender build, timed alike")
    args = parser.parse_args()
    clrender = os.path.abspath(args.clrender)
    work = tempfile.mkdtemp(prefix="startup-bench-")
    try:
        floor = os.path.join(work, "startup_floor")
        subprocess.run(["cc", "-O2", os.path.join(HERE, "startup_floor.c"), "-o", floor,
                        "-lOpenCL"], check=True)
        env = dict(os.environ, CLRENDER_CACHE_DIR=os.path.join(work, "cache"),
                   CLRENDER_DEVICE=os.environ.get("CLRENDER_DEVICE", "cpu"))
        env.pop("CLRENDER_NO_CACHE", None)
        no_cache = dict(env, CLRENDER_NO_CACHE="1")
        out = lambda name: os.path.join(work, name)  # noqa: E731
        julia = [clrender, "julia", "--size", "640x360", "--quiet", "-o", out("j.png")]
        pyconde = [clrender, "sphere", "--preset", "pyconde", "--quiet", "-o"]
        runs = {
            "julia": (julia, env),
            "julia-build": (julia, no_cache),
            "pyconde-png": (pyconde + [out("p.png")], env),
            "pyconde-ppm": (pyconde + [out("p.ppm")], env),
            "python": ([args.python, os.path.join(HERE, "sphere_pyconde_python.py"), "-o",
                        out("py.ppm")], env),
            "floor": ([floor], env),
            "floor-context": ([floor, "context"], env),
            "true": (["/bin/true"], env),
        }
        if args.before:
            before = os.path.abspath(args.before)
            runs["julia-before"] = ([before] + julia[1:], env)
            runs["pyconde-png-before"] = ([before] + pyconde[1:] + [out("b.png")], env)
        for argv, e in runs.values():  # warm: the cache filled, files in the page cache
            spawn_ms(argv, e, work)
        same = open(out("p.ppm"), "rb").read() == open(out("py.ppm"), "rb").read()
        times = {name: [] for name in runs}
        names = list(runs)
        for r in range(args.rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for name in order:
                times[name].append(spawn_ms(*runs[name], work))
        med = {name: statistics.median(t) for name, t in times.items()}

        phases = {"julia": [], "pyconde-png": []}
        for r in range(max(args.rounds // 2, 5)):
            for name in phases:
                argv, e = runs[name]
                phases[name].append(timings_of(argv, e))

        child = subprocess.run([args.python, "-c", SESSION_CHILD, os.path.join(ROOT, "python"),
                                HERE, "7", str(args.renders)], env=env, capture_output=True,
                               text=True, check=True)
        s = json.loads(child.stdout)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; {args.rounds} rounds, medians (ms)")
    print(f"pure-Python image identical to clrender's .ppm: {'yes' if same else 'NO'}")
    print("\nwhole process                         median     min     max")
    for name in names:
        t = times[name]
        print(f"  {name:<34} {med[name]:7.1f} {min(t):7.1f} {max(t):7.1f}")
    print("\nratios, whole process")
    print(f"  julia: without the kernel cache / with     {med['julia-build'] / med['julia']:6.2f}x")
    if args.before:
        print(f"  julia: before / now                        "
              f"{med['julia-before'] / med['julia']:6.2f}x")
        print(f"  pyconde png: before / now                  "
              f"{med['pyconde-png-before'] / med['pyconde-png']:6.2f}x")
        print(f"  pure-Python shader / pyconde png before    "
              f"{med['python'] / med['pyconde-png-before']:6.1f}x")
    print(f"  julia above the floor (context)            {med['julia'] - med['floor-context']:6.1f} ms")
    for fmt in ("png", "ppm"):
        print(f"  pure-Python shader / pyconde {fmt}         "
              f"{med['python'] / med['pyconde-' + fmt]:6.1f}x")
    print(f"  pure-Python shader / floor (best possible) {med['python'] / med['floor']:6.1f}x")
    print("\n--timings, medians of each phase    " + "".join(f"{p:>9}" for p in PHASES))
    for name, rows in phases.items():
        print(f"  {name:<34}" + "".join(
            f"{statistics.median(row.get(p, 0) for row in rows):9.1f}" for p in PHASES))
    session = statistics.median(s["session"]) * 1e3
    calls = statistics.median(s["calls"]) * 1e3
    python = statistics.median(s["python"]) * 1e3
    print("\nPython session, sphere --preset pyconde (7 rounds alternating)")
    print(f"  Session.render(out=...)                    {session:7.2f} ms per render "
          f"(kernel {s['kernel_ms']:.2f} ms)")
    print(f"  clrender.sphere(preset='pyconde')          {calls:7.2f} ms per call")
    print(f"  pure-Python render in that process         {python:7.1f} ms "
          f"(same image: {'yes' if s['same'] else 'NO'})")
    print(f"  ratio pure-Python / session render         {python / session:7.0f}x")
    print(f"  ratio pure-Python / one-call API           {python / calls:7.0f}x")


if __name__ == "__main__":
    main()
