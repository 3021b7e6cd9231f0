"""Session.render_many over the ranks of an MPI job (mpi4py), run by ctest as
`mpirun -np 3 python3 -m mpi4py mpi_render_many.py` (docs/CLUSTER.md): the frames of a Julia
animation and the angles of an X-ray scan, spread over the ranks and gathered to rank 0, are
the arrays one process renders; a render that fails on one rank raises on every rank, naming
it. With on_render, each rank writes the frames it rendered (every one exactly once, each the
single process's), and an on_render that raises on one rank fails every rank, naming it. Not
a pytest file: every rank runs it, and rank 0 says what it checked."""
import os
import pathlib
import shutil
import sys
import tempfile
import time

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


# ---- on_render: each rank writes the frames it rendered; nothing is gathered

frames = [{"c": (-0.8 + 0.01 * k, 0.156)} for k in range(24)]
size = (160, 100)
folder = comm.bcast(tempfile.mkdtemp(prefix="clrender-on-render-") if rank == 0 else None)


def write_frame(session, index, counts):
    # Verified before it is handed over: this render's comparison, every pixel alike.
    v = session.last_verification
    assert v.compared == size[0] * size[1] and v.differing == 0, f"frame {index}: {v}"
    np.save(os.path.join(folder, f"{index:03d}.npy"), counts)
    written.append(index)
    if rank == 0:
        time.sleep(0.01)  # so that the other ranks surely get frames: the test is of a spread


written = []
with clrender.Session("julia", size=size) as s:
    s.prepare()
    comm.Barrier()  # all ranks ready: every rank asks from the start
    mine = s.render_many(frames, comm=comm, verify=True,
                         on_render=lambda i, a: write_frame(s, i, a))
    assert mine == written, f"rank {rank} returned {mine}, wrote {written}"
    by_rank = comm.gather(mine)
    if rank == 0:
        every = sorted(i for indices in by_rank for i in indices)
        assert every == list(range(len(frames))), f"indices rendered, by rank: {by_rank}"
        assert sum(1 for indices in by_rank if indices) >= 2, f"not spread: {by_rank}"
        assert sorted(os.listdir(folder)) == [f"{k:03d}.npy" for k in range(len(frames))]
        for k, array in enumerate(s.render_many(frames)):
            on_disk = np.load(os.path.join(folder, f"{k:03d}.npy"))
            assert on_disk.dtype == array.dtype and np.array_equal(on_disk, array), \
                f"frame {k} written differs from one process's"
        print(f"on_render: {len(frames)} frames written by ranks "
              f"{[len(indices) for indices in by_rank]}, each once, as one process")
comm.Barrier()
if rank == 0:
    shutil.rmtree(folder)

# An on_render that raises (on the root, then on another rank) fails the render on every rank,
# naming the rank, its host and the index, and stops the hand-out.
for failing_rank in (0, 2):
    called = []

    def refuse_on_one_rank(index, counts):
        called.append(index)
        if rank == failing_rank:
            raise OSError(f"disk full at frame {index}")

    with clrender.Session("julia", size=(64, 40)) as s:
        s.prepare()
        comm.Barrier()
        try:
            s.render_many(frames, comm=comm, on_render=refuse_on_one_rank)
        except clrender.Error as e:
            message = str(e)
            failed_here = rank == failing_rank
            assert message.startswith(f"rank {failing_rank} ("), f"names the wrong rank: {e}"
            index = called[-1] if failed_here else None
            index = comm.bcast(index, root=failing_rank)
            assert f"on_render({index}) raised OSError: disk full at frame {index}" in message, e
            assert isinstance(e.__cause__, OSError) == failed_here, "chained where it was raised"
        else:
            raise AssertionError(f"rank {rank}: render_many did not raise")
        calls = comm.gather(len(called))
        if rank == 0:
            assert sum(calls) < len(frames), f"the hand-out went on: {calls} of {len(frames)}"
            print(f"on_render raising on rank {failing_rank} raised on every rank: {message}")
comm.Barrier()
