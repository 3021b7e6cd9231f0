"""Session.render_many in one process (no comm): the arrays in order, or with on_render each
array handed over as it is rendered, the indices returned, a failure stopping the rest.
Over the ranks of an MPI job it is mpi_render_many.py, run by ctest under mpirun."""
import numpy as np
import pytest

import clrender

FRAMES = [{"c": (-0.8 + 0.02 * k, 0.156)} for k in range(5)]


def test_render_many_returns_the_arrays_in_order():
    with clrender.Session("julia", size=(48, 30)) as s:
        arrays = s.render_many(FRAMES)
        assert len(arrays) == len(FRAMES)
        for array, changes in zip(arrays, FRAMES):
            assert np.array_equal(array, s.render(**changes))
        assert not np.array_equal(arrays[0], arrays[-1])  # the changes did change something


def test_on_render_gets_every_render_in_order_and_render_many_returns_the_indices():
    with clrender.Session("julia", size=(48, 30)) as s:
        expected = s.render_many(FRAMES)
        handed = []
        returned = s.render_many(FRAMES, on_render=lambda i, a: handed.append((i, a)))
        assert returned == [0, 1, 2, 3, 4]
        assert [i for i, _ in handed] == [0, 1, 2, 3, 4]
        # Each array is its own (kept arrays stay right), not a buffer refilled by the next.
        for (_, array), want in zip(handed, expected):
            assert array.dtype == want.dtype and np.array_equal(array, want)
        assert s.render_many([], on_render=lambda i, a: handed.append(i)) == []
        assert len(handed) == 5


class Refused(Exception):
    pass


def test_an_exception_in_on_render_propagates_and_no_later_render_runs():
    with clrender.Session("julia", size=(48, 30)) as s:
        s.render()
        s.reset_timings()
        s.render()
        launches_of_one = s.timings["launches"]
        s.reset_timings()
        called = []

        def refuse_the_third(index, array):
            called.append(index)
            if index == 2:
                raise Refused(f"frame {index}")

        with pytest.raises(Refused, match="frame 2"):
            s.render_many(FRAMES, on_render=refuse_the_third)
        assert called == [0, 1, 2]
        assert s.timings["launches"] == 3 * launches_of_one


def test_verify_runs_for_each_render_before_on_render_sees_it():
    with clrender.Session("julia", size=(48, 30)) as s:
        seen = []

        def check(index, array):
            seen.append((index, s.last_verification))

        assert s.render_many(FRAMES[:3], verify=True, on_render=check) == [0, 1, 2]
        assert [(i, v.compared, v.differing) for i, v in seen] == [(0, 1440, 0), (1, 1440, 0),
                                                                     (2, 1440, 0)]
        assert len({id(v) for _, v in seen}) == 3  # a comparison per render (all kept alive)
        # A tolerance below zero no render meets: the first fails, and on_render never sees it.
        seen.clear()
        with pytest.raises(clrender.VerifyError):
            s.render_many(FRAMES, verify=True, tolerance=-1, on_render=check)
        assert seen == []
