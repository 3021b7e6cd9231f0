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

# Whether two image files hold the same pixels. PNG files also record the command that made
# them (clrender info), which differs between the runs compared: their pixels are compared.
same_image() {
    if [[ $1 == *.png ]]; then
        "$python" -c "
import sys, numpy as np
from PIL import Image
a, b = (Image.open(p) for p in sys.argv[1:])
sys.exit(0 if a.mode == b.mode and np.array_equal(np.asarray(a), np.asarray(b)) else 1)" "$1" "$2"
    else
        cmp -s "$1" "$2"
    fi
}

# The blog-zoom framing at a size a test can afford.
zoom=(--region=-0.1,0.1,-0.1,0.1 --iter=20:100 --size=400x300)

case "$check" in
verify-double)
    # Both kernels, at a width that is no multiple of the SIMD kernel's lanes.
    for kernel in per-pixel simd; do
        out=$("$clrender" julia "${zoom[@]}" --size 401x300 --kernel $kernel --verify -o v.npy)
        echo "$kernel: $out"
        grep -Eq '^verify: 120300 pixels compared, 0 differing' <<<"$out" || fail "$kernel differs"
    done
    ;;
verify-float)
    for kernel in per-pixel simd; do
        out=$("$clrender" julia --precision float --size 1001x625 --kernel $kernel --verify -o v.png)
        echo "$kernel: $out"
        grep -Eq '^verify: 625625 pixels compared, 0 differing' <<<"$out" || fail "$kernel differs"
    done
    ;;
simd-matches-per-pixel)
    # Counts above 65535 travel through the SIMD kernel's mask type intact, in both precisions.
    for precision in double float; do
        "$clrender" julia --size 67x9 --c 0,0 --iter 0:70000 --precision $precision \
            --kernel per-pixel -o p.npy
        "$clrender" julia --size 67x9 --c 0,0 --iter 0:70000 --precision $precision \
            --kernel simd -o s.npy
        cmp p.npy s.npy || fail "$precision: the kernels disagree"
    done
    # The SIMD loop takes four steps between its exit tests: every MAX must still stop exactly.
    for max in 1 2 3 4 5 6 9; do
        "$clrender" julia --size 77x13 --iter $max --kernel per-pixel -o p.npy
        "$clrender" julia --size 77x13 --iter $max --kernel simd -o s.npy
        cmp p.npy s.npy || fail "--iter $max: the kernels disagree"
    done
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
bands-change-nothing)
    # The image is the same bit for bit whatever the band size, on both kernels and the reference.
    for args in "julia --size 403x301" "julia --size 403x301 --kernel per-pixel" \
        "julia --size 403x301 --precision float" "sphere --size 203x101 --spp 2" \
        "sphere --size 203x101 --kernel per-pixel --spp 1" "sphere --preset pyo3 --size 203x101"; do
        $clrender $args -o whole.npy
        for rows in 1 4 12 64; do
            $clrender $args --tile-rows $rows --verify -o band.npy > verify.txt
            cmp whole.npy band.npy || fail "$args: --tile-rows $rows changed the image"
            grep -q ' 0 differing' verify.txt || fail "$args: --tile-rows $rows failed --verify"
        done
        $clrender $args --backend reference --tile-rows 12 -o ref.npy
        [ "${args#*per-pixel}" != "$args" ] || [ "${args#julia}" = "$args" ] || cmp whole.npy ref.npy ||
            fail "$args: the banded reference differs"
    done
    for format in pgm png; do
        "$clrender" julia --size 403x301 -o whole.$format
        "$clrender" julia --size 403x301 --tile-rows 8 -o band.$format
        same_image whole.$format band.$format || fail ".$format: bands changed the file"
    done
    ;;
bounded-memory)
    # 24 M pixels streamed to .pgm in bands of 256 rows: the memory on top of what a tiny render
    # needs (the OpenCL runtime's own) stays a few bands' worth (12 MB here, 40 MB under
    # AddressSanitizer, whose quarantine keeps freed bands), far below the 210 MB that one band
    # of the whole image takes.
    /usr/bin/time -f '%M' -o tiny.txt "$clrender" julia --size 8x8 -o tiny.pgm
    /usr/bin/time -f '%M' -o rss.txt "$clrender" julia --size 6000x4000 --iter 0:20 \
        --tile-rows 256 -o big.pgm
    extra_kb=$(($(tail -n 1 rss.txt) - $(tail -n 1 tiny.txt)))
    echo "peak resident memory above a tiny render's: $extra_kb kB"
    [ "$extra_kb" -lt 64000 ] || fail "$extra_kb kB more than a tiny render: not bounded by bands"
    [ "$(stat -c %s big.pgm)" -eq $((6000 * 4000 + 17)) ] || fail "big.pgm has the wrong size"
    "$clrender" julia --size 6000x4000 --iter 0:20 --tile-rows 4000 -o whole.pgm
    cmp big.pgm whole.pgm || fail "the streamed file differs from the one-band file"
    ;;
device-faults)
    # A device that allocates little gets more bands; launches that run out of resources are
    # retried with fewer rows; neither changes a bit of the image.
    "$clrender" julia --size 403x301 -o whole.npy
    # 64 KiB hold 40 rows of 403 counts: at least ceil(301 / 40) = 8 bands.
    CLRENDER_TEST_MAX_ALLOC=65536 "$clrender" julia --size 403x301 --progress -o small.npy \
        2> err.txt
    bands=$(tr '\r' '\n' < err.txt | grep -o 'band [0-9]*/[0-9]*' | tail -n 1 | cut -d/ -f2)
    [ "${bands:-0}" -ge 8 ] || fail "a 64 KiB allocation limit gave ${bands:-no} bands, not 8 or more"
    cmp whole.npy small.npy || fail "the allocation limit changed the image"
    # The first launches run short (the probe band too, which cannot be split): retried, and
    # the retried band does not keep the later ones small.
    CLRENDER_TEST_FAIL_LAUNCHES=3 "$clrender" sphere --size 203x101 --verify --timings \
        -o retried.npy 2> timings.txt
    "$clrender" sphere --size 203x101 -o sphere.npy
    cmp sphere.npy retried.npy || fail "retried launches changed the image"
    launches=$(sed -n 's/^launches: \([0-9]*\) in \([0-9]*\) bands.*/\1 \2/p' timings.txt)
    read -r launched delivered <<<"$launches"
    [ "$launched" -ge 4 ] || fail "expected the 3 failed launches to be retried: $launches"
    [ "$delivered" -lt 20 ] || fail "after the retries, $delivered bands for 101 rows"
    ;;
progress-and-quiet)
    "$clrender" julia --size 200x100 --progress --tile-rows 20 -o p.png 2> err.txt
    grep -q '100%' err.txt || fail "--progress printed no bar"
    grep -q 'band 5/5' err.txt || fail "--progress does not count bands"
    "$clrender" julia --size 200x100 --quiet -o q.png 2> quiet.txt
    [ ! -s quiet.txt ] || fail "--quiet printed: $(cat quiet.txt)"
    ;;
png-compression)
    # Every level stores the same pixels; best is no larger than default (the same row filter),
    # default no larger than fast on escape-time pictures, gray or in a palette (a smooth
    # gradient such as the small sphere's favours fast's "sub" filter: not asserted).
    for level in fast default best; do
        "$clrender" julia "${zoom[@]}" --compression $level -o $level.png
        "$clrender" julia "${zoom[@]}" --color palette:fire --compression $level -o palette-$level.png
        "$clrender" sphere --size 160x90 --compression $level -o sphere-$level.png
    done
    "$clrender" julia "${zoom[@]}" -o same.pgm
    "$python" - <<'PY'
import os
import numpy as np
from PIL import Image
pgm = np.frombuffer(open("same.pgm", "rb").read()[-400 * 300:], np.uint8).reshape(300, 400)
for prefix, reference in (("", pgm), ("palette-", None), ("sphere-", None)):
    images = [np.asarray(Image.open(f"{prefix}{level}.png")) for level in ("fast", "default", "best")]
    reference = images[0] if reference is None else reference
    assert all(np.array_equal(i, reference) for i in images), prefix
    sizes = [os.path.getsize(f"{prefix}{level}.png") for level in ("fast", "default", "best")]
    assert sizes[2] <= sizes[1] and (prefix == "sphere-" or sizes[1] <= sizes[0]), (prefix, sizes)
    print(prefix or "julia-", sizes)
PY
    ;;
png-big-streamed)
    # A 40000x30000 PNG (1.2 GB of samples, beyond the old encoder's 2 GiB-of-ints cap only by
    # its sum: the point is memory) is compressed band by band as the rows arrive: the peak
    # resident memory stays far below the image (about 330 MB here, the render's own bands).
    /usr/bin/time -f '%M' -o rss.txt "$clrender" julia --size 40000x30000 --iter 0:2 \
        --precision float --stretch --compression fast -o big.png
    rss_kb=$(tail -n 1 rss.txt)
    echo "peak resident memory: $rss_kb kB"
    [ "$rss_kb" -lt 1000000 ] || fail "$rss_kb kB: the PNG was not streamed"
    # IHDR says 40000x30000, 8-bit gray; the zlib stream inflates, piece by piece, to exactly
    # 30000 rows of a filter byte and 40000 samples, and its Adler-32 matches (zlib checks).
    "$python" - <<'PY'
import struct, zlib
with open("big.png", "rb") as f:
    assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", f.read(8))
    assert (length, kind) == (13, b"IHDR")
    width, height, depth, colour = struct.unpack(">IIBB", f.read(10))
    assert (width, height, depth, colour) == (40000, 30000, 8, 0), (width, height, depth, colour)
    f.read(3 + 4)
    inflate, total, kinds = zlib.decompressobj(), 0, []
    while True:
        length, kind = struct.unpack(">I4s", f.read(8))
        kinds.append(kind)
        data = f.read(length)
        f.read(4)
        if kind == b"IDAT":
            while data:
                total += len(inflate.decompress(data, 1 << 24))
                data = inflate.unconsumed_tail
        if kind == b"IEND":
            break
    assert inflate.eof, "the zlib stream does not end"
    assert total == 30000 * 40001, total
    print("IHDR 40000x30000; inflated", total, "bytes;", kinds.count(b"IDAT"), "IDAT chunks")
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
    cp "$src"/kernels/* kernels/ # the kernel and the layout headers it includes
    sed 's/+ add_re_##v;/- add_re_##v;/' "$src/kernels/julia.cl" > kernels/julia.cl
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
    [ ! -e w.png ] || fail "the unverified image was written"
    # A failed verification leaves an existing file as it was.
    printf 'precious' > kept.png
    set +e
    CLRENDER_KERNEL_DIR=$PWD/kernels "$clrender" julia --size 100x80 --verify -o kept.png 2> /dev/null
    status=$?
    set -e
    [ "$status" -eq 3 ] && [ "$(cat kept.png)" = precious ] || fail "the existing file was replaced"
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
bench-json)
    "$clrender" bench julia-blog-overview --repeat 1 --json sphere-pyconde > bench.json
    "$clrender" bench sphere-pyconde --repeat 1 | tee bench.txt
    grep -q '^sphere-pyconde .*scalar reference' bench.txt || fail "no reference row in the table"
    "$clrender" bench julia-blog-overview --repeat 1 --json --no-reference > devices-only.json
    "$python" - <<'PY'
import json
data = json.load(open("bench.json"))
rows = data["results"]
assert data["repeat"] == 1
assert [r["workload"] for r in rows] == ["julia-blog-overview"] * 2 + ["sphere-pyconde"] * 2, rows
for r in rows:
    assert r["kernel_ms"] > 0 and r["total_ms"] >= r["kernel_ms"] * 0.99, r
    assert r["pixels"] in (625000, 480000) and r["mpixels_per_s"] > 0, r
assert rows[0]["backend"] == "reference" and rows[0]["speedup"] == 1.0
assert rows[1]["backend"] == "device" and rows[1]["device"]["type"] == "CPU"
# blog-overview: the iterations the blog's programs count, the same on both backends
assert rows[0]["iterations"] == rows[1]["iterations"] > 0 and rows[1]["giterations_per_s"] > 0
assert "iterations" not in rows[2]
# --no-reference: the devices only, no speed-up
rows = json.load(open("devices-only.json"))["results"]
assert [r["backend"] for r in rows] == ["device"] and rows[0]["speedup"] is None, rows
print("bench json ok")
PY
    ;;
help)
    "$clrender" --help > help.txt && grep -q 'julia' help.txt
    "$clrender" julia --help > help.txt && grep -q -- '--preset' help.txt
    "$clrender" devices --help > help.txt && grep -q -- '--json' help.txt
    "$clrender" bench --help > help.txt && grep -q -- 'julia-blog-zoom' help.txt
    "$clrender" --version | grep -Eq '^clrender [0-9]+\.[0-9]+'
    "$clrender" julia --version | grep -Eq '^clrender [0-9]+\.[0-9]+'
    ;;
sphere-pyconde)
    # The preset's own size is 800x600; sphere_seeds.py checks the shape too.
    "$clrender" sphere --preset pyconde -o p.npy
    "$python" "$src/tools/sphere_seeds.py" --preset pyconde --compare p.npy
    # The pure-Python shader that tools/startup_bench.py times makes the same image.
    "$python" "$src/tools/sphere_pyconde_python.py" --size 160x120 -o py.ppm 2> /dev/null
    "$clrender" sphere --preset pyconde --size 160x120 -o cl.ppm
    cmp py.ppm cl.ppm || fail "the pure-Python pyconde shader draws another image"
    ;;
sphere-pyo3)
    "$clrender" sphere --preset pyo3 --size 800x600 -o q.npy
    "$python" "$src/tools/sphere_seeds.py" --preset pyo3 --size 800x600 --compare q.npy
    # The preset's own size is 80x60, and --size wins wherever it is written.
    "$clrender" sphere --preset pyo3 -o small.npy
    "$python" "$src/tools/sphere_seeds.py" --preset pyo3 --compare small.npy
    "$clrender" sphere --size 800x600 --preset pyo3 -o size-first.npy
    cmp q.npy size-first.npy || fail "--size before --preset gave another picture"
    ;;
sphere-verify-default-scene)
    # Both raytrace kernels (auto picks simd on this CPU device), also at a
    # width that is no multiple of the simd kernel's 8 lanes.
    out=$("$clrender" sphere --size 320x180 --spp 2 --verify -o v.npy)
    echo "$out"
    grep -Eq '^verify: 57600 pixels compared, 0 differing' <<<"$out" || fail "expected agreement"
    for kernel in per-pixel simd; do
        out=$("$clrender" sphere --kernel $kernel --size 61x17 --spp 3 --verify -o k.npy)
        echo "$kernel: $out"
        grep -Eq '^verify: 1037 pixels compared, 0 differing' <<<"$out" \
            || fail "--kernel $kernel differs from the reference"
    done
    # Agreeing on an empty picture would prove little: the top-left corner must
    # show the sky (scenes/default.json's background, sRGB-encoded) and the
    # spheres many other colours.
    "$python" - "$src/scenes/default.json" <<'PY'
import json, sys
import numpy as np
v = np.load("v.npy")
assert v.dtype == np.uint8 and v.shape == (180, 320, 3), (v.dtype, v.shape)
def srgb(c):
    e = 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
    return int(np.floor(e * 255 + 0.5))
sky = [srgb(c) for c in json.load(open(sys.argv[1]))["background"]]
# within the 1 level that --verify allows the kernels
assert all(abs(int(a) - b) <= 1 for a, b in zip(v[0, 0], sky)), (list(v[0, 0]), sky)
colours = len(np.unique(v.reshape(-1, 3), axis=0))
assert colours > 1000, colours
print("sky", sky, "and", colours, "colours")
PY
    ;;
sphere-formats)
    scene=(--size 64x36 --spp 1)
    "$clrender" sphere "${scene[@]}" -o s.png
    "$clrender" sphere "${scene[@]}" -o s.ppm
    "$clrender" sphere "${scene[@]}" -o s.npy
    [ "$(head -c 8 s.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "not a PNG"
    [ "$(head -c 13 s.ppm)" = "P6
64 36
255" ] || fail "bad PPM header"
    [ "$(stat -c %s s.ppm)" -eq $((13 + 64 * 36 * 3)) ] || fail "PPM size"
    "$python" - <<'PY'
import numpy as np
from PIL import Image
a = np.load("s.npy")
assert a.dtype == np.uint8 and a.shape == (36, 64, 3), (a.dtype, a.shape)
png = Image.open("s.png")
assert png.mode == "RGB" and png.size == (64, 36), (png.mode, png.size)
ppm = np.frombuffer(open("s.ppm", "rb").read()[-64 * 36 * 3:], np.uint8).reshape(36, 64, 3)
assert (np.asarray(png) == a).all(), "the PNG holds other pixels than the .npy"
assert (ppm == a).all(), "the PPM holds other pixels than the .npy"
assert len(np.unique(a.reshape(-1, 3), axis=0)) > 50, "a nearly uniform picture"
print("formats ok")
PY
    ;;
sphere-scene-file-matches-builtin)
    "$clrender" sphere --size 96x54 --spp 2 --depth 3 -o builtin.npy
    "$clrender" sphere --scene "$src/scenes/default.json" --size 96x54 --spp 2 --depth 3 -o file.npy
    cmp builtin.npy file.npy || fail "--scene scenes/default.json differs from the built-in scene"
    ;;
sphere-wrong-kernel-fails-verify)
    # The Lambert term with its sign flipped, in the raytrace kernel's one body
    # (built per pixel and with vector lanes), must be caught by --verify (exit 3);
    # the same kernel unchanged, loaded the same way, passes.
    mkdir kernels good
    cp "$src"/kernels/* good/ # the kernels and the layout headers they include
    cp "$src"/kernels/* kernels/
    sed -e 's/scale(mul(diffuse, radiance), lambert)/scale(mul(diffuse, radiance), -lambert)/' \
        "$src/kernels/raytrace.cl" > kernels/raytrace.cl
    changed=$(diff "$src/kernels/raytrace.cl" kernels/raytrace.cl | grep -c '^>' || true)
    [ "$changed" -ge 1 ] || fail "the sed did not change the kernel"
    for kernel in per-pixel simd; do
        CLRENDER_KERNEL_DIR=$PWD/good "$clrender" sphere --kernel $kernel --size 64x36 --spp 1 \
            --verify -o g.png || fail "the unchanged kernels failed --verify (--kernel $kernel)"
        set +e
        CLRENDER_KERNEL_DIR=$PWD/kernels "$clrender" sphere --kernel $kernel --size 64x36 --spp 1 \
            --verify -o w.png 2> err.txt
        status=$?
        set -e
        cat err.txt
        [ "$status" -eq 3 ] || fail "--kernel $kernel: verify exited $status, expected 3"
        grep -q 'verify failed' err.txt || fail "--kernel $kernel: no verify failure message"
    done
    ;;
sphere-unknown-field-warns)
    # unknown-field.json is minimal.json plus a top-level "title" and a
    # material's "glossiness": both are warned about, and ignored.
    "$clrender" sphere --scene "$src/tests/scenes/unknown-field.json" --size 48x32 -o u.npy 2> err.txt \
        || { cat err.txt; fail "a scene with unknown fields was refused"; }
    cat err.txt
    grep -Eq "^clrender: warning: scene '.*unknown-field.json': unknown field title" err.txt \
        || fail "no warning about the unknown field 'title'"
    grep -Eq "^clrender: warning: .*unknown field spheres\[0\]\.material\.glossiness" err.txt \
        || fail "no warning about the unknown field spheres[0].material.glossiness"
    "$clrender" sphere --scene "$src/tests/scenes/minimal.json" --size 48x32 -o m.npy 2> err.txt
    ! grep -q warning err.txt || fail "minimal.json should give no warning"
    cmp u.npy m.npy || fail "the unknown fields changed the picture"
    ;;
sphere-huge-scene-refused)
    # A valid scene padded with blanks: exactly the 16 MiB limit is read, one
    # byte more is refused before parsing.
    limit=$((16 * 1024 * 1024))
    base=$src/tests/scenes/minimal.json
    { cat "$base"; head -c $((limit - $(stat -c %s "$base"))) /dev/zero | tr '\0' ' '; } > at-limit.json
    { cat at-limit.json; printf ' '; } > huge.json
    [ "$(stat -c %s at-limit.json)" -eq "$limit" ] || fail "at-limit.json has the wrong size"
    "$clrender" sphere --scene at-limit.json --size 16x16 -o ok.png || fail "a 16 MiB scene was refused"
    set +e
    "$clrender" sphere --scene huge.json --size 16x16 -o huge.png 2> err.txt
    status=$?
    set -e
    cat err.txt
    [ "$status" -eq 2 ] || fail "exit $status, expected 2"
    [ "$(wc -l < err.txt)" -eq 1 ] || fail "expected one line on stderr"
    grep -Eq "^clrender: scene 'huge.json': .*16 MiB limit" err.txt || fail "the message does not name the limit"
    [ ! -e huge.png ] || fail "an output file was written"
    ;;
multi-device)
    # Two PoCL devices: bands go to both, and the bytes are those of one device.
    for args in "julia --size 403x301" "julia --size 403x301 --precision float --kernel per-pixel" \
        "sphere --size 203x101 --spp 2"; do
        $clrender $args --device 0:0 -o one.npy 2> /dev/null
        POCL_DEVICES="pthread pthread" $clrender $args --device all --tile-rows 8 --timings \
            -o two.npy 2> timings.txt
        cmp one.npy two.npy || fail "$args: two devices changed the image"
        for device in 0:0 0:1; do
            bands=$(sed -n "s/^device $device: \([0-9]*\) bands.*/\1/p" timings.txt)
            [ "${bands:-0}" -gt 0 ] || fail "$args: device $device rendered no band: $(cat timings.txt)"
        done
        POCL_DEVICES="pthread pthread" $clrender $args --device 0:1,0:0 --quiet -o list.npy
        cmp one.npy list.npy || fail "$args: --device 0:1,0:0 changed the image"
    done
    # --verify across both devices, and a file format written band by band.
    POCL_DEVICES="pthread pthread" "$clrender" julia --size 403x301 --device all --verify \
        --tile-rows 12 -o two.pgm > verify.txt 2> /dev/null
    grep -q '^verify: 121303 pixels compared, 0 differing' verify.txt || fail "verify: $(cat verify.txt)"
    ;;
bench-all-devices)
    POCL_DEVICES="pthread pthread" "$clrender" bench julia-blog-overview --device all --repeat 1 \
        --json > bench.json
    "$python" - <<'PY'
import json
rows = json.load(open("bench.json"))["results"]
assert [r["backend"] for r in rows] == ["reference", "device", "device", "devices"], rows
assert rows[1]["device"]["index"] == "0:0" and rows[2]["device"]["index"] == "0:1", rows
assert [d["index"] for d in rows[3]["devices"]] == ["0:0", "0:1"], rows[3]
for r in rows[1:]:
    assert r["setup_ms"] > 0 and r["build_ms"] >= 0 and r["kernel_ms"] > 0, r
    assert r["iterations"] == rows[0]["iterations"], r  # the same counts on every backend
print("bench --device all ok")
PY
    ;;
cli-conventions)
    # (into files: grep -q stops reading at its match, and a write to a closed pipe is an error)
    "$clrender" help julia > help.txt && grep -q -- '--precision' help.txt ||
        fail "help julia does not describe julia"
    "$clrender" help bench > help.txt && grep -q 'julia-blog-zoom' help.txt || fail "help bench"
    "$clrender" -V | grep -Eq '^clrender [0-9]+\.[0-9]+' || fail "-V"
    "$clrender" sphere -V | grep -Eq '^clrender ' || fail "sphere -V"
    "$clrender" julia --size 16x10 -oattached.npy && [ -s attached.npy ] || fail "-oFILE"
    "$clrender" julia --size=16x10 --output=equals.npy && cmp attached.npy equals.npy || fail "--output=FILE"
    # After "--" nothing is an option: a file named like one can be no operand of julia.
    set +e
    "$clrender" julia --size 16x10 -o a.npy -- --help 2> err.txt
    status=$?
    set -e
    [ "$status" -eq 2 ] && grep -q "unexpected argument '--help'" err.txt || fail "-- did not end the options"
    ;;
expensive-small-render)
    # 100,000 spheres at 192x108: long launches even for a small picture. The first launch is a
    # one-row probe, later ones are sized by time: the progress bar moves within about a
    # second, and no launch takes more than twice the 500 ms budget (a row that alone costs
    # more could not be split; none here does).
    "$python" "$src/tools/many_spheres.py" 100000 > many.json
    # PoCL compiles the kernel's work-group function at its first launches (with a cold cache,
    # about a second, before any band exists): two small bands of the same width do that first.
    "$clrender" sphere --scene many.json --size 192x2 --spp 1 --tile-rows 1 --quiet -o warm.png
    "$clrender" sphere --scene many.json --size 192x108 --progress --timings -o many.png 2> err.txt
    tr '\r' '\n' < err.txt > lines.txt
    # The bar counts from the start, device set-up and kernel build included (long when
    # PoCL's cache is cold): after those, it must move within about a second.
    first=$(grep -m1 -o 'band [0-9]*/[0-9]*  [0-9.]* s' lines.txt | awk '{print $3}')
    before=$(awk '/^(setup|build|upload):/ { ms += $2 } END { print ms / 1000 }' lines.txt)
    echo "first progress line at ${first:-never} s, ${before} s of set-up and build"
    awk -v t="${first:-99}" -v b="$before" 'BEGIN { exit !(t - b <= 1.5) }' ||
        { grep -v '^$' lines.txt | head -n 8; fail "no progress bar within about a second of the build"; }
    longest=$(sed -n 's/^launches: [0-9]* in \([0-9]*\) bands, the longest \([0-9.]*\) ms/\2/p' lines.txt)
    bands=$(sed -n 's/^launches: [0-9]* in \([0-9]*\) bands.*/\1/p' lines.txt)
    echo "$bands bands, the longest launch $longest ms"
    [ "${bands:-0}" -ge 4 ] || fail "the render was not split into bands"
    awk -v t="${longest:-9999}" 'BEGIN { exit !(t <= 1000) }' || fail "a launch took $longest ms"
    ;;
xray-verify)
    # The kernels against the scalar walk in double: cone and parallel, float and double, several
    # angles, a grid that is no cube and voxels that are not either.
    for precision in float double; do
        for geometry in cone parallel; do
            out=$("$clrender" xray --voxels 72,64,48 --voxel-size 1,1.25,1.5 --detector 120,90 \
                --pitch 1.1,0.9 --angles 3 --arc 200 --geometry $geometry --precision $precision \
                --verify -o v.npy)
            echo "$precision $geometry: $out"
            grep -Eq '^verify: 32400 pixels compared, 0 differing' <<<"$out" ||
                fail "$precision $geometry differs"
        done
    done
    # The blog's preset
    out=$("$clrender" xray --preset bisulco --verify -o b.npy)
    echo "bisulco: $out"
    grep -Eq '^verify: 16384 pixels compared, 0 differing' <<<"$out" || fail "bisulco differs"
    ;;
xray-analytic)
    # --reference analytic on every built-in phantom: the voxel projection's mean difference from
    # the closed form, judged against --tolerance (default 0.02).
    for phantom in shepp-logan box:-20,15,-10,25,-30,5 sphere:27; do
        out=$("$clrender" xray --phantom $phantom --voxels 96 --detector 128,128 --pitch 1.5 \
            --angles 2 --arc 90 --reference analytic --verify -o a.npy)
        echo "$phantom: $out"
        grep -Eq '^verify: 32768 pixels compared with the analytic projection: mean relative difference' \
            <<<"$out" || fail "$phantom: no verify line"
        mean=$(sed -n 's/.*mean relative difference \([0-9.e-]*\),.*/\1/p' <<<"$out")
        awk -v m="$mean" 'BEGIN { exit !(m < 0.02) }' || fail "$phantom: mean $mean"
    done
    # Without --verify the closed form is what is rendered: the box's chords, exactly.
    "$clrender" xray --phantom box:-10,10,-5,5,-3,3 --geometry parallel --detector 40,20 \
        --pitch 1 --mu-scale 1 --reference analytic -o chords.npy
    "$python" - <<'PY' || fail "analytic box projection"
import numpy as np
p = np.load("chords.npy")
# parallel rays along -x through pixel centres (c - 19.5, -(r - 9.5)): inside |y| < 5, |z| < 3
y = np.arange(40) - 19.5
z = -(np.arange(20) - 9.5)
want = np.where((np.abs(z)[:, None] < 3) & (np.abs(y)[None, :] < 5), 20.0, 0.0)
assert p.shape == (20, 40) and np.array_equal(p, want), (p.max(), want.max())
PY
    # A mean above --tolerance fails with exit 3, and the file is not written.
    set +e
    "$clrender" xray --voxels 16 --voxel-size 8 --detector 32,32 --pitch 6 --reference analytic \
        --verify --tolerance 0.001 -o coarse.npy 2> err.txt
    status=$?
    set -e
    cat err.txt
    [ "$status" -eq 3 ] || fail "a coarse grid passed --tolerance 0.001 (exit $status)"
    grep -q 'mean relative difference from the analytic projection' err.txt || fail "message"
    [ ! -e coarse.npy ] || fail "a failed verification wrote its file"
    ;;
xray-formats)
    "$clrender" xray --voxels 48 --detector 64,40 --pitch 1.3 -o one.npy
    "$clrender" xray --voxels 48 --detector 64,40 --pitch 1.3 --angles 5 -o five.npy
    "$clrender" xray --voxels 48 --detector 64,40 --pitch 1.3 --angles 5 -o five.mha
    "$clrender" xray --voxels 48 --detector 64,40 --pitch 1.3,1.1 -o one.mha
    "$clrender" xray --voxels 48 --detector 64,40 --pitch 1.3 -o one.png
    "$clrender" xray --voxels 48 --detector 64,40 --pitch 1.3 --window 0,0.4 -o window.pgm
    "$clrender" xray --voxels 48 --detector 64,40 --pitch 1.3 --angles 5 -o 'angle_%02d.pgm'
    "$clrender" xray --voxels 48 --detector 64,40 --pitch 1.3 --angles 20 -o 'many_%d.png'
    [ "$(ls angle_*.pgm | tr '\n' ' ')" = "angle_00.pgm angle_01.pgm angle_02.pgm angle_03.pgm angle_04.pgm " ] ||
        fail "pattern files: $(ls)"
    [ "$(ls many_*.png | wc -l)" -eq 20 ] || fail "20 PNG files expected"
    ls -A | grep -q tmp && fail "a temporary file was left"
    grep -aq '^DimSize = 64 40 5$' five.mha || fail ".mha stack header"
    grep -aq '^ElementSpacing = 1.3 1.1000000000000001$' one.mha || fail ".mha spacing"
    grep -aq '^Offset = -40.950000000000003 -21.450000000000003$' one.mha || fail ".mha offset"
    "$python" - <<'PY' || fail "the files disagree"
import numpy as np
from PIL import Image
one, five = np.load("one.npy"), np.load("five.npy")
assert one.shape == (40, 64) and one.dtype == np.float32
assert five.shape == (5, 40, 64) and np.array_equal(five[0], one)
def mha(name):
    data = open(name, "rb").read()
    start = data.index(b"ElementDataFile = LOCAL\n") + len(b"ElementDataFile = LOCAL\n")
    return np.frombuffer(data[start:], dtype="<f4")
assert np.array_equal(mha("five.mha").reshape(5, 40, 64), five)
# grey images span each projection's own range, or the window
png = np.asarray(Image.open("one.png"))
lo, hi = one.min(), one.max()
assert png.shape == (40, 64) and png.min() == 0 and png.max() == 255
assert np.array_equal(png, np.clip(np.floor((one - lo) / (hi - lo) * 255 + 0.5), 0, 255).astype(np.uint8))
pgm = np.asarray(Image.open("window.pgm"))
assert np.array_equal(pgm, np.clip(np.floor(one / 0.4 * 255 + 0.5), 0, 255).astype(np.uint8))
for k in range(5):
    frame = np.asarray(Image.open("angle_%02d.pgm" % k))
    f = five[k]
    want = np.clip(np.floor((f - f.min()) / (f.max() - f.min()) * 255 + 0.5), 0, 255)
    assert np.array_equal(frame, want.astype(np.uint8)), k
PY
    ;;
xray-volume-files)
    # The same voxels as .npy (float32, float64, int16), .mha (raw, zlib), .mhd + .raw and .nrrd
    # (raw, gzip) project alike; an .mha Offset moves the volume as ITK places it.
    "$python" - <<'PY'
import gzip, zlib
import numpy as np
rng = np.random.default_rng(7)
v = rng.integers(0, 50, size=(20, 24, 28)).astype(np.float32) / 1000  # (NZ, NY, NX)
np.save("v.npy", v)
np.save("v64.npy", v.astype(np.float64))
np.save("v16.npy", (v * 1000).astype(np.int16))
def mha_header(extra, compressed=False, datafile="LOCAL"):
    return ("ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
            "CompressedData = %s\n%sDimSize = 28 24 20\nElementType = MET_FLOAT\n"
            "ElementDataFile = %s\n" % ("True" if compressed else "False", extra, datafile)).encode()
centred = "ElementSpacing = 1 1 1\nOffset = -13.5 -11.5 -9.5\n"
open("v.mha", "wb").write(mha_header(centred) + v.tobytes())
open("z.mha", "wb").write(mha_header(centred, True) + zlib.compress(v.tobytes()))
open("v.raw", "wb").write(v.tobytes())
open("v.mhd", "wb").write(mha_header(centred, datafile="v.raw"))
open("shifted.mha", "wb").write(mha_header("ElementSpacing = 1 1 1\nOffset = -13.5 -8.5 -9.5\n")
                                + v.tobytes())
nrrd = ("NRRD0004\ntype: float\ndimension: 3\nsizes: 28 24 20\nendian: little\nencoding: %s\n"
        "space directions: (1,0,0) (0,1,0) (0,0,1)\nspace origin: (-13.5,-11.5,-9.5)\n\n")
open("v.nrrd", "wb").write((nrrd % "raw").encode() + v.tobytes())
open("g.nrrd", "wb").write((nrrd % "gzip").encode() + gzip.compress(v.tobytes()))
PY
    common=(--detector 60,50 --pitch 0.9 --angles 2 --arc 90)
    "$clrender" xray --volume v.npy "${common[@]}" -o ref.npy
    for f in v.mha z.mha v.mhd v.nrrd g.nrrd v64.npy; do
        "$clrender" xray --volume $f "${common[@]}" -o $f.out.npy
        cmp ref.npy $f.out.npy || fail "$f projects differently from v.npy"
    done
    "$clrender" xray --volume v16.npy --mu-scale 0.001 "${common[@]}" -o v16.out.npy
    "$clrender" xray --volume shifted.mha "${common[@]}" -o shifted.npy
    "$python" - <<'PY' || fail "int16 scaling or the .mha Offset"
import numpy as np
ref, scaled, shifted = np.load("ref.npy"), np.load("v16.out.npy"), np.load("shifted.npy")
assert np.abs(scaled - ref).max() <= 1e-6 * ref.max()
# The Offset moved the volume 3 mm along +y. At 0 degrees the columns run along +y: the
# shadow's centre of mass moves about 3 mm times the magnification (sdd/sod = 1.536).
def centre(p):
    w = p.sum(axis=0)
    return (w * np.arange(p.shape[1])).sum() / w.sum()
moved = (centre(shifted[0]) - centre(ref[0])) * 0.9
assert 3.0 < moved < 3.0 * 1536 / 1000 * 1.1, moved
PY
    # the library's input: a volume attached from memory projects as the file (test_xray_render)
    ;;
xray-bisulco-numba)
    # The blog's walk in Numba (tools/xray_numba_walk.py) and clrender's preset agree.
    "$clrender" xray --preset bisulco -o bisulco.npy
    "$python" "$src/tools/xray_numba_walk.py" --repeat 1 --compare bisulco.npy
    ;;
mandelbrot-matches-numpy)
    # z from 0, c the pixel: counts equal to numpy's, every kernel and precision.
    for precision in double float; do
        for kernel in per-pixel simd; do
            "$clrender" mandelbrot --size 161x101 --iter 0:120 --precision $precision \
                --kernel $kernel -o m_${precision}_$kernel.npy
        done
    done
    "$python" - <<'PY' || fail "mandelbrot counts differ from numpy's"
import numpy as np
def counts(dtype):
    xs = np.linspace(-2.5, 1.0, 161).astype(dtype)
    ys = np.linspace(-1.09375, 1.09375, 101).astype(dtype)
    if dtype == np.float32:  # clrender's float sampling: i * float(step) + float(start)
        step = np.float32((1.0 - -2.5) / 160)
        xs = np.arange(161, dtype=np.float32) * step + np.float32(-2.5)
        xs[-1] = np.float32(1.0)
        step = np.float32((1.09375 - -1.09375) / 100)
        ys = np.arange(101, dtype=np.float32) * step + np.float32(-1.09375)
        ys[-1] = np.float32(1.09375)
    c_re, c_im = np.meshgrid(xs, ys[::-1])
    z_re, z_im = np.zeros_like(c_re), np.zeros_like(c_im)
    n = np.full(c_re.shape, 120)
    alive = np.ones(c_re.shape, bool)
    for k in range(120):
        z_re, z_im = (z_re * z_re - z_im * z_im) + c_re, (z_re * z_im + z_im * z_re) + c_im
        out = alive & (z_re * z_re + z_im * z_im >= dtype(4))
        n[out] = k
        alive &= ~out
    return n
for precision, dtype in (("double", np.float64), ("float", np.float32)):
    expected = counts(dtype)
    for kernel in ("per-pixel", "simd"):
        got = np.load("m_%s_%s.npy" % (precision, kernel))
        assert got.shape == (101, 161), got.shape
        assert np.array_equal(got, expected), (precision, kernel, int((got != expected).sum()))
    assert 0 < (expected == 120).mean() < 0.5  # the set and its outside
PY
    ;;
julia-view)
    # --center with --width or --zoom is the region of that centre, width and the image's
    # aspect; a region of another aspect warns once (not with --stretch, not on an error).
    "$clrender" julia --size 300x200 --region -0.8,0.4,-0.5,0.3 -o region.npy 2> r.txt
    "$clrender" julia --size 300x200 --center -0.2,-0.1 --width 1.2 -o centre.npy 2> c.txt
    cmp region.npy centre.npy || fail "--center/--width is not the region it describes"
    "$clrender" julia --zoom 2 -o zoom.npy
    "$clrender" julia --region -0.8,0.8,-0.5,0.5 -o half.npy
    cmp zoom.npy half.npy || fail "--zoom 2 is not the default view halved"
    ! grep -q warning r.txt c.txt || fail "a view of the image's aspect warned"
    "$clrender" julia --size 64x64 -o square.png 2> s.txt
    [ "$(grep -c 'warning: julia: the region is 2 high for 3.2 wide' s.txt)" = 1 ] ||
        fail "no stretch warning: $(cat s.txt)"
    "$clrender" julia --size 64x64 --stretch -o square.png 2> t.txt
    ! grep -q warning t.txt || fail "--stretch still warns"
    mkdir frames
    "$clrender" julia --size 64x64 --frames 3 --c -0.8,0.1:-0.7,0.2 -o frames/%d.png 2> f.txt
    [ "$(grep -c warning f.txt)" = 1 ] || fail "the warning repeats per frame: $(cat f.txt)"
    ;;
simd-limit-peer-counts)
    # tools/julia_simd_limit.c, the hand-written peer of the benchmarks, counts as clrender does.
    gcc -O3 -march=native -fopenmp -ffp-contract=off "$src/tools/julia_simd_limit.c" -o peer -lm
    for precision in double float; do
        ./peer --preset blog-overview --precision $precision --repeat 1 --save peer.npy > /dev/null
        "$clrender" julia --preset blog-overview --precision $precision -o ours.npy
        "$python" -c "
import numpy as np
a, b = np.load('peer.npy'), np.load('ours.npy')
assert a.shape == b.shape == (625, 1000) and np.array_equal(a, b), 'counts differ'" ||
            fail "$precision: the hand-written peer counts differently"
    done
    ;;
xray-simd-matches-per-pixel)
    # The vector walk (up to 8 lanes in lockstep) and the one-lane kernel agree bit for bit:
    # cone and parallel beams, a detector width no lane count divides, rays that miss, a source
    # inside the volume, slabs, both precisions, intensities.
    cases=("--voxels 40,36,30 --detector 61,23 --angles 3"
           "--voxels 33 --detector 47,19 --geometry parallel --angles 4 --arc 180"
           "--voxels 32 --voxel-size 2 --detector 37,21 --sod 20 --sdd 200 --first-angle 30"
           "--voxels 24 --detector 29,17 --precision double --quantity intensity --i0 1000"
           "--phantom box:-5,3,-4,6,-7,2 --voxels 20 --detector 45,31 --pitch 0.3 --first-angle 45")
    for c in "${cases[@]}"; do
        # shellcheck disable=SC2086
        "$clrender" xray $c --kernel per-pixel -o p.npy
        # shellcheck disable=SC2086
        "$clrender" xray $c --kernel simd -o s.npy
        cmp p.npy s.npy || fail "xray $c: the kernels disagree"
    done
    CLRENDER_TEST_MAX_ALLOC=20000 "$clrender" xray --voxels 32 --detector 41,9 --kernel simd -o s.npy
    "$clrender" xray --voxels 32 --detector 41,9 --kernel per-pixel -o p.npy
    "$python" -c "
import numpy as np
a, b = np.load('p.npy'), np.load('s.npy')
assert np.abs(a - b).max() <= 2e-6 * a.max(), np.abs(a - b).max()" || fail "simd slabs differ"
    ;;
xray-slabs)
    # A device that allocates a few slices at once gets the volume in slabs, one launch each.
    "$clrender" xray --voxels 64 --detector 80,60 --angles 2 --timings -o one.npy 2> one.txt
    CLRENDER_TEST_MAX_ALLOC=70000 "$clrender" xray --voxels 64 --detector 80,60 --angles 2 \
        --timings --verify -o slabs.npy 2> slabs.txt
    grep '^launches' one.txt slabs.txt
    bands=$(sed -n 's/^launches: \([0-9]*\) in \([0-9]*\) bands.*/\2/p' slabs.txt)
    launches=$(sed -n 's/^launches: \([0-9]*\) in.*/\1/p' slabs.txt)
    [ "$launches" -eq $((bands * 16)) ] || fail "$launches launches for $bands bands of 16 slabs"
    "$python" -c "
import numpy as np
a, b = np.load('one.npy'), np.load('slabs.npy')
assert np.abs(a - b).max() <= 2e-6 * a.max(), np.abs(a - b).max()" || fail "slabs differ"
    ;;

frames-zoom-matches-single)
    # Each frame of a sequence is the picture a single run renders with that frame's values,
    # printed with full precision: the interpolation is the documented one, and rendering
    # in one session changes nothing. A zoom towards an off-centre region (geometric), a
    # linear --c, and the first and last frames exactly START and END.
    mkdir zoom
    "$clrender" julia --frames 5 --region -2,2,-1.125,1.125:-0.75,-0.65,0.05,0.10625 \
        --c -0.8,0.156:-0.7,0.27 --size 96x54 --iter 0:60 --quiet -o 'zoom/%02d.png'
    [ "$(ls zoom | tr '\n' ' ')" = "00.png 01.png 02.png 03.png 04.png " ] || fail "frames: $(ls zoom)"
    "$python" - "$clrender" <<'PY' || fail "a frame differs from its single render"
import subprocess, sys
import numpy as np
from PIL import Image
clrender = sys.argv[1]
start, end = [-2, 2, -1.125, 1.125], [-0.75, -0.65, 0.05, 0.10625]
c0, c1 = [-0.8, 0.156], [-0.7, 0.27]
n = 5
def linear(a, b, k):
    if k == 0: return list(a)
    if k == n - 1: return list(b)
    t = k / (n - 1)
    return [s + t * (e - s) for s, e in zip(a, b)]
def zoom(k):
    if k == 0: return list(start)
    if k == n - 1: return list(end)
    t = k / (n - 1)
    v = []
    for a in (0, 2):
        lo0, hi0, lo1, hi1 = start[a], start[a + 1], end[a], end[a + 1]
        w0, w1 = hi0 - lo0, hi1 - lo1
        w = w0 * (w1 / w0) ** t
        c = (lo1 + hi1) / 2 + ((lo0 + hi0) / 2 - (lo1 + hi1) / 2) * ((w - w1) / (w0 - w1))
        v += [c - w / 2, c + w / 2]
    return v
widths = [zoom(k)[1] - zoom(k)[0] for k in range(n)]
ratios = [widths[k + 1] / widths[k] for k in range(n - 1)]
assert max(ratios) - min(ratios) < 1e-12, ratios  # the same zoom ratio every frame
text = lambda values: ",".join("%.17g" % x for x in values)
for k in range(n):
    subprocess.run([clrender, "julia", "--region=" + text(zoom(k)), "--c=" + text(linear(c0, c1, k)),
                    "--size", "96x54", "--iter", "0:60", "--quiet", "-o", "single.png"], check=True)
    if not np.array_equal(np.asarray(Image.open("single.png")), np.asarray(Image.open("zoom/%02d.png" % k))):
        sys.exit("frame %d differs from --region %s --c %s" % (k, text(zoom(k)), text(linear(c0, c1, k))))
print("5 frames match their single renders; zoom ratio %.6f per frame" % ratios[0])
PY
    # N = 1 renders START; a pan (equal widths) moves linearly.
    "$clrender" julia --frames 1 --region -2,2,-1.125,1.125:-1,1,-1,1 --size 96x54 --quiet -o one.png
    "$clrender" julia --region -2,2,-1.125,1.125 --size 96x54 --quiet -o start.png
    same_image one.png start.png || fail "--frames 1 is not START"
    "$clrender" julia --frames 3 --region -2,2,-1,1:0,4,-1,1 --size 96x54 --quiet -o 'pan_%d.npy'
    "$clrender" julia --region -1,3,-1,1 --size 96x54 --quiet -o pan.npy
    cmp pan_1.npy pan.npy || fail "a pan's middle frame is not the linear one"
    ;;
frames-resume)
    # --resume renders only the frames whose files are missing; the others stay untouched.
    args=(julia --frames 5 --region -2,2,-1.125,1.125:-0.2,0.2,-0.1125,0.1125 --size 96x54)
    "$clrender" "${args[@]}" --quiet -o 'f_%d.png'
    cp f_2.png f_2.expected
    touch -d '2001-01-01 00:00:00' f_*.png
    rm f_2.png
    before=$(stat -c '%n %.9Y %i' f_0.png f_1.png f_3.png f_4.png)
    "$clrender" "${args[@]}" --resume -o 'f_%d.png' 2> resume.txt
    cat resume.txt
    grep -q '^clrender: --resume: 4 of 5 frames exist already, 1 to render$' resume.txt ||
        fail "--resume did not say what it skipped"
    after=$(stat -c '%n %.9Y %i' f_0.png f_1.png f_3.png f_4.png)
    [ "$before" = "$after" ] || fail "existing frames were touched: $before / $after"
    same_image f_2.png f_2.expected || fail "the missing frame came back different"
    "$clrender" "${args[@]}" --resume --timings -o 'f_%d.png' 2> again.txt
    grep -q '^frames: 0 rendered, 5 skipped' again.txt || fail "a complete run rendered again"
    ;;
frames-sigint)
    # SIGINT in the middle of a run leaves every finished frame, complete, and no partial
    # one: no temporary file (named ones here, the fallback without O_TMPFILE).
    env --default-signal CLRENDER_TEST_NAMED_TEMP=1 "$clrender" julia --frames 40 \
        --c 0,0:0.01,0 --region -1,1,-1,1 --iter 0:20000 --size 900x900 -o 'f_%02d.png' \
        2> err.txt &
    pid=$!
    for i in $(seq 1200); do
        [ -e f_01.png ] && ls -A | grep -q '^\.f_.*\.tmp-' && break
        kill -0 "$pid" 2> /dev/null || fail "the run ended before two frames: $(cat err.txt)"
        sleep 0.05
    done
    ls -A | grep -q '^\.f_.*\.tmp-' || fail "no frame in progress to interrupt"
    kill -INT "$pid"
    set +e
    wait "$pid"
    status=$?
    set -e
    cat err.txt
    [ "$status" -eq 130 ] || fail "exit status $status, expected 130"
    tail -n 1 err.txt | grep -Eq "^clrender: stopped by SIGINT; ('f_[0-9]+\.png' was not written; [0-9]+ finished frames are complete|[0-9]+ finished frames are complete)$" ||
        fail "the line does not say what the run left"
    ls -A | grep -q 'tmp' && fail "a temporary file was left: $(ls -A)"
    "$python" - <<'PY' || fail "a frame left behind is not complete"
import os
from PIL import Image
names = sorted(n for n in os.listdir(".") if n.startswith("f_"))
assert names == ["f_%02d.png" % k for k in range(len(names))], names  # finished in order
assert 2 <= len(names) < 40, names
for name in names:
    image = Image.open(name)
    image.load()  # decodes every row: a truncated file raises here
    assert image.size == (900, 900), (name, image.size)
print(len(names), "complete frames")
PY
    ;;
frames-progress-timings-devices)
    # One bar for the whole run; --quiet prints nothing; --timings sums the run.
    args=(julia --frames 3 --c -0.8,0.156:-0.7,0.27 --size 96x54)
    "$clrender" "${args[@]}" --progress -o 'p_%d.png' 2> bar.txt
    tr '\r' '\n' < bar.txt | grep -q '100%  frame 3/3' || fail "no bar over the frames: $(cat bar.txt)"
    "$clrender" "${args[@]}" --quiet -o 'q_%d.png' 2> quiet.txt
    [ ! -s quiet.txt ] || fail "--quiet printed: $(cat quiet.txt)"
    "$clrender" "${args[@]}" --timings -o 't_%d.png' 2> timings.txt
    grep -q '^frames: 3 rendered, 0 skipped' timings.txt || fail "--timings: $(cat timings.txt)"
    grep -q '^launches: [0-9]* in [0-9]* bands' timings.txt || fail "--timings: no launches line"
    # Two devices: each frame's bands go to both, the bytes are those of one device.
    POCL_DEVICES="pthread pthread" "$clrender" "${args[@]}" --device 0:0,0:1 --tile-rows 8 \
        --timings -o 'two_%d.png' 2> two.txt
    for k in 0 1 2; do same_image "q_$k.png" "two_$k.png" || fail "frame $k differs on two devices"; done
    for device in 0:0 0:1; do
        bands=$(sed -n "s/^device $device: \([0-9]*\) bands.*/\1/p" two.txt)
        [ "${bands:-0}" -gt 0 ] || fail "device $device rendered no band: $(cat two.txt)"
    done
    ;;
xray-first-angle-frames)
    # --first-angle 0:90 over 4 frames: 0, 30, 60 and 90 degrees, each as its own render.
    "$clrender" xray --voxels 32 --detector 48,32 --first-angle 0:90 --frames 4 --quiet \
        -o 'a_%d.npy'
    for k in 0 1 2 3; do
        "$clrender" xray --voxels 32 --detector 48,32 --first-angle $((30 * k)) --quiet -o one.npy
        cmp "a_$k.npy" one.npy || fail "frame $k is not --first-angle $((30 * k))"
    done
    # Several angles per frame stack into one .npy per frame.
    "$clrender" xray --voxels 32 --detector 48,32 --angles 2 --arc 90 --first-angle 0:90 \
        --frames 2 --quiet -o 'pair_%d.npy'
    "$clrender" xray --voxels 32 --detector 48,32 --angles 2 --arc 90 --first-angle 90 --quiet \
        -o pair.npy
    cmp pair_1.npy pair.npy || fail "a frame of two angles differs"
    ;;
batch-matches-commands)
    # A batch of three lines over two renderers writes the bytes of the three commands.
    cat > jobs.jsonl <<'EOF'
{"renderer": "julia", "output": "b1.png", "c": "-0.4,0.6", "size": "64x36"}

{"renderer": "sphere", "output": "b2.png", "size": "64x36", "spp": 2, "depth": 1}
{"renderer": "julia", "output": "b3.npy", "c": [-0.8, 0.156], "iter": "10:90", "size": "64x36", "verify": true}
EOF
    "$clrender" batch --timings jobs.jsonl > verify.txt 2> batch.txt
    cat batch.txt verify.txt
    grep -q '^verify: line 4: 2304 pixels compared, 0 differing' verify.txt || fail "verify line"
    grep -q '^renders: 3 done, 0 skipped' batch.txt || fail "--timings of the batch"
    [ "$(grep -c '^clrender: rendering on' batch.txt)" -eq 2 ] ||
        fail "the julia lines did not share one session"
    "$clrender" julia --c -0.4,0.6 --size 64x36 --quiet -o s1.png
    "$clrender" sphere --size 64x36 --spp 2 --depth 1 --quiet -o s2.png
    "$clrender" julia --c -0.8,0.156 --iter 10:90 --size 64x36 --quiet -o s3.npy
    same_image b1.png s1.png && same_image b2.png s2.png && cmp b3.npy s3.npy || fail "a batch file differs"
    # Standard input; --resume skips the lines whose files exist.
    rm b2.png
    "$clrender" batch --resume - < jobs.jsonl 2> resume.txt
    grep -q 'skipped 2 renders whose files exist' resume.txt || fail "$(cat resume.txt)"
    same_image b2.png s2.png || fail "the resumed line differs"
    # A line whose value is refused when its turn comes stops the batch: the files of the
    # lines before it stay, complete; nothing of it or after it is written.
    printf '%s\n' '{"renderer": "julia", "output": "ok.png", "size": "64x36"}' \
        '{"renderer": "julia", "output": "bad.png", "c": "1,2,3"}' \
        '{"renderer": "julia", "output": "after.png"}' > stop.jsonl
    set +e
    "$clrender" batch --quiet stop.jsonl 2> stop.txt
    status=$?
    set -e
    [ "$status" -eq 2 ] || fail "exit status $status, expected 2"
    grep -q "^clrender: batch: line 2: julia: --c '1,2,3'" stop.txt || fail "$(cat stop.txt)"
    [ -s ok.png ] && [ ! -e bad.png ] && [ ! -e after.png ] || fail "files: $(ls)"
    # A line of frames.
    echo '{"renderer": "julia", "output": "seq_%d.png", "frames": 3, "c": "-0.8,0.156:-0.7,0.27", "size": "96x54"}' |
        "$clrender" batch --quiet -
    "$clrender" julia --frames 3 --c -0.8,0.156:-0.7,0.27 --size 96x54 --quiet -o 'cmd_%d.png'
    for k in 0 1 2; do same_image "seq_$k.png" "cmd_$k.png" || fail "batch frame $k differs"; done
    ;;

colour-smooth-matches-numpy)
    # nu = n + 1 - log2(ln|z|) at escape radius 256, +inf inside: julia and mandelbrot, every
    # kernel, equal to numpy's within the logarithms' rounding; --verify agrees in both precisions.
    for renderer in julia mandelbrot; do
        for kernel in per-pixel simd; do
            "$clrender" $renderer --size 163x97 --iter 0:150 --values smooth --kernel $kernel \
                -o ${renderer}_$kernel.npy
        done
        for precision in double float; do
            out=$("$clrender" $renderer --size 163x97 --iter 0:150 --values smooth \
                --precision $precision --verify -o v.npy)
            grep -Eq '^verify: 15811 pixels compared, 0 differing' <<<"$out" ||
                fail "$renderer $precision smooth values differ from the reference: $out"
        done
    done
    "$python" - <<'PY' || fail "smooth values differ from numpy's"
import numpy as np
def smooth(mandelbrot, region):
    xs = np.linspace(region[0], region[1], 163)
    ys = np.linspace(region[2], region[3], 97)[::-1]
    x, y = np.meshgrid(xs, ys)
    if mandelbrot:
        z_re, z_im, c_re, c_im = np.zeros_like(x), np.zeros_like(y), x, y
    else:
        z_re, z_im, c_re, c_im = x, y, -0.835, -0.2321
    nu = np.full(x.shape, np.inf, np.float32)
    alive = np.ones(x.shape, bool)
    for k in range(150):
        z_re, z_im = (z_re * z_re - z_im * z_im) + c_re, (z_re * z_im + z_im * z_re) + c_im
        r2 = z_re * z_re + z_im * z_im
        out = alive & (r2 >= 256.0 * 256.0)
        nu[out] = (k + 1 - np.log2(np.log(r2[out]) * 0.5)).astype(np.float32)
        alive &= ~out
    return nu
for name, mandelbrot, region in (("julia", False, (-1.6, 1.6, -1.0, 1.0)),
                                 ("mandelbrot", True, (-2.5, 1.0, -1.09375, 1.09375))):
    want = smooth(mandelbrot, region)
    for kernel in ("per-pixel", "simd"):
        got = np.load("%s_%s.npy" % (name, kernel))
        assert got.dtype == np.float32 and got.shape == want.shape, (got.dtype, got.shape)
        assert np.array_equal(np.isinf(got), np.isinf(want)), (name, kernel, "inside differs")
        finite = np.isfinite(want)
        err = np.abs(got[finite] - want[finite]).max()
        assert err <= 1e-4, (name, kernel, err)
        # smooth: neighbouring escape values differ by fractions, not whole bands
        assert (np.modf(got[finite])[0] > 0.01).mean() > 0.9
    if mandelbrot:  # (this Julia set is dust: nothing stays inside at R = 256)
        assert 0.02 < np.isinf(want).mean() < 0.6
PY
    ;;
colour-maps-match-numpy)
    # The colours follow the documented maps: computed here from the .npy values with numpy.
    pal=$src/tests/palettes
    "$clrender" julia --size 120x80 --iter 5:60 -o counts.npy
    "$clrender" julia --size 120x80 --iter 5:60 --values smooth -o smooth.npy
    "$clrender" julia --size 120x80 --iter 5:60 --color palette:$pal/three.map --map linear \
        --inside 10,20,30 -o linear.ppm
    "$clrender" julia --size 120x80 --iter 5:60 --values smooth --color palette:$pal/test.gpl \
        --map log --palette-cycles 2.5 --palette-offset 0.25 -o log.ppm
    "$clrender" julia --size 120x80 --iter 5:60 --values smooth -o gray_smooth.pgm
    "$clrender" julia --size 120x80 --iter 5:60 --color smooth -o smooth.ppm
    "$clrender" julia --size 120x80 --iter 5:60 --values smooth --color palette:ultra --map log \
        -o ultra.ppm
    cmp smooth.ppm ultra.ppm || fail "--color smooth is not --values smooth --color palette:ultra"
    "$python" - <<'PY' || fail "colours differ from numpy's"
import numpy as np
from PIL import Image
def read_pnm(path):
    return np.asarray(Image.open(path)).astype(float)
def at(palette, x):  # linear interpolation between evenly spaced colours
    palette = np.asarray(palette, float)
    f = np.clip(x, 0, 1) * (len(palette) - 1)
    i = np.minimum(f.astype(int), len(palette) - 2)
    t = (f - i)[..., None]
    return palette[i] + (palette[i + 1] - palette[i]) * t
lo, hi = 5, 60
n = np.load("counts.npy").astype(float)
t = np.clip((n - lo) / (hi - lo), 0, 1)
want = at([[0, 0, 0], [255, 0, 0], [255, 255, 0], [0, 0, 255]], t)
want[n >= hi] = [10, 20, 30]
got = read_pnm("linear.ppm")
assert np.abs(got - want).max() <= 0.51, np.abs(got - want).max()
nu = np.load("smooth.npy").astype(float)
inside = np.isinf(nu)
t = np.clip(np.log1p(np.maximum(np.where(inside, lo, nu) - lo, 0)) / np.log1p(hi - lo), 0, 1)
pos = t * 2.5 + 0.25
x = pos - np.floor(pos)
x[(x == 0) & (pos > 0)] = 1
want = at([[0, 0, 0], [255, 128, 0], [255, 255, 255]], x)
want[inside] = 0
got = read_pnm("log.ppm")
assert np.abs(got - want).max() <= 0.51, np.abs(got - want).max()
t = np.where(inside, 1, np.clip((np.where(inside, 0, nu) - lo) / (hi - lo), 0, 1))
got = read_pnm("gray_smooth.pgm")
assert np.abs(got - t * 255).max() <= 0.51, np.abs(got - t * 255).max()
PY
    ;;
colour-spp-matches-numpy)
    # --spp N: N samples on the rank-1 lattice in each pixel (.npy holds them all); pictures
    # average the samples' levels; both kernels agree; --verify passes.
    for kernel in per-pixel simd; do
        out=$("$clrender" julia --size 61x37 --iter 0:80 --spp 5 --kernel $kernel --verify \
            -o spp_$kernel.npy)
        grep -Eq '^verify: 2257 pixels compared, 0 differing' <<<"$out" || fail "spp: $out"
    done
    cmp spp_per-pixel.npy spp_simd.npy || fail "the kernels' samples differ"
    "$clrender" julia --size 61x37 --iter 0:80 --spp 5 -o spp.pgm
    "$python" - <<'PY' || fail "samples differ from numpy's"
import numpy as np
W, H, S = 61, 37, 5
xs, ys = np.linspace(-1.6, 1.6, W), np.linspace(-1.0, 1.0, H)[::-1]
x_step, y_step = 3.2 / (W - 1), 2.0 / (H - 1)
got = np.load("spp_simd.npy")
assert got.shape == (H, W, S), got.shape
for s in range(S):
    dx = (s + 0.5) / S - 0.5
    lattice = 0.5 + s * 0.6180339887498949
    dy = lattice - np.floor(lattice) - 0.5
    z_re, z_im = np.meshgrid(xs + dx * x_step, ys + dy * y_step)
    n = np.full(z_re.shape, 80)
    alive = np.ones(z_re.shape, bool)
    for k in range(80):
        z_re, z_im = (z_re * z_re - z_im * z_im) + -0.835, (z_re * z_im + z_im * z_re) + -0.2321
        out = alive & (z_re * z_re + z_im * z_im >= 4.0)
        n[out] = k
        alive &= ~out
    assert np.array_equal(got[:, :, s], n), (s, int((got[:, :, s] != n).sum()))
gray = np.floor(255 * got.astype(np.int64) / 80)
want = np.floor(gray.mean(axis=2) + 0.5)
from PIL import Image
pgm = np.asarray(Image.open("spp.pgm")).astype(float)
assert np.abs(pgm - want).max() == 0, np.abs(pgm - want).max()
assert len(np.unique(got.std(axis=2) > 0)) == 2  # edges have differing samples, flat parts not
PY
    ;;
colour-histogram-is-even)
    # Histogram equalisation spreads the escaped pixels evenly over the levels.
    "$clrender" mandelbrot --size 300x200 --iter 0:500 --values smooth --map histogram -o h.pgm
    "$clrender" mandelbrot --size 300x200 --iter 0:500 --values smooth -o nu.npy
    "$python" - <<'PY' || fail "histogram colouring is not even"
import numpy as np
from PIL import Image
gray = np.asarray(Image.open("h.pgm"))
nu = np.load("nu.npy")
escaped = gray[np.isfinite(nu)].astype(float)
assert (gray[np.isinf(nu)] == 255).all()
quarters = np.histogram(escaped, bins=4, range=(0, 256))[0] / escaped.size
assert np.abs(quarters - 0.25).max() < 0.05, quarters
# a linear map of the same values leaves most pixels dark: the reason histograms exist
assert ((nu[np.isfinite(nu)] / 500) < 0.25).mean() > 0.8
PY
    ;;
colour-palette-files)
    # Fractint .map and GIMP .gpl: the first pixel level of an image coloured by each is the
    # palette's first colour (t = 0), the built-ins all render, 16-bit widens 8-bit.
    pal=$src/tests/palettes
    for palette in $pal/three.map $pal/test.gpl ultra fire ice viridis rainbow gray; do
        "$clrender" julia --size 40x25 --iter 0:30 --color palette:$palette --map linear \
            -o "p_$(basename $palette).ppm" || fail "palette $palette"
    done
    cmp p_gray.ppm p_ultra.ppm && fail "palettes ignored"
    out=$("$clrender" julia --size 40x25 --color palette:$pal/three.map --verify -o v.ppm)
    grep -Eq '^verify: 1000 pixels compared, 0 differing' <<<"$out" || fail "verify: $out"
    ;;
sphere-radiance-matches-srgb)
    # --values radiance is the linear light the sRGB bytes encode.
    for kernel in per-pixel simd; do
        out=$("$clrender" sphere --size 97x61 --values radiance --kernel $kernel --verify \
            -o r_$kernel.npy)
        grep -Eq '^verify: 5917 pixels compared, 0 differing' <<<"$out" || fail "radiance: $out"
    done
    "$clrender" sphere --size 97x61 -o s.npy
    "$python" - <<'PY' || fail "radiance does not encode to the sRGB image"
import numpy as np
r = np.load("r_simd.npy").astype(np.float64)
assert r.dtype == np.float64 and r.shape == (61, 97, 3)
assert np.array_equal(np.load("r_simd.npy"), np.load("r_per-pixel.npy"))
c = np.clip(r, 0, 1)
e = np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)
srgb = np.floor(e * 255 + 0.5)
assert np.abs(srgb - np.load("s.npy")).max() <= 1
assert r.max() > 0.5
PY
    ;;
outputs-stdout)
    # -o - --format F writes the same bytes as -o FILE.F (PNG's recorded command aside).
    for format in ppm pgm npy png mha; do
        case $format in
        ppm) renderer=(sphere --size 64x40) ;;
        *) renderer=(julia --size 64x40 --stretch) ;;
        esac
        "$clrender" "${renderer[@]}" -o - --format $format > piped.$format
        "$clrender" "${renderer[@]}" -o file.$format
        if [ $format = png ]; then
            PYTHONPATH=$src/tests/tools "$python" -c "
import numpy as np, small_readers as r
a, ta = r.read_png('piped.png'); b, tb = r.read_png('file.png')
assert np.array_equal(a, b) and ta['clrender.command'].endswith('-o - --format png')" ||
                fail "png to stdout differs"
        else
            cmp piped.$format file.$format || fail "$format to stdout differs"
        fi
    done
    out=$("$clrender" julia --size 64x40 --stretch --verify -o - --format pgm 2> err.txt | wc -c)
    [ "$out" -eq $((13 + 64 * 40)) ] || fail "stdout holds more than the image: $out bytes"
    grep -q '^verify: 2560 pixels compared, 0 differing' err.txt || fail "verify line not on stderr"
    ;;
outputs-deep-and-text)
    # 16-bit PNG (gray and colour) read back by an independent decoder: the 8-bit picture is
    # its rounding; every PNG and EXR records the version and the command; clrender info
    # prints them.
    "$clrender" julia --size 90x50 --stretch --values smooth --color palette:fire -o c8.png
    "$clrender" julia --size 90x50 --stretch --values smooth --color palette:fire \
        --bit-depth 16 -o 'c 16.png'
    "$clrender" julia --size 90x50 --stretch --values smooth --bit-depth 16 -o g16.png
    "$clrender" julia --size 90x50 --stretch --values smooth -o g8.png
    "$clrender" julia --size 90x50 --stretch --bit-depth 16 -o g16.pgm
    PYTHONPATH=$src/tests/tools "$python" - <<'PY' || fail "16-bit PNG"
import numpy as np, small_readers as r
from PIL import Image
c16, text = r.read_png("c 16.png")
c8, _ = r.read_png("c8.png")
assert c16.dtype == np.uint16 and c16.shape == (50, 90, 3)
assert np.abs(c16 / 257.0 - c8).max() <= 0.5 + 1e-9
assert len(np.unique(c16)) > 4 * len(np.unique(c8)), "16 bits hold no more levels"
assert text["Software"].startswith("clrender ")
assert text["clrender.command"].endswith("--bit-depth 16 -o 'c 16.png'"), text
g16, _ = r.read_png("g16.png")
assert np.array_equal(np.asarray(Image.open("g16.png")), g16)  # PIL agrees (I;16)
g8, _ = r.read_png("g8.png")
assert np.abs(g16 / 257.0 - g8).max() <= 0.5 + 1e-9
pgm = np.asarray(Image.open("g16.pgm"))
assert np.array_equal(pgm, r.read_png("g16.png")[0]) or pgm.max() > 255
PY
    out=$("$clrender" info 'c 16.png')
    grep -qx "clrender.command: clrender julia --size 90x50 --stretch --values smooth --color palette:fire --bit-depth 16 -o 'c 16.png'" <<<"$out" ||
        fail "info: $out"
    # the recorded command, run again, makes the same file
    mv 'c 16.png' first.png
    command=$(sed -n 's/^clrender.command: clrender//p' <<<"$out")
    eval "\"\$clrender\"$command"
    cmp first.png 'c 16.png' || fail "the recorded command makes another file"
    # a damaged PNG is refused with one line
    head -c 100 first.png > cut.png
    ! "$clrender" info cut.png 2> err.txt || fail "info read a truncated PNG"
    grep -q "^clrender: .*cut.png" err.txt || fail "info: $(cat err.txt)"
    ;;
outputs-exr)
    # EXR read back by the tests' own reader: smooth values and radiance equal the .npy.
    "$clrender" mandelbrot --size 77x45 --stretch --values smooth -o m.exr
    "$clrender" mandelbrot --size 77x45 --stretch --values smooth -o m.npy
    "$clrender" sphere --size 77x45 --values radiance -o r.exr
    "$clrender" sphere --size 77x45 --values radiance -o r.npy
    PYTHONPATH=$src/tests/tools "$python" - <<'PY' || fail "EXR differs from .npy"
import numpy as np, small_readers as r
m, text = r.read_exr("m.exr")
assert m.shape == (45, 77) and np.array_equal(m, np.load("m.npy")), "smooth values"
assert np.isinf(m).any() and text["clrender.command"].endswith("-o m.exr")
rad, _ = r.read_exr("r.exr")
assert rad.shape == (45, 77, 3) and np.array_equal(rad, np.load("r.npy")), "radiance"
PY
    "$clrender" info r.exr | grep -q '^size: 77x45, channels B G R, float, zip compression' ||
        fail "info r.exr"
    ;;
kernel-cache)
    # A second process loads the program the first one built (--timings says which) and
    # renders the same image; a damaged entry is ignored, built again and replaced; a cache
    # that cannot be written costs one warning and nothing else; CLRENDER_NO_CACHE=1 keeps
    # nothing; another precision is another program, kept beside the first.
    export CLRENDER_CACHE_DIR=$work/cache
    args=(julia --size 64x40 --iter 0:50 --c 0.3,0.5)
    programs() { sed -n 's/^programs: \(.*\)/\1/p' "$1"; }
    "$clrender" "${args[@]}" --timings -o first.npy 2> first.txt
    [ "$(programs first.txt)" = "0 from the cache, 1 built" ] || fail "first: $(cat first.txt)"
    entry=$(ls cache/*.bin)
    [ "$(ls -A cache | wc -l)" -eq 1 ] || fail "the cache holds $(ls -A cache)"
    "$clrender" "${args[@]}" --timings -o second.npy 2> second.txt
    [ "$(programs second.txt)" = "1 from the cache, 0 built" ] || fail "second: $(cat second.txt)"
    cmp first.npy second.npy || fail "the cached program renders another image"
    "$clrender" "${args[@]}" --verify -o verified.png | grep -q ' 0 differing' ||
        fail "the cached program fails --verify"
    for damage in flip cut empty; do
        case $damage in
        flip) "$python" -c "
import sys; p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[len(b) // 2] ^= 0xff
open(p, 'wb').write(b)" "$entry" ;;
        cut) truncate -s 1000 "$entry" ;;
        empty) : > "$entry" ;;
        esac
        "$clrender" "${args[@]}" --timings -o damaged.npy 2> damaged.txt
        [ "$(programs damaged.txt)" = "0 from the cache, 1 built" ] ||
            fail "$damage: $(cat damaged.txt)"
        ! grep -q warning damaged.txt || fail "$damage: $(cat damaged.txt)"
        cmp first.npy damaged.npy || fail "$damage: another image"
        "$clrender" "${args[@]}" --timings -o again.npy 2> again.txt
        [ "$(programs again.txt)" = "1 from the cache, 0 built" ] ||
            fail "$damage: the entry was not replaced: $(cat again.txt)"
    done
    "$clrender" "${args[@]}" --precision float --timings -o float.npy 2> float.txt
    [ "$(programs float.txt)" = "0 from the cache, 1 built" ] || fail "float: $(cat float.txt)"
    [ "$(ls -A cache | wc -l)" -eq 2 ] || fail "the cache holds $(ls -A cache)"
    # Unwritable: a file stands where the directory would be.
    printf x > blocker
    CLRENDER_CACHE_DIR=$work/blocker/cache "$clrender" "${args[@]}" -o blocked.npy 2> blocked.txt
    cmp first.npy blocked.npy || fail "an unwritable cache changed the image"
    [ "$(grep -c 'warning: kernel cache' blocked.txt)" -eq 1 ] || fail "$(cat blocked.txt)"
    grep -q "blocker' is not a directory" blocked.txt || fail "$(cat blocked.txt)"
    # Off: nothing kept, nothing read.
    CLRENDER_NO_CACHE=1 CLRENDER_CACHE_DIR=$work/off "$clrender" "${args[@]}" --timings \
        -o off.npy 2> off.txt
    [ "$(programs off.txt)" = "0 from the cache, 1 built" ] || fail "off: $(cat off.txt)"
    [ ! -e off ] || fail "CLRENDER_NO_CACHE=1 made $(ls -A off)"
    cmp first.npy off.npy || fail "without the cache another image"
    # The default place: $XDG_CACHE_HOME/clrender, else ~/.cache/clrender.
    (unset CLRENDER_CACHE_DIR; XDG_CACHE_HOME=$work/xdg "$clrender" "${args[@]}" -o xdg.npy)
    [ -n "$(ls xdg/clrender/*.bin)" ] || fail "nothing in \$XDG_CACHE_HOME/clrender"
    (unset CLRENDER_CACHE_DIR XDG_CACHE_HOME; HOME=$work/home "$clrender" "${args[@]}" -o home.npy)
    [ -n "$(ls home/.cache/clrender/*.bin)" ] || fail "nothing in ~/.cache/clrender"
    ;;
timings-add-up)
    # The phases of --timings add up to the total, which is the process's wall time up to
    # the lines (all but the exit): setup (from the process's start) to other.
    start=$("$python" -c 'import time; print(time.monotonic())')
    "$clrender" julia --size 64x40 --timings -o t.png 2> t.txt
    end=$("$python" -c 'import time; print(time.monotonic())')
    cat t.txt
    "$python" - "$start" "$end" <<'PY' || fail "the phases do not add up: $(cat t.txt)"
import re, sys
start, end = float(sys.argv[1]), float(sys.argv[2])
lines = dict(re.findall(r"^(\w+): (-?[0-9.]+) ms$", open("t.txt").read(), re.M))
phases = ["setup", "build", "upload", "kernel", "transfer", "encode", "write", "other"]
assert set(phases) <= set(lines), lines
total = float(lines["total"])
assert abs(sum(float(lines[p]) for p in phases) - total) < 0.5, lines
# The total is the process's own time: less than the wall time around it (a Python start
# and an exit on each side), more than its set-up alone.
assert float(lines["setup"]) > 0 and total < (end - start) * 1e3, (total, end - start)
PY
    ;;
*)
    fail "unknown check $check"
    ;;
esac
echo "ok: $check"
