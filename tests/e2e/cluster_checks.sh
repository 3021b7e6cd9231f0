#!/usr/bin/env bash
# cluster_checks.sh CHECK CLRENDER SOURCE_DIR
#
# End-to-end checks of `mpirun -np 3 clrender ...` (docs/CLUSTER.md) on this one machine's
# PoCL CPU device: each output must be the single process's, byte for byte. Registered only
# when the build has clrender-mpi (CLRENDER_MPI).
set -euo pipefail
check=$1 clrender=$2
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
    grep -Eq 'bands of [0-9]+ rows over 3 ranks: [1-9][0-9]*, [1-9][0-9]*, [1-9][0-9]*$' err.txt ||
        fail "not every rank rendered a band"
    cmp "one/out.$ext" "three/out.$ext" || fail ".$ext over 3 ranks differs from one process"
    # Nothing but the output: no temporary file left behind.
    [[ $(ls -A three) == "out.$ext" ]] || fail "left behind: $(ls -A three)"
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
    ;;
sphere-exr)
    same_as_one_process exr sphere --size 320x240 --values radiance
    ;;
xray-angles-mha)
    # A stack of projections: bands of every angle, the pixel spacing in the header.
    same_as_one_process mha xray --detector 96,64 --voxels 48 --angles 6
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
    # Rank 2 dies of SIGKILL (as of the OOM killer) after two bands: mpirun names it and
    # stops the others with SIGTERM, whose handler removes the shared temporary file; rank 0
    # says what became of the target. The existing target is untouched.
    echo old >existing.npy
    args=(julia --preset blog-overview --size 1500x1000 -o existing.npy)
    set +e
    "${mpirun[@]}" -np 2 "$clrender" "${args[@]}" : \
        -np 1 -x CLRENDER_TEST_KILL_AFTER_BANDS=2 "$clrender" "${args[@]}" 2>err.txt
    status=$?
    set -e
    cat err.txt
    [[ $status -ne 0 ]] || fail "the job succeeded"
    grep -q 'process rank 2 .* exited on signal 9' err.txt || fail "mpirun does not name rank 2"
    grep -qx "clrender: stopped by SIGTERM; 'existing.npy' was left as it was" err.txt ||
        fail "rank 0 does not say what became of the target"
    [[ $(cat existing.npy) == old ]] || fail "the existing target was touched"
    [[ $(ls -A | sort | tr '\n' ' ') == "err.txt existing.npy " ]] || fail "left behind: $(ls -A)"
    ;;
refuses-what-it-cannot-yet)
    set +e
    "${mpirun[@]}" -np 3 "$clrender" julia --preset blog-overview --verify -o v.npy 2>err.txt
    status=$?
    set -e
    cat err.txt
    [[ $status -eq 2 ]] || fail "expected exit status 2, got $status"
    grep -q '^clrender: --verify is not supported under mpirun yet' err.txt || fail "no reason given"
    [[ $(ls -A) == err.txt ]] || fail "left behind: $(ls -A)"
    ;;
*)
    fail "unknown check '$check'"
    ;;
esac
