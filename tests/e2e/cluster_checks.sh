#!/usr/bin/env bash
# cluster_checks.sh CHECK CLRENDER SOURCE_DIR
#
# End-to-end checks of `mpirun -np 3 clrender ...` (docs/CLUSTER.md) on this one machine's
# PoCL CPU device: each output must be the single process's, byte for byte. Registered only
# when the build has clrender-mpi (CLRENDER_MPI).
set -euo pipefail
check=$1 clrender=$2 src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export CLRENDER_DEVICE=cpu
mpirun=(mpirun --allow-run-as-root --oversubscribe)

fail() { echo "FAIL: $*" >&2; exit 1; }

# Renders `args` once alone and once over three ranks, each into out.EXT of its own
# directory (the same command: PNG and EXR record it), and compares the bytes.
same_as_one_process() {
    local ext=$1; shift
    mkdir one three
    (cd one && "$clrender" "$@" -o "out.$ext")
    (cd three && "${mpirun[@]}" -np 3 "$clrender" "$@" -o "out.$ext") 2>err.txt || {
        cat err.txt >&2; fail "mpirun -np 3 failed"; }
    cat err.txt
    # Rank 0 says how the bands were shared; every rank must have rendered some.
    grep -Eq '(bands of [0-9]+ rows|frames) over 3 ranks: [1-9][0-9]*, [1-9][0-9]*, [1-9][0-9]*(;|$)' \
        err.txt || fail "not every rank rendered a band"
    cmp "one/out.$ext" "three/out.$ext" || fail ".$ext over 3 ranks differs from one process"
    # Nothing but the output: no temporary file left behind.
    [[ $(ls -A three) == "out.$ext" ]] || fail "left behind: $(ls -A three)"
}

# The verify lines of `args` alone and over three ranks (each rank verifies its units, rank 0
# adds them up) must be the same, and so must the files.
verify_same_as_one_process() {
    mkdir one three
    (cd one && "$clrender" "$@" >../one.txt)
    (cd three && "${mpirun[@]}" -np 3 "$clrender" "$@" >../three.txt)
    cat three.txt
    grep -q '^verify: ' three.txt || fail "no verify line"
    cmp one.txt three.txt || fail "the verify lines differ"
    diff -r one three || fail "the files differ"
}

case "$check" in
julia-npy)
    same_as_one_process npy julia --preset blog-overview
    ;;
julia-pgm)
    # Gray levels (to_output) and a band height that does not divide the image's.
    same_as_one_process pgm julia --preset blog-overview --size 999x601
    ;;
julia-png)
    # Gathered to rank 0 and encoded there: PNG's deflate stream is one for the whole image.
    same_as_one_process png julia --preset blog-overview
    # A window of 2 bands of 28 rows past the one the file needs: rank 0 holds at most those
    # and one band it fetched ahead (84 rows); it hands out no more until the file moves on.
    # (Which ranks render then depends on timing: rank 0 answers waiting ranks first.)
    (cd three && CLRENDER_TEST_GATHER_WINDOW=2 "${mpirun[@]}" -np 3 "$clrender" julia \
        --preset blog-overview -o out.png) 2>err.txt || { cat err.txt >&2; fail "mpirun failed"; }
    cat err.txt
    cmp one/out.png three/out.png || fail "the PNG differs from one process with a window of 2"
    held=$(sed -n 's/.*rank 0 held at most \([0-9]*\) rows gathered ahead of the file$/\1/p' \
        err.txt)
    [[ -n $held && $held -le 84 ]] || fail "rank 0 held ${held:-?} rows, more than the window"
    ;;
sphere-exr)
    same_as_one_process exr sphere --size 320x240 --values radiance
    ;;
xray-angles-mha)
    # A stack of projections: bands of every angle, the pixel spacing in the header.
    same_as_one_process mha xray --detector 96,64 --voxels 48 --angles 6
    ;;
xray-window-frames)
    # An X-ray .pgm/.png fits its grey window to each projection: whole frames are the units,
    # one file per angle gathered to rank 0.
    mkdir one three many-one many-three
    (cd one && "$clrender" xray --detector 96,64 --voxels 48 -o one.pgm)
    (cd three && "${mpirun[@]}" -np 3 "$clrender" xray --detector 96,64 --voxels 48 -o one.pgm) \
        2>err.txt || { cat err.txt >&2; fail "mpirun failed"; }
    grep -q '^clrender: 1 frames over 3 ranks' err.txt || fail "expected one whole frame"
    cmp one/one.pgm three/one.pgm || fail "the windowed .pgm differs from one process"
    [[ $(ls -A three) == one.pgm ]] || fail "left behind: $(ls -A three)"
    (cd many-one && "$clrender" xray --detector 96,64 --voxels 48 --angles 24 -o 'a%02d.png')
    (cd many-three && "${mpirun[@]}" -np 3 "$clrender" xray --detector 96,64 --voxels 48 \
        --angles 24 -o 'a%02d.png') 2>err.txt || { cat err.txt >&2; fail "mpirun failed"; }
    cat err.txt
    # (how many each rank takes depends on timing: at least two must have rendered)
    share=$(sed -n 's/^clrender: 24 frames over 3 ranks: //p' err.txt)
    [[ -n $share ]] || fail "no share line"
    [[ $(tr ',' '\n' <<<"$share" | awk '$1 > 0' | wc -l) -ge 2 ]] ||
        fail "one rank rendered every frame: $share"
    diff -r many-one many-three || fail "the angles' files differ"
    ;;
xray-verify)
    # Double precision: each projection judged against its own largest value, so whole
    # frames; analytic: the mean over all angles, relative to the largest value of all.
    verify_same_as_one_process xray --detector 64,48 --voxels 32 --angles 9 --precision double \
        --verify -o x.npy
    rm -rf one three
    verify_same_as_one_process xray --detector 64,48 --voxels 32 --angles 9 --verify \
        --reference analytic --tolerance 0.1 -o x.mha
    ;;
rank-fails-cleanly)
    # Rank 2's device fails every launch: the job fails with one line that names rank 2,
    # and neither the target nor a temporary file is left.
    echo old >existing.npy
    set +e
    "${mpirun[@]}" -np 2 "$clrender" julia --preset blog-overview -o existing.npy : \
        -np 1 -x CLRENDER_TEST_FAIL_LAUNCHES=1000000 "$clrender" julia --preset blog-overview \
        -o existing.npy 2>err.txt
    status=$?
    set -e
    cat err.txt
    [[ $status -ne 0 ]] || fail "the job succeeded"
    [[ $(grep -c '^clrender: rank ' err.txt) -eq 1 ]] || fail "expected one line naming a rank"
    grep -Eq '^clrender: rank 2 \([^)]+\): clEnqueueNDRangeKernel failed: CL_OUT_OF_RESOURCES' \
        err.txt || fail "the line does not name rank 2 and its cause"
    [[ $(cat existing.npy) == old ]] || fail "the existing target was touched"
    [[ $(ls -A | sort | tr '\n' ' ') == "err.txt existing.npy " ]] || fail "left behind: $(ls -A)"
    ;;
rank-killed-fails-cleanly)
    # Rank 2 dies of SIGKILL (as of the OOM killer) when its first band comes, the others
    # rendering: mpirun stops them with SIGTERM, whose handler removes the shared temporary
    # file; rank 0 names rank 2 and says what became of the target, which is untouched.
    echo old >existing.npy
    args=(julia --preset blog-overview --size 3000x2000 -o existing.npy)
    set +e
    "${mpirun[@]}" -np 2 "$clrender" "${args[@]}" : \
        -np 1 -x CLRENDER_TEST_KILL_AFTER_BANDS=1 "$clrender" "${args[@]}" 2>err.txt
    status=$?
    set -e
    cat err.txt
    [[ $status -ne 0 ]] || fail "the job succeeded"
    grep -q 'process rank 2 .* exited on signal 9' err.txt || fail "mpirun does not name rank 2"
    # Rank 0 sees that rank 2, on its host, is gone without having handled a signal.
    grep -Eqx "clrender: rank 2 \(.+\) was killed \(SIGKILL, perhaps by the out-of-memory \
killer\), and mpirun stopped the job; 'existing.npy' was left as it was" err.txt ||
        fail "rank 0 does not name the killed rank and say what became of the target"
    [[ $(cat existing.npy) == old ]] || fail "the existing target was touched"
    [[ $(ls -A | sort | tr '\n' ' ') == "err.txt existing.npy " ]] || fail "left behind: $(ls -A)"
    ;;
signal-to-mpirun)
    # A signal to mpirun reaches every rank as SIGTERM: as one process, no file is left and
    # rank 0's one line blames no rank.
    "${mpirun[@]}" -np 3 "$clrender" xray --detector 1000,1000 --voxels 64 --angles 2000 \
        -o z.npy 2>err.txt &
    job=$!
    for _ in $(seq 600); do
        compgen -G '.z.npy.mpi-*' >/dev/null && break
        sleep 0.05
    done
    compgen -G '.z.npy.mpi-*' >/dev/null || fail "the render never started"
    sleep 0.5
    kill -TERM "$job"
    set +e
    wait "$job"
    status=$?
    set -e
    cat err.txt
    [[ $status -ne 0 ]] || fail "the job succeeded"
    grep -qx "clrender: stopped by SIGTERM; no 'z.npy' was written" err.txt ||
        fail "rank 0 does not say what became of the target"
    ! grep -q 'was killed' err.txt || fail "a rank was blamed for the signal"
    [[ $(ls -A) == err.txt ]] || fail "left behind: $(ls -A)"
    ;;
frames-zoom)
    # A sequence: each frame a unit, written and committed by the rank that rendered it, every
    # file the single process's byte for byte (PNG: the same command in both directories).
    # --verify lines come from the rank of each frame; --resume renders only what is missing.
    seq=(julia --frames 6 --region=-1.6,1.6,-1,1:-0.2,0.2,-0.125,0.125 --size 160x100 --verify
         -o 'f%02d.png')
    mkdir one three
    (cd one && "$clrender" "${seq[@]}" >/dev/null)
    (cd three && "${mpirun[@]}" -np 3 "$clrender" "${seq[@]}") >out.txt 2>err.txt ||
        { cat out.txt err.txt >&2; fail "mpirun -np 3 failed"; }
    cat out.txt err.txt
    grep -q '^clrender: 6 frames over 3 ranks: ' err.txt || fail "no share line"
    [[ $(grep -c '^verify: frame [0-5]: 16000 pixels compared, 0 differing' out.txt) -eq 6 ]] ||
        fail "expected 6 verify lines"
    for k in 00 01 02 03 04 05; do
        cmp "one/f$k.png" "three/f$k.png" || fail "frame $k differs from one process"
    done
    [[ $(ls -A three | tr '\n' ' ') == "f00.png f01.png f02.png f03.png f04.png f05.png " ]] ||
        fail "left behind: $(ls -A three)"
    # PNG records the command: the single process resumes too, for the same bytes.
    rm one/f01.png one/f04.png three/f01.png three/f04.png
    (cd one && "$clrender" "${seq[@]}" --resume >/dev/null 2>&1)
    (cd three && "${mpirun[@]}" -np 3 "$clrender" "${seq[@]}" --resume) >out.txt 2>err.txt ||
        { cat out.txt err.txt >&2; fail "mpirun -np 3 --resume failed"; }
    cat err.txt
    grep -q -- '--resume: 4 of 6 frames exist already, 2 to render' err.txt ||
        fail "--resume did not say what it skips"
    [[ $(grep -c '^verify: frame' out.txt) -eq 2 ]] || fail "expected 2 frames rendered"
    cmp one/f01.png three/f01.png && cmp one/f04.png three/f04.png || fail "resumed frames differ"
    ;;
device-by-local-rank)
    # PoCL shows two CPU devices: the three ranks of this host take them in turn, and the
    # image is still the single process's.
    # One process alone is local rank 0.
    export POCL_DEVICES="pthread pthread"
    "$clrender" julia --preset blog-overview --device local-rank -o one.npy 2>err.txt
    grep -q '^clrender: rendering on 0:0 ' err.txt || fail "one process did not take 0:0"
    for spec in local-rank cpu:local-rank; do
        rm -f three.npy
        "${mpirun[@]}" -np 3 "$clrender" julia --preset blog-overview --device "$spec" \
            -o three.npy 2>err.txt || { cat err.txt >&2; fail "mpirun -np 3 failed"; }
        cat err.txt
        grep -q '^clrender: devices by rank: 0:0, 0:1, 0:0$' err.txt ||
            fail "the ranks did not take the host's devices in turn ($spec)"
        cmp one.npy three.npy || fail "the image differs from one process ($spec)"
    done
    set +e
    "${mpirun[@]}" -np 3 "$clrender" julia --size 8x8 --device gpu:local-rank -o g.npy 2>err.txt
    status=$?
    set -e
    [[ $status -eq 1 ]] || fail "gpu:local-rank without a GPU: exit $status"
    grep -q "^clrender: rank 0 (.*): no OpenCL device matches 'gpu:local-rank'" err.txt ||
        fail "no reason given for gpu:local-rank"
    ;;
progress-from-rank-0)
    # One bar for the job, from rank 0, counting every rank's bands: it ends at 100 % once.
    "${mpirun[@]}" -np 3 "$clrender" julia --preset blog-overview --progress -o p.npy 2>err.txt
    tr '\r' '\n' <err.txt | grep 'clrender: \[' | tail -3
    [[ $(tr '\r' '\n' <err.txt | grep -c 'clrender: \[#*\] 100%') -eq 1 ]] ||
        fail "expected one finished bar"
    tr '\r' '\n' <err.txt | grep -q 'band 23/23' || fail "the bar does not count all 23 bands"
    ;;
verify-over-ranks)
    # Each rank verifies its bands; rank 0 adds them up: the single process's verify line.
    "$clrender" julia --preset blog-overview --verify -o one.png >one.txt
    "${mpirun[@]}" -np 3 "$clrender" julia --preset blog-overview --verify -o three.png >three.txt
    cat one.txt three.txt
    grep -q '^verify: 625000 pixels compared, 0 differing' three.txt || fail "no verify line"
    cmp one.txt three.txt || fail "the verify lines differ"
    ;;
wrong-kernel-on-one-rank-fails-verify)
    # Rank 1 builds a kernel with one sign flipped: the job's verification fails (exit 3), the
    # other ranks' bands are right but the file is not written, the existing one kept.
    mkdir kernels
    cp "$src"/kernels/* kernels/
    sed 's/+ add_re_##v;/- add_re_##v;/' "$src/kernels/julia.cl" > kernels/julia.cl
    ! cmp -s kernels/julia.cl "$src/kernels/julia.cl" || fail "the sed did not change the kernel"
    printf precious >kept.png
    args=(julia --preset blog-overview --verify -o kept.png)
    set +e
    "${mpirun[@]}" -np 1 "$clrender" "${args[@]}" : -np 1 -x CLRENDER_KERNEL_DIR=$PWD/kernels \
        "$clrender" "${args[@]}" : -np 1 "$clrender" "${args[@]}" >out.txt 2>err.txt
    status=$?
    set -e
    cat out.txt err.txt
    [[ $status -eq 3 ]] || fail "expected exit status 3, got $status"
    grep -Eq '^verify: 625000 pixels compared, [1-9][0-9]* differing' out.txt ||
        fail "the verify line does not count rank 1's differing pixels"
    grep -q '^clrender: verify failed' err.txt || fail "no verify failure line"
    [[ $(cat kept.png) == precious ]] || fail "the existing file was replaced"
    [[ $(ls -A | sort | tr '\n' ' ') == "err.txt kept.png kernels out.txt " ]] ||
        fail "left behind: $(ls -A)"
    ;;
stdout-and-timings)
    # -o - gathers to rank 0, whose standard output mpirun passes on: the single process's bytes.
    # (the same command: PNG records it)
    "$clrender" julia --preset blog-overview -o - --format png --verify --timings >one.png \
        2>/dev/null
    "${mpirun[@]}" -np 3 "$clrender" julia --preset blog-overview -o - --format png \
        --verify --timings >three.png 2>err.txt || { cat err.txt >&2; fail "mpirun failed"; }
    cat err.txt
    cmp one.png three.png || fail "standard output differs from one process"
    # The verify line goes to stderr (stdout is the image), a timings line for every rank.
    grep -q '^verify: 625000 pixels compared, 0 differing' err.txt || fail "no verify line"
    for r in 0 1 2; do
        grep -Eq "^rank $r: setup [0-9.]+, build .* mpi wait [0-9.]+, other -?[0-9.]+, total \
[0-9.]+ ms; [0-9]+ bands$" err.txt || fail "no timings line for rank $r"
    done
    grep -Eq '^total: [0-9.]+ ms' err.txt || fail "no total"
    # A usage error is refused before any work, with one line, as by one process.
    set +e
    "${mpirun[@]}" -np 3 "$clrender" julia --size 8x8 --resume -o t.npy 2>err.txt
    status=$?
    set -e
    [[ $status -eq 2 ]] || fail "expected exit status 2, got $status"
    grep -q '^clrender: julia: --resume skips the finished frames of a run' err.txt ||
        fail "no reason given for --resume"
    [[ $(ls -A | sort | tr '\n' ' ') == "err.txt one.png three.png " ]] ||
        fail "left behind: $(ls -A)"
    ;;
*)
    fail "unknown check '$check'"
    ;;
esac
