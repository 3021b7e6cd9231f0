"""The ctypes declarations match the C header's structs, and the library is found."""
import ctypes
import os
import subprocess
import sys

import pytest

from clrender import _native

STRUCTS = {"clr_error": _native.Error, "clr_device_info": _native.DeviceInfo,
           "clr_param_info": _native.ParamInfo, "clr_session_options": _native.SessionOptions,
           "clr_layout": _native.Layout, "clr_verify_result": _native.VerifyResult,
           "clr_timings": _native.Timings}


def c_layout():
    program = os.environ.get("CLRENDER_ABI_SIZES")
    if not program:
        pytest.fail("CLRENDER_ABI_SIZES names the abi_sizes program (ctest sets it)")
    out = subprocess.run([program], check=True, capture_output=True, text=True).stdout
    return dict((line.split()[0], int(line.split()[1])) for line in out.splitlines())


def test_struct_sizes_and_offsets_match_the_header():
    c = c_layout()
    for name, struct in STRUCTS.items():
        assert ctypes.sizeof(struct) == c[name], name
    for key, value in c.items():
        if "." in key:
            name, field = key.split(".")
            assert getattr(STRUCTS[name], field).offset == value, key


def test_an_explicit_library_path_that_is_wrong_is_an_oserror():
    code = "import clrender\ntry:\n clrender.version()\nexcept OSError as e:\n print('OSError', e)"
    package = os.path.dirname(os.path.dirname(os.path.abspath(_native.__file__)))
    env = dict(os.environ, CLRENDER_LIBRARY="/nonexistent/libclrender.so", PYTHONPATH=package)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd="/", check=True).stdout
    assert out.startswith("OSError") and "/nonexistent/libclrender.so" in out


def test_the_build_tree_library_is_found():
    assert _native.find().endswith(("libclrender.so.0.2", "libclrender.so"))
    assert _native.library().clr_version().decode().count(".") == 2
