"""The package's arrays are the command line's files, value for value; sessions are reused;
threads render at once."""
import threading
import time

import numpy as np
import pytest

import clrender


def cli_npy(cli, tmp_path, renderer, *args):
    out = tmp_path / f"{renderer}.npy"
    cli(renderer, *args, "-o", out)
    return np.load(out)


def test_julia_equals_the_cli(cli, tmp_path):
    counts = clrender.julia(c=-0.4 + 0.6j, region=(-1.5, 1.5, -1, 1), size=(301, 207),
                            iter=(0, 300))
    assert counts.dtype == np.uint32 and counts.shape == (207, 301)
    theirs = cli_npy(cli, tmp_path, "julia", "--c", "-0.4,0.6", "--region", "-1.5,1.5,-1,1",
                     "--size", "301x207", "--iter", "0:300")
    assert np.array_equal(counts, theirs)
    assert counts.max() > 100  # a picture, not a blank


def test_julia_float_and_preset_equal_the_cli(cli, tmp_path):
    counts = clrender.julia(preset="blog-overview", precision="float")
    theirs = cli_npy(cli, tmp_path, "julia", "--preset", "blog-overview", "--precision", "float")
    assert counts.shape == (625, 1000) and np.array_equal(counts, theirs)


def test_mandelbrot_equals_the_cli(cli, tmp_path):
    counts = clrender.mandelbrot(center=(-0.75, 0.1), width=2.5, size=(120, 75), iter=(0, 200))
    theirs = cli_npy(cli, tmp_path, "mandelbrot", "--center", "-0.75,0.1", "--width", "2.5",
                     "--size", "120x75", "--iter", "0:200")
    assert counts.dtype == np.uint32 and np.array_equal(counts, theirs)
    assert (counts == 200).any() and (counts < 5).any()


def test_sphere_equals_the_cli(cli, tmp_path):
    rgb = clrender.sphere(size=(160, 90), spp=2)
    assert rgb.dtype == np.uint8 and rgb.shape == (90, 160, 3)
    theirs = cli_npy(cli, tmp_path, "sphere", "--size", "160x90", "--spp", "2")
    assert np.array_equal(rgb, theirs.reshape(rgb.shape))
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 100


def test_xray_equals_the_cli_one_angle_and_a_stack(cli, tmp_path):
    one = clrender.xray(voxels=48, detector=(70, 50), pitch=1.5)
    assert one.dtype == np.float32 and one.shape == (50, 70)
    assert np.array_equal(one, cli_npy(cli, tmp_path, "xray", "--voxels", "48", "--detector",
                                       "70,50", "--pitch", "1.5"))
    stack = clrender.xray(voxels=48, detector=(70, 50), pitch=1.5, angles=3, arc=90)
    assert stack.shape == (3, 50, 70)
    assert np.array_equal(stack[0], one)


def test_xray_takes_a_volume_array_as_the_cli_takes_its_file(cli, tmp_path):
    rng = np.random.default_rng(7)
    volume = rng.random((20, 24, 28)) * 0.01  # float64, (NZ, NY, NX)
    np.save(tmp_path / "v.npy", volume.astype(np.float32))
    options = dict(detector=(40, 30), pitch=1.2, voxel_size=(1.0, 1.1, 0.9))
    ours = clrender.xray(volume=volume, **options)
    theirs = cli_npy(cli, tmp_path, "xray", "--volume", tmp_path / "v.npy", "--detector",
                     "40,30", "--pitch", "1.2", "--voxel-size", "1,1.1,0.9")
    assert np.array_equal(ours, theirs)
    # Fortran order, another dtype, a view: converted, the same projection
    assert np.array_equal(clrender.xray(volume=np.asfortranarray(volume), **options), ours)
    assert np.array_equal(clrender.xray(volume=volume.astype(np.float32), **options), ours)
    assert ours.max() > 0


def test_out_is_filled_in_place():
    with clrender.Session("julia", size=(64, 48)) as s:
        shape, dtype = s.layout()
        out = np.zeros(shape, dtype)
        got = s.render(out=out)
        assert got is out and out.any()
        with pytest.raises(clrender.UsageError):
            s.render(out=np.zeros((48, 63), np.uint32))
        with pytest.raises(clrender.UsageError):
            s.render(out=np.zeros((48, 128), np.uint32)[:, ::2])


def test_a_session_builds_once_and_renders_changes():
    with clrender.Session("julia", size=(120, 80)) as s:
        first = s.render(c=(-0.8, 0.156))
        build = s.timings["build"]
        second = s.render(c=(-0.7, 0.27))
        assert s.timings["build"] == build  # the kernel was not built again
        assert s.parameters["c"] == (-0.7, 0.27)
        assert not np.array_equal(first, second)
        assert np.array_equal(second, clrender.julia(size=(120, 80), c=(-0.7, 0.27)))
        assert np.array_equal(s.render(c=(-0.8, 0.156)), first)
        assert s.devices and s.devices[0].type == "CPU"


def test_a_second_session_loads_the_kernel_the_first_built(tmp_path, monkeypatch):
    monkeypatch.setenv("CLRENDER_CACHE_DIR", str(tmp_path / "cache"))
    renders = []
    for expected in ((0, 1), (1, 0)):  # (from the cache, built)
        with clrender.Session("sphere", preset="pyo3") as s:
            renders.append(s.render())
            t = s.timings
            assert (t["programs_cached"], t["programs_built"]) == expected
    assert np.array_equal(renders[0], renders[1])
    assert len(list((tmp_path / "cache").iterdir())) == 1
    monkeypatch.setenv("CLRENDER_NO_CACHE", "1")
    with clrender.Session("sphere", preset="pyo3") as s:
        s.render()
        assert (s.timings["programs_cached"], s.timings["programs_built"]) == (0, 1)


def test_false_turns_a_parameter_back_to_its_default():
    with clrender.Session("julia", size=(40, 30), iter=(0, 5)) as s:
        few = s.render()
        s.set(iter=None)
        assert s.render().max() > few.max()
        assert s.parameters == {"size": (40, 30)}


def test_verify_compares_with_the_reference():
    with clrender.Session("xray", voxels=24, detector=(20, 16)) as s:
        s.render(verify=True)
        v = s.last_verification
        assert v.passed and v.compared == 320 and v.largest_difference < 1e-5
    with clrender.Session("julia", size=(50, 30)) as s:
        s.render(verify=True)
        assert s.last_verification.differing == 0


def test_sessions_render_in_threads_at_once():
    cs = [(-0.8, 0.156), (-0.7, 0.27), (0.285, 0.01), (-0.4, 0.6)]
    serial = [clrender.julia(size=(200, 120), c=c) for c in cs]
    results = [None] * len(cs)

    def work(i):
        with clrender.Session("julia", size=(200, 120)) as s:
            for _ in range(3):
                results[i] = s.render(c=cs[i])
    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(cs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for ours, theirs in zip(results, serial):
        assert np.array_equal(ours, theirs)


def test_one_session_shared_by_threads_renders_each_request_whole():
    with clrender.Session("julia", size=(90, 60)) as s:
        expected = {c: clrender.julia(size=(90, 60), c=c) for c in [(-0.8, 0.156), (-0.4, 0.6)]}
        failures = []

        def work(c):
            for _ in range(5):
                if not np.array_equal(s.render(c=c), expected[c]):
                    failures.append(c)
        threads = [threading.Thread(target=work, args=(c,)) for c in expected]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []


def test_the_gil_is_released_while_the_device_works():
    with clrender.Session("julia", preset="blog-zoom") as s:
        s.prepare()
        done = threading.Event()
        spins = [0]

        def render():
            s.render()
            done.set()
        t = threading.Thread(target=render)
        start = time.perf_counter()
        t.start()
        while not done.is_set():
            spins[0] += 1
        t.join()
        elapsed = time.perf_counter() - start
    # The render takes ~0.1 s; holding the GIL would leave this thread a handful of turns
    # (the interpreter switches every 5 ms), not thousands.
    assert elapsed > 0.02 and spins[0] > 10000, (elapsed, spins[0])


def test_devices_and_renderers():
    found = clrender.devices()
    assert found and all(d.spec.count(":") == 1 for d in found)
    assert any(d.type == "CPU" for d in found)
    assert clrender.renderers() == ["julia", "mandelbrot", "sphere", "xray"]
    assert "mu_scale" in clrender.parameters("xray")
