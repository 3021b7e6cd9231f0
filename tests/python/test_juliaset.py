"""The drop-in for the Julia blog's module gives the blog's numbers."""
import numpy as np
import pytest

from clrender.juliaset import ComplexRegion, JuliaDiv


def blog_plane(xleft, xright, yleft, yright, resolution):
    """The blog's sampling, written out: linspace on both axes, row 0 at the top."""
    height = int(round(resolution * (yright - yleft) / (xright - xleft)))
    xs = np.linspace(xleft, xright, resolution)
    ys = np.linspace(yleft, yright, height)
    return xs[np.newaxis, :] + 1j * ys[::-1, np.newaxis]


def blog_values(plane, c, threshold, itermin, itermax):
    """The blog's rules with numpy: the count is the iteration (from 0) at which |z|^2
    reaches threshold^2, itermax when never; the value (max(n, itermin) - itermin) /
    (itermax - itermin)."""
    z = plane.copy()
    n = np.full(plane.shape, itermax)
    alive = np.ones(plane.shape, bool)
    for k in range(itermax):
        z = np.where(alive, z * z + c, z)
        out = alive & (z.real ** 2 + z.imag ** 2 >= threshold ** 2)
        n[out] = k
        alive &= ~out
    return (np.maximum(n, itermin) - itermin) / (itermax - itermin)


def test_the_plane_is_the_blogs_grid():
    plane = ComplexRegion(-1.6, 1.6, -1.0, 1.0).build(1000)
    assert plane.shape == (625, 1000) and plane.dtype == np.complex128
    assert np.array_equal(plane, blog_plane(-1.6, 1.6, -1.0, 1.0, 1000))
    assert plane[0, 0] == -1.6 + 1.0j and plane[-1, -1] == 1.6 - 1.0j
    with pytest.raises(ValueError):
        plane[0, 0] = 0  # read-only: what it remembers stays true


@pytest.mark.parametrize("region, resolution, c, threshold, iters", [
    ((-1.6, 1.6, -1.0, 1.0), 160, -0.835 - 0.2321j, 2.0, (0, 80)),
    ((-0.1, 0.1, -0.1, 0.1), 120, -0.835 - 0.2321j, 2.0, (20, 100)),
    ((-2.0, 1.0, -1.2, 1.3), 97, 0.285 + 0.01j, 3.5, (5, 60)),
])
def test_over_equals_the_blogs_rules(region, resolution, c, threshold, iters):
    plane = ComplexRegion(*region).build(resolution)
    values = JuliaDiv(c, threshold, iters, resolution).over(plane)
    expected = blog_values(blog_plane(*region, resolution), c, threshold, *iters)
    assert values.dtype == np.float64
    assert np.array_equal(values, expected)
    assert 0 < values.mean() < 1


def test_any_array_gets_the_blogs_answer():
    region = (-1.6, 1.6, -1.0, 1.0)
    div = JuliaDiv(-0.835 - 0.2321j, 2.0, (0, 80))
    grid = blog_plane(*region, 64)  # a plain array that is the grid: rendered by the kernel
    assert np.array_equal(div.over(grid), blog_values(grid, div.c_0, 2.0, 0, 80))
    odd = grid * (1 + 0.01j) + 0.001  # no longer a grid: iterated with numpy
    assert np.array_equal(div.over(odd), blog_values(odd, div.c_0, 2.0, 0, 80))
    part = ComplexRegion(*region).build(64)[5:20, 3:40]  # a slice forgets its region
    assert np.array_equal(div.over(part), blog_values(grid[5:20, 3:40], div.c_0, 2.0, 0, 80))


def test_counts_equal_the_blogs_numba_program():
    julia_numba = pytest.importorskip("julia_numba")  # tools/, on the path by conftest
    xs, ys = np.linspace(-1.6, 1.6, 200), np.linspace(-1.0, 1.0, 125)
    theirs = np.flipud(julia_numba.julia_counts(xs, ys, -0.835 - 0.2321j, 2.0, 80))
    plane = ComplexRegion(-1.6, 1.6, -1.0, 1.0).build(200)
    assert np.array_equal(JuliaDiv(-0.835 - 0.2321j, 2.0, (0, 80)).counts(plane), theirs)


@pytest.mark.parametrize("make", [
    lambda: ComplexRegion(1, -1, 0, 1),
    lambda: ComplexRegion(-1, 1, -1, 1).build(0),
    lambda: JuliaDiv(0.3, 2.0, (10, 5)),
    lambda: JuliaDiv(0.3, -1.0, (0, 5)),
])
def test_bad_arguments_are_value_errors(make):
    with pytest.raises(ValueError):
        make()


def test_the_same_script_with_the_blogs_numba_module_gives_the_same_values():
    julia_numba = pytest.importorskip("julia_numba")
    results = []
    for module in (julia_numba, __import__("clrender.juliaset", fromlist=["JuliaDiv"])):
        plane = module.ComplexRegion(-1.6, 1.6, -1.0, 1.0).build(180)
        results.append(module.JuliaDiv(-0.835 - 0.2321j, 2.0, (0, 80), 180).over(plane))
    assert results[0].shape == (112, 180)
    assert np.array_equal(results[0], results[1])
