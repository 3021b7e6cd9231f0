"""`pip install ./python` on this Debian machine, offline, into a fresh virtual
environment: the installed package carries the library and renders from anywhere."""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_pip_installs_the_package_offline(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    python = str(venv / "bin" / "python")
    # a copy of the package's sources: pip builds in the tree it is given
    source = tmp_path / "src"
    subprocess.run(["cp", "-r", str(ROOT / "python"), str(source)], check=True)
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    subprocess.run([python, "-m", "pip", "install", "--no-build-isolation", str(source)],
                   check=True, capture_output=True, env=env)
    env["CLRENDER_BUILD_DIR"] = "/nonexistent"  # the installed copy, nothing else
    code = ("import clrender, clrender._native as n\n"
            "print(n.find())\n"
            "print(clrender.julia(size=(40, 30)).sum())\n")
    out = subprocess.run([python, "-c", code], check=True, capture_output=True, text=True,
                         env=env, cwd=str(tmp_path)).stdout.split()
    assert out[0].startswith(str(venv)) and "_lib" in out[0]
    assert int(out[1]) > 0
