"""Installs the clrender package with the shared library it drives.

`python3 -m pip install --no-build-isolation ./python` (after tools/setup has built
build/) copies build/libclrender.so.* into the package, so the installed package needs
no build tree. Without a built library the package installs alone and loads the
system's (cmake --install build), or $CLRENDER_LIBRARY.
"""
import os
import pathlib
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = pathlib.Path(__file__).resolve().parent
SONAME = "libclrender.so.0.2"


def built_library():
    for directory in (os.environ.get("CLRENDER_BUILD_DIR"), HERE.parent / "build"):
        if directory and (pathlib.Path(directory) / SONAME).is_file():
            return (pathlib.Path(directory) / SONAME).resolve()
    return None


class build_py_with_library(build_py):
    def run(self):
        super().run()
        library = built_library()
        if library is None:
            print("clrender: no built libclrender found (build/ or $CLRENDER_BUILD_DIR); "
                  "the package will load the system's")
            return
        target = pathlib.Path(self.build_lib) / "clrender" / "_lib"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(library, target / SONAME)
        print(f"clrender: bundled {library}")


setup(cmdclass={"build_py": build_py_with_library})
