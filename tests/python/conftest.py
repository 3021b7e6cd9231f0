"""Shared set-up of the Python package's tests: the package from the source tree, the
library from the build tree, the CLI beside it, the PoCL CPU device."""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "tools"))
os.environ.setdefault("CLRENDER_DEVICE", "cpu")
BUILD = pathlib.Path(os.environ.get("CLRENDER_BUILD_DIR", ROOT / "build"))
os.environ["CLRENDER_BUILD_DIR"] = str(BUILD)


@pytest.fixture(scope="session")
def cli():
    """Runs the clrender command line; returns its completed process (check=True)."""
    path = os.environ.get("CLRENDER_CLI", str(BUILD / "clrender"))

    def run(*args):
        return subprocess.run([path, *map(str, args)], check=True, capture_output=True)
    return run
