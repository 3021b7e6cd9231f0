#!/usr/bin/env python3
"""The Python package's speed, side by side and alternating on this machine:

    /usr/bin/python3 tools/python_bench.py [--rounds 7] [--json]

1. clrender.julia(preset="blog-zoom") called again and again (the kept session: no
   set-up, no build) against the CLI's kernel + transfer time for the same render
   (`clrender julia --preset blog-zoom --timings`), and with out= (an array reused:
   no fresh pages for the kernel to fault in).
2. The juliaset drop-in, JuliaDiv(...).over(ComplexRegion(...).build(4000)) on the blog's
   zoom, against the blog's numba program (tools/julia_numba.py's julia_counts, then the
   blog's normalisation with numpy), with identical output checked: each as a whole
   process (interpreter start, imports, JIT or device set-up and build, the computation),
   and inside one process after a first call (the computation alone).

Uses Debian's /usr/bin/python3 with numpy and numba, the build tree's library and CLI.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, HERE)

ZOOM = dict(region=(-0.1, 0.1, -0.1, 0.1), resolution=4000, c=-0.835 - 0.2321j, threshold=2.0,
            iters=(20, 100))

# The blog's script, the same for both but for its import line.
SCRIPT = """
import time; start = time.perf_counter()
from {module} import ComplexRegion, JuliaDiv

from machine import cpu_model  # tools/machine.py, beside this script
plane = ComplexRegion(-0.1, 0.1, -0.1, 0.1).build(4000)
values = JuliaDiv(-0.835 - 0.2321j, 2.0, (20, 100), 4000).over(plane)
print(time.perf_counter() - start, float(values.sum()), float((values * values).sum()))
"""
DROP_IN = SCRIPT.format(module="clrender.juliaset")
NUMBA = SCRIPT.format(module="julia_numba")


def process(code, env):
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, env=env).stdout.split()
    return time.perf_counter() - start, float(out[0]), (float(out[1]), float(out[2]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import numpy as np

    import clrender
    import julia_numba
    from clrender.juliaset import ComplexRegion, JuliaDiv

    cli = os.path.join(ROOT, "build", "clrender")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "python"), HERE]))
    m = statistics.median
    report = {"cpu": cpu_model(), "cores": os.cpu_count(), "rounds": args.rounds}

    # 1. clrender.julia against the CLI's kernel + transfer
    clrender.julia(preset="blog-zoom")  # the kept session: opened and built
    with clrender.Session("julia", preset="blog-zoom") as s:
        out = s.render()
        calls, reused, cli_kt = [], [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            counts = clrender.julia(preset="blog-zoom")
            calls.append(time.perf_counter() - start)
            start = time.perf_counter()
            s.render(out=out)
            reused.append(time.perf_counter() - start)
            text = subprocess.run([cli, "julia", "--preset", "blog-zoom", "--timings", "-o",
                                   "/tmp/python_bench.npy"], check=True, capture_output=True,
                                  text=True).stderr
            phases = {k: float(v) for k, v in re.findall(r"^(\w+): ([0-9.]+) ms$", text, re.M)}
            cli_kt.append((phases["kernel"] + phases["transfer"]) / 1e3)
    same = np.array_equal(counts, np.load("/tmp/python_bench.npy")) and np.array_equal(out, counts)
    os.unlink("/tmp/python_bench.npy")
    report["julia"] = {"call_s": m(calls), "out_s": m(reused), "cli_kernel_transfer_s": m(cli_kt),
                       "call_ratio": m(calls) / m(cli_kt), "out_ratio": m(reused) / m(cli_kt),
                       "identical": bool(same)}

    # 2. the drop-in against the blog's numba program: the same script, its import swapped
    args_ = (ZOOM["c"], ZOOM["threshold"], ZOOM["iters"], ZOOM["resolution"])
    div, blog = JuliaDiv(*args_), julia_numba.JuliaDiv(*args_)
    ours = div.over(ComplexRegion(*ZOOM["region"]).build(ZOOM["resolution"]))  # set-up, build
    theirs = blog.over(julia_numba.ComplexRegion(*ZOOM["region"]).build(ZOOM["resolution"]))
    identical = bool(np.array_equal(ours, theirs))
    sums = (float(theirs.sum()), float((theirs * theirs).sum()))
    warm_ours, warm_theirs, proc_ours, proc_theirs, inner_ours, inner_theirs = [], [], [], [], [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        div.over(ComplexRegion(*ZOOM["region"]).build(ZOOM["resolution"]))
        warm_ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        blog.over(julia_numba.ComplexRegion(*ZOOM["region"]).build(ZOOM["resolution"]))
        warm_theirs.append(time.perf_counter() - start)
        wall, inner, check = process(DROP_IN, env)
        proc_ours.append(wall), inner_ours.append(inner)
        identical &= check == sums
        wall, inner, check = process(NUMBA, env)
        proc_theirs.append(wall), inner_theirs.append(inner)
        identical &= check == sums
    report["drop_in"] = {
        "identical": identical,
        "process_s": {"drop_in": m(proc_ours), "numba": m(proc_theirs),
                      "ratio": m(proc_theirs) / m(proc_ours)},
        "script_s": {"drop_in": m(inner_ours), "numba": m(inner_theirs),
                     "ratio": m(inner_theirs) / m(inner_ours)},
        "warm_s": {"drop_in": m(warm_ours), "numba": m(warm_theirs),
                   "ratio": m(warm_theirs) / m(warm_ours)}}
    if args.json:
        print(json.dumps(report, indent=1))
        return
    j, d = report["julia"], report["drop_in"]
    print("CPU: %s, %d cores; %d rounds, alternating" % (report["cpu"], report["cores"],
                                                         args.rounds))
    print("clrender.julia(preset='blog-zoom'): %.1f ms a call (%.2fx the CLI's kernel + "
          "transfer, %.1f ms); with out=: %.1f ms (%.2fx); identical to the CLI's .npy: %s" % (
              j["call_s"] * 1e3, j["call_ratio"], j["cli_kernel_transfer_s"] * 1e3,
              j["out_s"] * 1e3, j["out_ratio"], j["identical"]))
    for key, what in (("process_s", "whole process"),
                      ("script_s", "script from its first line (imports, JIT or build)"),
                      ("warm_s", "a second call in one process")):
        print("drop-in vs numba, %s: %.3f s vs %.3f s: %.1fx" % (
            what, d[key]["drop_in"], d[key]["numba"], d[key]["ratio"]))
    print("identical output: %s" % d["identical"])


if __name__ == "__main__":
    main()
