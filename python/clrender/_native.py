"""The C library behind the package: where it is found, and its declarations.

The declarations mirror include/clrender/clrender.h, which is the contract;
tests/python/test_native.py checks the struct sizes against a C program's.
ctypes releases the GIL around every call, so a render in one thread leaves
the interpreter free for others.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import pathlib
from typing import List, Optional

HERE = pathlib.Path(__file__).resolve().parent

# The library's file names, newest ABI first: the SONAME a built or installed library has,
# and the development link name.
NAMES = ("libclrender.so.0.2", "libclrender.so")


def candidates() -> List[pathlib.Path]:
    """Where the library is looked for, in order (see find())."""
    places: List[pathlib.Path] = []
    explicit = os.environ.get("CLRENDER_LIBRARY")
    if explicit:
        return [pathlib.Path(explicit)]
    build = os.environ.get("CLRENDER_BUILD_DIR")
    roots = [HERE / "_lib"]  # installed with the package (setup.py copies it there)
    if build:
        roots.append(pathlib.Path(build))
    roots.append(HERE.parent.parent / "build")  # a source checkout: python/clrender -> build/
    for root in roots:
        places.extend(root / name for name in NAMES)
    return places


def find() -> str:
    """The path (or system name) of libclrender: $CLRENDER_LIBRARY when set, else the copy
    installed with the package, else $CLRENDER_BUILD_DIR, else the build tree of the source
    checkout this package sits in, else the system's (cmake --install)."""
    for place in candidates():
        if place.is_file():
            return str(place)
    if os.environ.get("CLRENDER_LIBRARY"):
        raise OSError(f"CLRENDER_LIBRARY names {os.environ['CLRENDER_LIBRARY']}, which is not a file")
    system = ctypes.util.find_library("clrender")
    if system:
        return system
    tried = ", ".join(str(p) for p in candidates())
    raise OSError(
        "libclrender was not found: build it (tools/setup), install it (cmake --install build), "
        f"or set CLRENDER_LIBRARY to its path; looked in {tried} and the system's library path")


# ---- declarations (include/clrender/clrender.h) ------------------------------------------

CLR_OK, CLR_RUNTIME_ERROR, CLR_USAGE_ERROR, CLR_VERIFY_FAILED = 0, 1, 2, 3
MESSAGE_SIZE = 4096
SAMPLE_U8, SAMPLE_U16, SAMPLE_U32, SAMPLE_F32 = 0, 1, 2, 3
(PARAM_FLAG, PARAM_UINT, PARAM_REAL, PARAM_REALS, PARAM_SIZE, PARAM_CHOICE, PARAM_TEXT,
 PARAM_OTHER) = range(8)


class Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * MESSAGE_SIZE),
                ("opencl_status", ctypes.c_int)]


class DeviceInfo(ctypes.Structure):
    _fields_ = [("platform_index", ctypes.c_uint), ("device_index", ctypes.c_uint),
                ("type", ctypes.c_int), ("type_name", ctypes.c_char * 16),
                ("name", ctypes.c_char * 256), ("platform_name", ctypes.c_char * 256),
                ("version", ctypes.c_char * 128), ("driver_version", ctypes.c_char * 128),
                ("compute_units", ctypes.c_uint), ("global_memory", ctypes.c_uint64),
                ("max_allocation", ctypes.c_uint64), ("fp64", ctypes.c_int)]


class ParamInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("metavar", ctypes.c_char_p),
                ("help", ctypes.c_char_p), ("type", ctypes.c_int), ("count", ctypes.c_size_t),
                ("choices", ctypes.POINTER(ctypes.c_char_p)), ("uint_min", ctypes.c_uint64),
                ("uint_max", ctypes.c_uint64), ("early", ctypes.c_int)]


LOG_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p)
PROGRESS_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)


class SessionOptions(ctypes.Structure):
    _fields_ = [("devices", ctypes.c_char_p), ("devices_origin", ctypes.c_char_p),
                ("reference", ctypes.c_int), ("kernel_dir", ctypes.c_char_p),
                ("launch_budget_ms", ctypes.c_double), ("band_rows", ctypes.c_size_t),
                ("host_budget_bytes", ctypes.c_size_t), ("log", LOG_CALLBACK),
                ("progress", PROGRESS_CALLBACK), ("user", ctypes.c_void_p),
                ("test_max_allocation", ctypes.c_uint64), ("test_fail_launches", ctypes.c_uint),
                ("test_named_temp_files", ctypes.c_int), ("test_device_memory", ctypes.c_uint64),
                ("cache_dir", ctypes.c_char_p)]


class Layout(ctypes.Structure):
    _fields_ = [("frames", ctypes.c_size_t), ("height", ctypes.c_size_t),
                ("width", ctypes.c_size_t), ("channels", ctypes.c_size_t),
                ("sample", ctypes.c_int), ("bytes", ctypes.c_size_t)]


class VerifyResult(ctypes.Structure):
    _fields_ = [("compared", ctypes.c_uint64), ("differing", ctypes.c_uint64),
                ("largest_difference", ctypes.c_double), ("unit", ctypes.c_char_p),
                ("integer", ctypes.c_int), ("mean_difference", ctypes.c_double),
                ("largest_reference", ctypes.c_double), ("judged_by_mean", ctypes.c_int),
                ("default_tolerance", ctypes.c_double), ("reference_name", ctypes.c_char_p),
                ("relative_to_largest", ctypes.c_int)]


class Timings(ctypes.Structure):
    _fields_ = [(name, ctypes.c_double) for name in (
        "setup_ms", "build_ms", "upload_ms", "kernel_ms", "transfer_ms", "reference_ms",
        "convert_ms", "write_ms", "render_ms", "longest_launch_ms")] + [
        ("launches", ctypes.c_size_t), ("bands", ctypes.c_size_t),
        ("programs_cached", ctypes.c_size_t), ("programs_built", ctypes.c_size_t)]


_library: Optional[ctypes.CDLL] = None


def library() -> ctypes.CDLL:
    """libclrender, loaded and declared on first use."""
    global _library
    if _library is not None:
        return _library
    lib = ctypes.CDLL(find())
    P, S, E = ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(Error)
    declare = {
        "clr_version": (ctypes.c_char_p, []),
        "clr_list_devices": (ctypes.c_int, [ctypes.POINTER(DeviceInfo), S, ctypes.POINTER(S), E]),
        "clr_renderer_name": (ctypes.c_char_p, [S]),
        "clr_renderer_summary": (ctypes.c_char_p, [ctypes.c_char_p]),
        "clr_renderer_param_count": (S, [ctypes.c_char_p]),
        "clr_renderer_param": (ctypes.c_int, [ctypes.c_char_p, S, ctypes.POINTER(ParamInfo), E]),
        "clr_session_open": (P, [ctypes.c_char_p, ctypes.POINTER(SessionOptions), E]),
        "clr_session_close": (None, [P]),
        "clr_session_prepare": (ctypes.c_int, [P, E]),
        "clr_session_device_count": (S, [P]),
        "clr_session_device": (ctypes.c_int, [P, S, ctypes.POINTER(DeviceInfo), E]),
        "clr_set": (ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_char_p, E]),
        "clr_reset": (ctypes.c_int, [P, E]),
        "clr_layout_get": (ctypes.c_int, [P, ctypes.POINTER(Layout), E]),
        "clr_set_input": (ctypes.c_int, [P, ctypes.c_char_p, P, ctypes.c_int,
                                         ctypes.POINTER(S), S, E]),
        "clr_sink_memory": (P, [P, P, S, E]),
        "clr_sink_verify": (P, [P, E]),
        "clr_sink_verify_result": (ctypes.c_int, [P, ctypes.POINTER(VerifyResult), E]),
        "clr_sink_free": (None, [P]),
        "clr_render": (ctypes.c_int, [P, ctypes.POINTER(P), S, E]),
        "clr_session_timings": (None, [P, ctypes.POINTER(Timings)]),
        "clr_timings_reset": (None, [P]),
    }
    for name, (restype, argtypes) in declare.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    _library = lib
    return lib
