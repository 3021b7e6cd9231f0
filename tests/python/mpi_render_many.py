"""Session.render_many over the ranks of an MPI job (mpi4py), run by ctest as
`mpirun -np 3 python3 mpi_render_many.py` (docs/CLUSTER.md): the frames of a Julia animation
and the angles of an X-ray scan, spread over the ranks and gathered to rank 0, are the arrays
one process renders; a render that fails on one rank raises on every rank, naming it. Not a
pytest file: every rank runs it, and rank 0 says what it checked."""
import os
import pathlib
import sys

import numpy as np
from mpi4py import MPI

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "python"))
os.environ.setdefault("CLRENDER_DEVICE", "cpu")
import clrender  # noqa: E402

comm = MPI.COMM_WORLD
rank = comm.Get_rank()


def check(renderer, items, **params):
    with clrender.Session(renderer, **params) as s:
        spread = s.render_many(items, comm=comm)
        if rank != 0:
            assert spread is None, "only rank 0 gets the arrays"
            return
        alone = s.render_many(items)  # here, one after another
        assert len(spread) == len(items)
        for k, (a, b) in enumerate(zip(spread, alone)):
            assert a.dtype == b.dtype and np.array_equal(a, b), f"{renderer} render {k} differs"
        print(f"{renderer}: {len(items)} renders over {comm.Get_size()} ranks, as one process")


check("julia", [{"c": (-0.8 + 0.01 * k, 0.156)} for k in range(7)], size=(160, 100))
check("xray", [{"first_angle": 15.0 * k} for k in range(5)], detector=(48, 32), voxels=32)

# One render the renderer refuses (--iter 50:10) fails the whole job on every rank.
items = [{"iter": (10, 50)}] * 4 + [{"iter": (50, 10)}] + [{"iter": (10, 50)}] * 2
with clrender.Session("julia", size=(64, 40)) as s:
    try:
        s.render_many(items, comm=comm)
    except clrender.UsageError as e:
        assert str(e).startswith("rank "), f"the failure does not name its rank: {e}"
        if rank == 0:
            print(f"a failing render raised on every rank: {e}")
    else:
        raise AssertionError("render_many did not raise")
comm.Barrier()
