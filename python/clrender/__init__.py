"""clrender from Python: renders into numpy arrays through libclrender.

    import clrender
    counts = clrender.julia(c=(-0.835, -0.2321), size=(1000, 625))       # uint32 (625, 1000)
    rgb = clrender.sphere(preset="pyconde")                               # uint8 (600, 800, 3)
    p = clrender.xray(volume=mu, voxel_size=0.5, angles=180, arc=180)     # float32 (180, 512, 512)

    with clrender.Session("julia", size=(640, 360)) as s:                 # built once
        for k in range(100):
            frame = s.render(region=(...))                                # renders again

Keyword arguments are the command line's options with `_` for `-` (`mu_scale` is
`--mu-scale`); values are what the option takes, as text or as Python values:
numbers, tuples (`size=(640, 360)`, `region=(-2, 2, -1.5, 1.5)`, `iter=(20, 100)`),
complex numbers for a pair (`c=-0.8+0.156j`), True for a flag. `device=` chooses the
OpenCL device as `--device` does; `backend="reference"` renders with the scalar C
reference. Errors raise clrender.Error (UsageError, a ValueError, for what the caller
got wrong; FileError, an OSError, for a file that cannot be read; DeviceError, a
RuntimeError, when running it failed; VerifyError when verification fails).
"""
from __future__ import annotations

import atexit
import collections
import ctypes
import dataclasses
import math
import numbers
import os
import threading
from typing import (Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence,
                    Tuple, Union)

import numpy as np

from . import _native

__all__ = ["Error", "UsageError", "FileError", "DeviceError", "VerifyError", "Device",
           "Verification", "Session", "devices", "renderers", "parameters", "julia", "mandelbrot",
           "sphere",
           "xray", "version"]


# ---- errors --------------------------------------------------------------------------------

class Error(Exception):
    """A failure clrender reported: `status` is the engine's (1 runtime, 2 usage, 3 verify),
    the message its one line."""

    def __init__(self, message: str, status: int = _native.CLR_RUNTIME_ERROR):
        super().__init__(message)
        self.status = status
        self.message = message


class UsageError(Error, ValueError):
    """A parameter, name, value or input the caller gave is wrong."""


class FileError(Error, OSError):
    """A file named by a parameter does not exist or cannot be read."""


class DeviceError(Error, RuntimeError):
    """The request was fine; running it failed (no OpenCL device, a kernel failed...)."""


class VerifyError(Error):
    """verify=True and the render differs from the scalar reference beyond the tolerance;
    `verification` holds the comparison."""

    def __init__(self, message: str, verification: "Verification"):
        super().__init__(message, _native.CLR_VERIFY_FAILED)
        self.verification = verification


def _raise(error: _native.Error) -> None:
    message = error.message.decode("utf-8", "replace")
    kind = UsageError if error.status == _native.CLR_USAGE_ERROR else DeviceError
    raise kind(message, error.status)


def _check(status: int, error: _native.Error) -> None:
    if status != _native.CLR_OK:
        _raise(error)


# ---- what there is -------------------------------------------------------------------------

def version() -> str:
    """The library's version, "MAJOR.MINOR.PATCH"."""
    return _native.library().clr_version().decode()


@dataclasses.dataclass(frozen=True)
class Device:
    """An OpenCL device in clrender's numbering: `spec` ("P:D") chooses it as device=."""
    spec: str
    type: str
    name: str
    platform: str
    version: str
    driver_version: str
    compute_units: int
    global_memory: int
    max_allocation: int
    fp64: bool


def _device(info: _native.DeviceInfo) -> Device:
    text = lambda b: b.decode("utf-8", "replace")  # noqa: E731
    return Device(f"{info.platform_index}:{info.device_index}", text(info.type_name),
                  text(info.name), text(info.platform_name), text(info.version),
                  text(info.driver_version), int(info.compute_units), int(info.global_memory),
                  int(info.max_allocation), bool(info.fp64))


def devices() -> List[Device]:
    """Every OpenCL device, in the order clrender numbers them."""
    lib, error, count = _native.library(), _native.Error(), ctypes.c_size_t()
    _check(lib.clr_list_devices(None, 0, ctypes.byref(count), ctypes.byref(error)), error)
    infos = (_native.DeviceInfo * max(count.value, 1))()
    _check(lib.clr_list_devices(infos, count.value, ctypes.byref(count), ctypes.byref(error)),
           error)
    return [_device(infos[i]) for i in range(count.value)]


def renderers() -> List[str]:
    """The renderers' names: "julia", "mandelbrot", "sphere", "xray"."""
    lib, names, index = _native.library(), [], 0
    while True:
        name = lib.clr_renderer_name(index)
        if name is None:
            return names
        names.append(name.decode())
        index += 1


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One of a renderer's parameters: keyword `name` (with `_` for `-`), as the command
    line's `--option`."""
    option: str
    metavar: Optional[str]
    help: str
    kind: int
    early: bool

    @property
    def name(self) -> str:
        return self.option.replace("-", "_")


_parameters: Dict[str, Dict[str, Parameter]] = {}


def parameters(renderer: str) -> Dict[str, Parameter]:
    """The parameters of `renderer` by keyword name, in the order of its help."""
    if renderer in _parameters:
        return _parameters[renderer]
    lib, error = _native.library(), _native.Error()
    key = renderer.encode()
    count = lib.clr_renderer_param_count(key)
    if count == 0:
        raise UsageError(f"unknown renderer '{renderer}' (known: {', '.join(renderers())})",
                         _native.CLR_USAGE_ERROR)
    table: Dict[str, Parameter] = {}
    for i in range(count):
        info = _native.ParamInfo()
        _check(lib.clr_renderer_param(key, i, ctypes.byref(info), ctypes.byref(error)), error)
        p = Parameter(info.name.decode(), info.metavar.decode() if info.metavar else None,
                      info.help.decode(), int(info.type), bool(info.early))
        table[p.name] = p
    _parameters[renderer] = table
    return table


# ---- values to the command line's text -----------------------------------------------------

def _number(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("a truth value where a number belongs")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"{v} is not a finite number")
        return repr(v)  # the shortest text that reads back as the same double
    raise TypeError(f"{type(value).__name__} where a number belongs")


def _text(p: Parameter, value: Any) -> str:
    """`value` as the text its option takes on the command line."""
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        value = (value.real, value.imag)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (tuple, list)):
        if p.kind == _native.PARAM_SIZE:
            separator = "x"
        elif p.metavar and ":" in p.metavar:
            separator = ":"  # MIN:MAX
        else:
            separator = ","
        return separator.join(_number(v) for v in value)
    return _number(value)


# Parameters that name a file the library reads: checked here, so that a missing one is an
# OSError as Python users expect.
_FILE_PARAMETERS = ("volume", "scene")


def _check_file(name: str, path: str) -> None:
    if not os.path.exists(path):
        raise FileError(f"{name} '{path}': no such file", _native.CLR_USAGE_ERROR)
    if not os.access(path, os.R_OK):
        raise FileError(f"{name} '{path}': not readable", _native.CLR_USAGE_ERROR)


def _is_array(value: Any) -> bool:
    return value is not None and not isinstance(value, (str, bytes, os.PathLike)) and (
        isinstance(value, np.ndarray) or hasattr(value, "__array__")
        or hasattr(value, "__array_interface__"))


_SAMPLES = {_native.SAMPLE_U8: np.uint8, _native.SAMPLE_U16: np.uint16,
            _native.SAMPLE_U32: np.uint32, _native.SAMPLE_F32: np.float32}


@dataclasses.dataclass(frozen=True)
class Verification:
    """What verify=True found: pixels compared and differing, and the differences."""
    compared: int
    differing: int
    largest_difference: float
    mean_difference: float
    unit: str
    reference: str
    judged_by_mean: bool
    tolerance: float
    passed: bool


# ---- sessions ------------------------------------------------------------------------------

def _cache_dir() -> Optional[str]:
    """Where sessions keep compiled kernels, as the command line chooses it:
    $CLRENDER_CACHE_DIR, else $XDG_CACHE_HOME/clrender, else ~/.cache/clrender; None when
    CLRENDER_NO_CACHE is set to anything but 0. A process then loads a kernel in ~3 ms
    instead of building it in ~30 ms."""
    if os.environ.get("CLRENDER_NO_CACHE", "0") not in ("", "0"):
        return None
    explicit = os.environ.get("CLRENDER_CACHE_DIR")
    if explicit:
        return explicit
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg.startswith("/"):  # the XDG rules ignore a relative one
        return os.path.join(xdg, "clrender")
    home = os.environ.get("HOME")
    return os.path.join(home, ".cache", "clrender") if home else None


class Session:
    """A renderer on its devices, opened once: the device set up, the kernels built and the
    inputs uploaded on the first render, reused by the next. `render(**changes)` renders
    again with parameters changed (the changes stay). One session serves one thread at a
    time (a lock makes others wait); several sessions render in threads at once, the GIL
    released while the device works."""

    def __init__(self, renderer: str, device: Optional[str] = None, backend: str = "device",
                 **params: Any):
        if backend not in ("device", "reference"):
            raise UsageError(f"backend '{backend}': device or reference",
                             _native.CLR_USAGE_ERROR)
        self.renderer = renderer
        self._table = parameters(renderer)
        self._lock = threading.RLock()
        self._inputs: Dict[str, np.ndarray] = {}  # kept alive while the library may read them
        self._values: Dict[str, Any] = {}
        self._handle: Optional[int] = None
        options = _native.SessionOptions()
        self._device_spec = (device or "").encode()
        options.devices = self._device_spec or None
        options.devices_origin = b"device=" if device else None
        options.reference = 1 if backend == "reference" else 0
        cache = _cache_dir()
        options.cache_dir = cache.encode() if cache else None
        error = _native.Error()
        handle = _native.library().clr_session_open(renderer.encode(), ctypes.byref(options),
                                                    ctypes.byref(error))
        if not handle:
            _raise(error)
        self._handle = handle
        if params:
            self.set(**params)

    # -- lifetime

    def close(self) -> None:
        """Releases the devices and everything uploaded; the session cannot render again."""
        with self._lock:
            if self._handle:
                _native.library().clr_session_close(self._handle)
                self._handle = None
            self._inputs.clear()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone
            pass

    def _session(self) -> int:
        if not self._handle:
            raise UsageError("the session is closed", _native.CLR_USAGE_ERROR)
        return self._handle

    # -- parameters

    def set(self, **params: Any) -> None:
        """Sets parameters (keyword names as the command line's options, `_` for `-`).
        False or None turns a parameter back to its default."""
        with self._lock:
            handle, lib, error = self._session(), _native.library(), _native.Error()
            # An array is the library's input "volume"; text names a file.
            volume = params.pop("volume") if _is_array(params.get("volume")) else None
            unknown = [k for k in params if k not in self._table]
            if unknown:
                raise UsageError(
                    f"{self.renderer} has no parameter '{unknown[0]}' (it has: "
                    f"{', '.join(self._table)})", _native.CLR_USAGE_ERROR)
            back_to_default = [k for k, v in params.items() if v is None or v is False]
            if back_to_default:
                # The library resets all parameters at once: set the others again.
                kept = {k: v for k, v in self._values.items() if k not in back_to_default}
                _check(lib.clr_reset(handle, ctypes.byref(error)), error)
                self._values = {}
                params = {**kept, **{k: v for k, v in params.items()
                                     if k not in back_to_default}}
            # Presets first: the other parameters given with one override what it sets.
            ordered = sorted(params.items(), key=lambda kv: not self._table[kv[0]].early)
            for name, value in ordered:
                p = self._table[name]
                if value is True and p.kind == _native.PARAM_FLAG:
                    text = None
                else:
                    try:
                        text = _text(p, value)
                    except (TypeError, ValueError) as e:
                        raise UsageError(f"{name}: {e}", _native.CLR_USAGE_ERROR) from None
                    if name in _FILE_PARAMETERS:
                        _check_file(name, text)
                status = lib.clr_set(handle, p.option.encode(),
                                     None if text is None else text.encode(),
                                     ctypes.byref(error))
                _check(status, error)
                self._values[name] = value
            if volume is not None:
                self._attach_volume(volume)

    def _attach_volume(self, volume: Any) -> None:
        array = np.asarray(volume)
        if array.ndim != 3:
            raise UsageError(f"volume: an array of 3 dimensions (NZ, NY, NX), not {array.ndim}",
                             _native.CLR_USAGE_ERROR)
        if array.dtype.kind not in "fiub":
            raise UsageError(f"volume: real numbers, not {array.dtype}", _native.CLR_USAGE_ERROR)
        array = np.ascontiguousarray(array, dtype=np.float32)  # a copy only when needed
        if not np.isfinite(array).all():
            raise UsageError("volume: values must be finite numbers", _native.CLR_USAGE_ERROR)
        dims = (ctypes.c_size_t * 3)(*array.shape)
        error = _native.Error()
        _check(_native.library().clr_set_input(
            self._session(), b"volume", array.ctypes.data, _native.SAMPLE_F32, dims, 3,
            ctypes.byref(error)), error)
        self._inputs["volume"] = array

    @property
    def parameters(self) -> Dict[str, Any]:
        """The parameters set so far (the others have their defaults)."""
        return dict(self._values)

    # -- rendering

    def layout(self) -> Tuple[Tuple[int, ...], np.dtype]:
        """The shape and dtype a render with the current parameters returns."""
        with self._lock:
            layout, error = _native.Layout(), _native.Error()
            _check(_native.library().clr_layout_get(self._session(), ctypes.byref(layout),
                                                    ctypes.byref(error)), error)
            shape: Tuple[int, ...] = (layout.height, layout.width)
            if layout.channels > 1:
                shape += (layout.channels,)
            if layout.frames > 1:
                shape = (layout.frames,) + shape
            return shape, np.dtype(_SAMPLES[layout.sample])

    def prepare(self) -> None:
        """Opens the devices, builds the kernels and uploads the inputs now, so that the
        first render costs only rendering."""
        with self._lock:
            error = _native.Error()
            _check(_native.library().clr_session_prepare(self._session(), ctypes.byref(error)),
                   error)

    def render(self, out: Optional[np.ndarray] = None, verify: bool = False,
               tolerance: Optional[float] = None, **changes: Any) -> np.ndarray:
        """Renders with the current parameters (after applying `changes`) into a new array,
        or into `out` (C-contiguous, writable, of exactly layout()'s shape and dtype),
        which is filled in place and returned. verify=True renders every row again with the
        scalar reference and raises VerifyError when they differ beyond the tolerance (the
        renderer's, or `tolerance`: a fraction of pixels, or the mean difference against
        an exact solution); `last_verification` keeps the comparison."""
        with self._lock:
            if changes:
                self.set(**changes)
            shape, dtype = self.layout()
            if out is None:
                out = np.empty(shape, dtype)
            elif not isinstance(out, np.ndarray) or out.shape != shape or out.dtype != dtype:
                raise UsageError(f"out: an array of shape {shape} and dtype {dtype}",
                                 _native.CLR_USAGE_ERROR)
            elif not out.flags.c_contiguous or not out.flags.writeable:
                raise UsageError("out: a C-contiguous, writable array", _native.CLR_USAGE_ERROR)
            lib, error, handle = _native.library(), _native.Error(), self._session()
            sinks = []
            try:
                sink = lib.clr_sink_memory(handle, out.ctypes.data, out.nbytes,
                                           ctypes.byref(error))
                if not sink:
                    _raise(error)
                sinks.append(sink)
                if verify:
                    checker = lib.clr_sink_verify(handle, ctypes.byref(error))
                    if not checker:
                        _raise(error)
                    sinks.append(checker)
                array = (ctypes.c_void_p * len(sinks))(*sinks)
                _check(lib.clr_render(handle, array, len(sinks), ctypes.byref(error)), error)
                if verify:
                    self._judge(sinks[1], tolerance)
            finally:
                for sink in sinks:
                    lib.clr_sink_free(sink)
            return out

    last_verification: Optional[Verification] = None

    def _judge(self, checker: int, tolerance: Optional[float]) -> None:
        result, error = _native.VerifyResult(), _native.Error()
        _check(_native.library().clr_sink_verify_result(checker, ctypes.byref(result),
                                                        ctypes.byref(error)), error)
        limit = result.default_tolerance if tolerance is None else float(tolerance)
        if result.judged_by_mean:
            passed = result.mean_difference <= limit
        else:
            passed = result.differing <= limit * result.compared
        v = Verification(int(result.compared), int(result.differing),
                         float(result.largest_difference), float(result.mean_difference),
                         (result.unit or b"").decode(), (result.reference_name or b"").decode(),
                         bool(result.judged_by_mean), limit, passed)
        self.last_verification = v
        if not passed:
            what = (f"mean difference {v.mean_difference:.3g} {v.unit}" if v.judged_by_mean
                    else f"{v.differing} of {v.compared} pixels differ")
            raise VerifyError(f"verify: {what} from {v.reference} (tolerance {limit:g})", v)

    # -- what it took

    @property
    def timings(self) -> Dict[str, float]:
        """Milliseconds the session's renders took since it opened (or reset_timings()):
        setup, build, upload, kernel, transfer, reference, convert, write, render (wall),
        longest_launch; and the counts launches, bands, programs_cached (kernels loaded from
        the cache) and programs_built."""
        t = _native.Timings()
        _native.library().clr_session_timings(self._session(), ctypes.byref(t))
        out = {name[:-3]: getattr(t, name) for name, _ in _native.Timings._fields_
               if name.endswith("_ms")}
        out.update(launches=t.launches, bands=t.bands, programs_cached=t.programs_cached,
                   programs_built=t.programs_built)
        return out

    def reset_timings(self) -> None:
        _native.library().clr_timings_reset(self._session())

    def render_many(self, changes: Sequence[Mapping[str, Any]], comm: Any = None,
                    root: int = 0, verify: bool = False, tolerance: Optional[float] = None,
                    on_render: Optional[Callable[[int, np.ndarray], Any]] = None
                    ) -> Union[List[np.ndarray], List[int], None]:
        """Renders once per element of `changes` (the parameters changed for that render,
        as render(**c) takes them: the frames of an animation, one angle each of a scan) and
        returns the arrays in order. With `comm`, an mpi4py communicator (the program started
        as `mpirun -np N python3 prog.py`, every rank with its own Session), the renders are
        spread over its ranks: rank `root` hands out the next index to whichever rank asks
        (a faster rank takes more) and renders between the requests; the arrays are gathered
        to `root`, which returns them all; the other ranks return None. A render that fails
        on any rank raises, on every rank, the first failure with the rank and host that
        had it. Without `comm`, the renders run here, one after another.

        With `on_render`, nothing is gathered or kept: `on_render(index, array)` is called
        on the rank that rendered `changes[index]`, right after rendering (and verifying) it,
        with a new array of its own (to write a frame to a file, say), and render_many
        returns, on every rank, the ascending list of the indices this rank rendered (and
        passed to on_render); together the ranks' lists hold every index exactly once.
        Without `comm` that list is every index, on_render called in order. An exception
        raised by on_render is the failure of that render: with `comm` it stops the hand-out
        and raises on every rank as a clrender.Error naming the rank, host, index and
        exception (chained to the original on the rank that had it); without `comm` the
        original propagates, and no later render runs."""
        items = [dict(c) for c in changes]
        if comm is not None:
            return _spread(self, items, comm, root, verify, tolerance, on_render)
        if on_render is None:
            return [self.render(verify=verify, tolerance=tolerance, **c) for c in items]
        for index, c in enumerate(items):
            on_render(index, self.render(verify=verify, tolerance=tolerance, **c))
        return list(range(len(items)))

    @property
    def devices(self) -> List[Device]:
        """The devices this session renders on (after its first render or prepare())."""
        lib, handle = _native.library(), self._session()
        found = []
        for i in range(lib.clr_session_device_count(handle)):
            info, error = _native.DeviceInfo(), _native.Error()
            _check(lib.clr_session_device(handle, i, ctypes.byref(info), ctypes.byref(error)),
                   error)
            found.append(_device(info))
        return found


# ---- renders spread over the ranks of an MPI job (mpi4py) -----------------------------------

_REQUEST, _ASSIGN = 31, 32  # tags of render_many's messages, apart from the caller's


def _spread(session: Session, items: List[Dict[str, Any]], comm: Any, root: int, verify: bool,
            tolerance: Optional[float], on_render: Optional[Callable[[int, np.ndarray], Any]]
            ) -> Union[List[np.ndarray], List[int], None]:
    """render_many over `comm`: the protocol of clrender-mpi (docs/CLUSTER.md) with indices
    for units. A rank asks (its message: None, or the failure that stops it), the root
    answers with an index or None (stop); the root serves the requests waiting between its
    own renders. The mpi4py module is imported only here: the package needs no MPI."""
    import socket
    import time
    from mpi4py import MPI

    rank, size = comm.Get_rank(), comm.Get_size()
    mine: Dict[int, np.ndarray] = {}  # the arrays to gather (without on_render)
    done: List[int] = []  # the indices handed to on_render
    # (status, "rank R (host)", message, from on_render): what every rank raises
    failure: Optional[Tuple[int, str, str, bool]] = None
    callback_error: Optional[BaseException] = None  # on_render's own, chained where it was
    where = f"rank {rank} ({socket.gethostname()})"

    def render(index: int) -> None:
        nonlocal failure, callback_error
        try:
            array = session.render(verify=verify, tolerance=tolerance, **items[index])
        except Error as e:
            failure = (e.status, where, str(e), False)
            return
        if on_render is None:
            mine[index] = array
            return
        try:
            on_render(index, array)
        except Exception as e:  # a rank left with it would leave the others waiting
            callback_error = e
            failure = (_native.CLR_RUNTIME_ERROR, where,
                       f"on_render({index}) raised {type(e).__name__}: {e}", True)
            return
        done.append(index)

    if rank == root:
        next_index, stopped, status = 0, 0, MPI.Status()
        while stopped < size - 1 or (next_index < len(items) and failure is None):
            while comm.Iprobe(source=MPI.ANY_SOURCE, tag=_REQUEST, status=status):
                source = status.Get_source()
                reported = comm.recv(source=source, tag=_REQUEST)
                if reported is not None and failure is None:
                    failure = reported
                if next_index < len(items) and failure is None and reported is None:
                    comm.send(next_index, dest=source, tag=_ASSIGN)
                    next_index += 1
                else:
                    comm.send(None, dest=source, tag=_ASSIGN)
                    stopped += 1
            if next_index < len(items) and failure is None:
                next_index += 1
                render(next_index - 1)
            elif stopped < size - 1:
                time.sleep(0.0002)  # MPI's blocking receive would spin on a core renders need
    else:
        while True:
            comm.send(failure, dest=root, tag=_REQUEST)
            index = comm.recv(source=root, tag=_ASSIGN)
            if index is None:
                break
            render(index)
    # Every rank's arrays (none with on_render) or its failure to the root; the outcome back
    # to all.
    parts = comm.gather((mine, failure), root=root)
    outcome = None
    if rank == root:
        outcome = failure
        for _, reported in parts:
            outcome = outcome or reported
    outcome = comm.bcast(outcome, root=root)
    if outcome is not None:
        status_code, where, message, from_callback = outcome
        kind = Error if from_callback else _error_of(status_code)
        raised = kind(f"{where}: {message}", status_code)
        if from_callback and outcome == failure:
            raise raised from callback_error
        raise raised
    if on_render is not None:
        return sorted(done)
    if rank != root:
        return None
    arrays: Dict[int, np.ndarray] = {}
    for part, _ in parts:
        arrays.update(part)
    return [arrays[i] for i in range(len(items))]


def _error_of(status: int) -> type:
    return {_native.CLR_USAGE_ERROR: UsageError,
            _native.CLR_VERIFY_FAILED: Error}.get(status, DeviceError)


# ---- one call, one picture -----------------------------------------------------------------

# Sessions the one-call functions keep, so that calling them again pays no device set-up or
# kernel build: one per renderer, device, backend and set of parameter names (a parameter
# never named in it keeps its default there). The oldest goes past _KEEP.
_KEEP = 8
_kept: "collections.OrderedDict[tuple, Session]" = collections.OrderedDict()
_kept_lock = threading.Lock()


@atexit.register
def _close_kept() -> None:
    """The kept sessions release their devices while the library is still loaded."""
    with _kept_lock:
        while _kept:
            _kept.popitem()[1].close()


def _render(renderer: str, params: Dict[str, Any]) -> np.ndarray:
    device = params.pop("device", None)
    backend = params.pop("backend", "device")
    out = params.pop("out", None)
    verify = params.pop("verify", False)
    tolerance = params.pop("tolerance", None)
    if _is_array(params.get("volume")):
        # The session would keep the caller's volume alive: render it in one of its own.
        with Session(renderer, device=device, backend=backend) as session:
            return session.render(out=out, verify=verify, tolerance=tolerance, **params)
    key = (renderer, device, backend, tuple(sorted(params)))
    with _kept_lock:
        session = _kept.pop(key, None)  # taken: another thread calling meanwhile opens its own
    if session is None:
        session = Session(renderer, device=device, backend=backend)
    try:
        return session.render(out=out, verify=verify, tolerance=tolerance, **params)
    finally:
        with _kept_lock:
            _kept[key] = session
            while len(_kept) > _KEEP:
                _kept.popitem(last=False)[1].close()


def julia(**params: Any) -> np.ndarray:
    """Escape counts of the filled Julia set (uint32, shape (height, width)), as
    `clrender julia`: c, region, size, iter, threshold, precision, kernel, preset; and
    device, backend, out, verify."""
    return _render("julia", params)


def mandelbrot(**params: Any) -> np.ndarray:
    """Escape counts of the Mandelbrot set (uint32, shape (height, width)), as
    `clrender mandelbrot`: julia's options but c; and device, backend, out, verify."""
    return _render("mandelbrot", params)


def sphere(**params: Any) -> np.ndarray:
    """Ray-traced spheres, 8-bit sRGB (uint8, shape (height, width, 3)), as
    `clrender sphere`: scene, size, depth, spp, kernel, preset; and device, backend, out,
    verify."""
    return _render("sphere", params)


def xray(**params: Any) -> np.ndarray:
    """X-ray projections (float32, shape (rows, columns), or (angles, rows, columns) for
    several), as `clrender xray`. `volume` is a file name or an array of μ in 1/mm of shape
    (NZ, NY, NX) (converted to C-ordered float32 when it is not; values must be finite),
    with `voxel_size`; without it a phantom. Also device, backend, out, verify."""
    return _render("xray", params)
