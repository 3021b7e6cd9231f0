#!/usr/bin/env bash
# render_checks.sh CHECK CLRENDER SOURCE_DIR
#
# End-to-end checks of the clrender CLI on the PoCL CPU device; each CHECK is
# one ctest entry. Python checks use Debian's /usr/bin/python3 (numpy, numba,
# PIL come from python3-numpy, python3-numba, python3-pil).
set -euo pipefail
check=$1 clrender=$2 src=$3
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export CLRENDER_DEVICE=cpu

fail() { echo "FAIL: $*" >&2; exit 1; }

# The blog-zoom framing at a size a test can afford.
zoom=(--region=-0.1,0.1,-0.1,0.1 --iter=20:100 --size=400x300)

case "$check" in
verify-double)
    out=$("$clrender" julia "${zoom[@]}" --verify -o v.npy)
    echo "$out"
    grep -Eq '^verify: 120000 pixels compared, 0 differing' <<<"$out" || fail "expected exact agreement"
    ;;
verify-float)
    out=$("$clrender" julia --precision float --verify -o v.png)
    echo "$out"
    grep -Eq '^verify: 625000 pixels compared, 0 differing' <<<"$out" || fail "expected exact agreement"
    ;;
formats)
    "$clrender" julia --size 64x48 -o a.png
    "$clrender" julia --size 64x48 -o a.pgm
    "$clrender" julia --size 64x48 -o a.npy
    "$clrender" julia --size 64x48 --c 0,0 --iter 0:70000 -o wide.npy
    [ "$(head -c 8 a.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "not a PNG"
    [ "$(head -c 9 a.pgm)" = "P5
64 48" ] || fail "bad PGM header"
    [ "$(stat -c %s a.pgm)" -eq $((13 + 64 * 48)) ] || fail "PGM size"
    "$python" - <<'PY'
import numpy as np
from PIL import Image
a = np.load("a.npy"); w = np.load("wide.npy")
assert a.dtype == np.uint16 and a.shape == (48, 64), (a.dtype, a.shape)
assert w.dtype == np.uint32 and w.shape == (48, 64), (w.dtype, w.shape)
assert a.max() == 80 and a.min() < 80, (a.min(), a.max())
assert w.max() == 70000, w.max()
png = np.asarray(Image.open("a.png"))
pgm = np.frombuffer(open("a.pgm", "rb").read()[-64 * 48:], np.uint8).reshape(48, 64)
gray = (255 * a.astype(np.int64) // 80).astype(np.uint8)
assert png.shape == (48, 64) and (png == gray).all() and (pgm == gray).all()
print("formats ok")
PY
    ;;
reference-matches-device)
    "$clrender" julia "${zoom[@]}" -o device.npy
    "$clrender" julia "${zoom[@]}" --backend reference -o reference.npy
    cmp device.npy reference.npy
    ;;
numba-blog-zoom)
    "$clrender" julia "${zoom[@]}" -o z.npy
    "$clrender" julia "${zoom[@]}" -o z.png
    "$python" "$src/tools/julia_numba.py" "${zoom[@]}" --compare z.npy --compare-png z.png
    ;;
numba-blog-overview)
    "$clrender" julia --preset blog-overview -o o.npy
    "$clrender" julia --preset blog-overview -o o.png
    "$python" "$src/tools/julia_numba.py" --preset blog-overview --compare o.npy --compare-png o.png
    ;;
preset-override)
    "$clrender" julia --size 40x30 --preset blog-zoom -o p.npy
    "$clrender" julia --region -0.1,0.1,-0.1,0.1 --iter 20:100 --size 40x30 -o q.npy
    cmp p.npy q.npy
    ;;
wrong-kernel-fails-verify)
    # A kernel with one sign flipped must be caught by --verify (exit 3).
    mkdir kernels
    sed 's/+ c_re;/- c_re;/' "$src/kernels/julia.cl" > kernels/julia.cl
    ! cmp -s kernels/julia.cl "$src/kernels/julia.cl" || fail "the sed did not change the kernel"
    set +e
    CLRENDER_KERNEL_DIR=$PWD/kernels "$clrender" julia --size 100x80 --verify -o w.png 2> err.txt
    status=$?
    CLRENDER_KERNEL_DIR=$PWD/kernels "$clrender" julia --size 100x80 --verify --tolerance 1 -o t.png
    tolerant=$?
    set -e
    cat err.txt
    [ "$status" -eq 3 ] || fail "verify exited $status, expected 3"
    grep -q 'verify failed' err.txt || fail "no verify failure message"
    [ "$tolerant" -eq 0 ] || fail "--tolerance 1 should accept any difference, got $tolerant"
    ;;
broken-kernel-build-log)
    mkdir kernels
    printf '__kernel void julia(__global uint *out) { this is not C; }\n' > kernels/julia.cl
    set +e
    CLRENDER_KERNEL_DIR=$PWD/kernels "$clrender" julia --size 10x10 -o b.png 2> err.txt
    status=$?
    set -e
    cat err.txt
    [ "$status" -eq 1 ] || fail "exit $status, expected 1"
    grep -q 'build log' err.txt || fail "no build log"
    grep -q 'error' err.txt || fail "the build log does not show the compiler's error"
    [ ! -e b.png ] || fail "a file was written"
    ;;
devices)
    "$clrender" devices | tee list.txt
    grep -Eq '^0:0  CPU ' list.txt || fail "no CPU device at 0:0"
    grep -q 'fp64 yes' list.txt || fail "PoCL should report fp64"
    "$clrender" devices --json | "$python" -c '
import json, sys
devices = json.load(sys.stdin)
assert devices and devices[0]["index"] == "0:0" and devices[0]["type"] == "CPU", devices
print("json ok:", devices[0]["name"])'
    ;;
device-specs)
    name=$("$clrender" devices --json | "$python" -c 'import json,sys; print(json.load(sys.stdin)[0]["name"])')
    part=$(tr 'a-z' 'A-Z' <<<"${name:2:5}")
    for spec in cpu CPU 0:0 0 "$part"; do
        "$clrender" julia --size 8x8 --device "$spec" -o "d.png" 2> err.txt
        grep -q "rendering on 0:0 CPU" err.txt || fail "--device $spec did not pick 0:0"
    done
    CLRENDER_DEVICE=0 "$clrender" julia --size 8x8 -o e.png 2> err.txt
    grep -q "rendering on 0:0" err.txt || fail "CLRENDER_DEVICE was ignored"
    ;;
help)
    "$clrender" --help | grep -q 'julia'
    "$clrender" julia --help | grep -q -- '--preset'
    "$clrender" devices --help | grep -q -- '--json'
    "$clrender" --version | grep -Eq '^clrender [0-9]+\.[0-9]+'
    "$clrender" julia --version | grep -Eq '^clrender [0-9]+\.[0-9]+'
    ;;
*)
    fail "unknown check $check"
    ;;
esac
echo "ok: $check"
