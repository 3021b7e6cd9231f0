"""Bad arguments raise clrender.Error subclasses with the engine's message; nothing crashes."""
import numpy as np
import pytest

import clrender


@pytest.mark.parametrize("call, kind, words", [
    (lambda: clrender.julia(bogus=1), clrender.UsageError, "no parameter 'bogus'"),
    (lambda: clrender.julia(size=(0, 10)), clrender.UsageError, "size"),
    (lambda: clrender.julia(size="huge"), clrender.UsageError, "size"),
    (lambda: clrender.julia(c="abc"), clrender.UsageError, "c"),
    (lambda: clrender.julia(c=(float("nan"), 0)), clrender.UsageError, "finite"),
    (lambda: clrender.julia(iter=(10, 5)), clrender.UsageError, "iter"),
    (lambda: clrender.julia(threshold=True), clrender.UsageError, "threshold"),
    (lambda: clrender.julia(precision="quad"), clrender.UsageError, "precision"),
    (lambda: clrender.julia(device="no-such-device"), clrender.DeviceError, "no-such-device"),
    (lambda: clrender.julia(backend="gpu-please"), clrender.UsageError, "backend"),
    (lambda: clrender.sphere(scene="/nonexistent/scene.json"), clrender.FileError, "scene"),
    (lambda: clrender.xray(volume="/nonexistent/v.npy"), clrender.FileError, "volume"),
    (lambda: clrender.xray(volume=np.zeros((4, 4))), clrender.UsageError, "3 dimensions"),
    (lambda: clrender.xray(volume=np.zeros((4, 4, 4), complex)), clrender.UsageError, "real"),
    (lambda: clrender.xray(volume=np.full((4, 4, 4), np.nan)), clrender.UsageError, "finite"),
    (lambda: clrender.xray(detector=(0, 5)), clrender.UsageError, "detector"),
    (lambda: clrender.Session("teapot"), clrender.UsageError, "unknown renderer"),
])
def test_bad_arguments_raise(call, kind, words):
    with pytest.raises(kind) as caught:
        call()
    assert isinstance(caught.value, clrender.Error)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_errors_fit_pythons_own_kinds():
    assert issubclass(clrender.UsageError, ValueError)
    assert issubclass(clrender.FileError, OSError)
    assert issubclass(clrender.DeviceError, RuntimeError)
    with pytest.raises(ValueError):
        clrender.julia(size=(0, 0))


def test_a_closed_session_refuses_to_render():
    s = clrender.Session("julia", size=(8, 8))
    s.close()
    with pytest.raises(clrender.UsageError, match="closed"):
        s.render()
    s.close()  # twice is harmless


def test_a_failed_call_leaves_the_session_usable():
    with clrender.Session("julia", size=(30, 20)) as s:
        good = s.render()
        with pytest.raises(clrender.UsageError):
            s.render(region=(1, -1, 0, 1))
        with pytest.raises(clrender.UsageError):
            s.set(c="x,y")
        s.set(region=(-1.6, 1.6, -1, 1))
        assert np.array_equal(s.render(), good)
