"""A drop-in for the Julia blog's module (its Rust version was called `juliaset`):

    from clrender.juliaset import ComplexRegion, JuliaDiv      # instead of: from juliaset import ...

    plane = ComplexRegion(-1.6, 1.6, -1.0, 1.0).build(1000)    # complex128, (625, 1000)
    values = JuliaDiv(-0.835 - 0.2321j, 2.0, (0, 80), 1000).over(plane)   # float64 in [0, 1]

The rules are the blog's: the plane holds `resolution` points along the real axis and
round(resolution·(yright − yleft)/(xright − xleft)) along the imaginary one, each a
numpy.linspace with both ends, row 0 at the top (the largest imaginary part); a point's
count is the iteration (from 0) at which |z|² reaches threshold² under z ← z² + c_0 from
z = the point, or itermax when it never does; its value is
(max(count, itermin) − itermin) / (itermax − itermin), in float64.

`over` renders with clrender's Julia kernel in double precision (the counts are
identical to the blog's numpy and numba programs, tests/python check it) whenever the
plane is such a grid, which it recognises at no cost for planes built here and checks
for any other array; an array that is no such grid is iterated with numpy instead, so
every plane gets the blog's answer.
"""
from __future__ import annotations

import threading
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from . import julia

__all__ = ["ComplexRegion", "JuliaDiv"]


class ComplexPlane(np.ndarray):
    """The complex128 grid ComplexRegion.build() returns: a read-only numpy array that
    remembers the region it samples (a slice, a copy or the result of an operation is a new
    array that does not)."""
    region: Optional[Tuple[float, float, float, float]] = None

    def __array_finalize__(self, obj: object) -> None:
        self.region = None  # a view or result of an operation is no longer the grid itself


class ComplexRegion:
    """The rectangle [xleft, xright] × [yleft, yright] of the complex plane."""

    def __init__(self, xleft: float, xright: float, yleft: float, yright: float):
        self.xleft, self.xright = float(xleft), float(xright)
        self.yleft, self.yright = float(yleft), float(yright)
        if not (self.xright > self.xleft and self.yright > self.yleft):
            raise ValueError("ComplexRegion: xleft < xright and yleft < yright")

    def rows(self, resolution: int) -> int:
        return int(round(resolution * (self.yright - self.yleft) / (self.xright - self.xleft)))

    def build(self, resolution: int) -> np.ndarray:
        """The grid of `resolution` columns, row 0 at the top, as complex128."""
        resolution = int(resolution)
        height = self.rows(resolution)
        if resolution < 1 or height < 1:
            raise ValueError(f"ComplexRegion.build: {resolution} points give no grid")
        xs = np.linspace(self.xleft, self.xright, resolution)
        ys = np.linspace(self.yleft, self.yright, height)[::-1]
        # one pass over the grid; x + (0·y − 0 + y·i) is exactly x + y·i
        plane = (xs[np.newaxis, :] + 1j * ys[:, np.newaxis]).view(ComplexPlane)
        plane.region = (self.xleft, self.xright, self.yleft, self.yright)
        plane.flags.writeable = False  # the region it remembers stays true (copy to change it)
        return plane


def _grid_region(plane: np.ndarray) -> Optional[Tuple[float, float, float, float]]:
    """The region a plain array samples when it is exactly a grid as build() makes it."""
    if plane.ndim != 2 or plane.dtype != np.complex128 or min(plane.shape) < 1:
        return None
    height, width = plane.shape
    xleft, xright = plane[0, 0].real, plane[0, -1].real
    yright, yleft = plane[0, 0].imag, plane[-1, 0].imag
    if width < 2 or height < 2 or not (xright > xleft and yright > yleft):
        return None
    xs = np.linspace(xleft, xright, width)
    ys = np.linspace(yleft, yright, height)[::-1]
    if not (np.array_equal(plane.real, np.broadcast_to(xs, plane.shape))
            and np.array_equal(plane.imag, np.broadcast_to(ys[:, None], plane.shape))):
        return None
    return (float(xleft), float(xright), float(yleft), float(yright))


def _numpy_counts(plane: np.ndarray, c: complex, threshold: float, itermax: int) -> np.ndarray:
    """The blog's iteration for any array of points, with numpy (slow, exact)."""
    z = np.array(plane, dtype=np.complex128)
    counts = np.full(z.shape, itermax, dtype=np.int64)
    alive = np.ones(z.shape, dtype=bool)
    r2 = threshold * threshold
    for k in range(itermax):
        z[alive] = z[alive] * z[alive] + c
        escaped = alive & (z.real * z.real + z.imag * z.imag >= r2)
        counts[escaped] = k
        alive &= ~escaped
        if not alive.any():
            break
    return counts


class JuliaDiv:
    """The divergence of z ← z² + c_0: `over(plane)` gives each point's normalised count."""

    def __init__(self, c_0: Union[complex, float], threshold: float,
                 n_iterations: Sequence[int] = (0, 80), resolution: Optional[int] = None):
        self.c_0 = complex(c_0)
        self.threshold = float(threshold)
        self.itermin, self.itermax = (int(n) for n in n_iterations)
        if not 0 <= self.itermin < self.itermax:
            raise ValueError("JuliaDiv: n_iterations = (itermin, itermax), 0 <= itermin < itermax")
        if not self.threshold > 0:
            raise ValueError("JuliaDiv: the threshold must be positive")
        self.resolution = resolution
        self._buffer: Optional[np.ndarray] = None
        self._lock = threading.Lock()

    def _values(self, counts: np.ndarray) -> np.ndarray:
        # One table lookup per pixel: entry n is the blog's formula for count n, computed
        # once in float64, so every value is the formula's own.
        n = np.arange(self.itermax + 1)
        table = (np.maximum(n, self.itermin) - self.itermin) / (self.itermax - self.itermin)
        return table[counts]

    def counts(self, plane: np.ndarray) -> np.ndarray:
        """Each point's escape count (uint32), as the blog's program finds it."""
        with self._lock:
            return self._counts(plane).copy()

    def _counts(self, plane: np.ndarray) -> np.ndarray:
        """counts(), in a buffer the next call overwrites (the caller holds the lock): the
        kernel then writes into memory it has written before, not into fresh pages the
        system must clear first."""
        region = getattr(plane, "region", None) if isinstance(plane, ComplexPlane) else None
        if region is None:
            region = _grid_region(np.asarray(plane))
        if region is None:
            return _numpy_counts(np.asarray(plane), self.c_0, self.threshold,
                                 self.itermax).astype(np.uint32)
        height, width = plane.shape
        if self._buffer is None or self._buffer.shape != (height, width):
            self._buffer = np.empty((height, width), np.uint32)
        # clrender.julia keeps its session: the next plane, of any JuliaDiv, pays no device
        # set-up or kernel build
        return julia(size=(width, height), region=region, c=self.c_0, threshold=self.threshold,
                     iter=(self.itermin, self.itermax), precision="double", out=self._buffer)

    def over(self, plane: np.ndarray) -> np.ndarray:
        """(max(count, itermin) − itermin) / (itermax − itermin) at every point (float64)."""
        with self._lock:  # the buffer stays this call's until the values are out
            return self._values(self._counts(plane))
