#!/usr/bin/env bash
# tools/cluster_bench.sh [RUNS] [-- RENDER ARGS...] — one render alone, then over 1 and 2 MPI
# ranks (docs/CLUSTER.md, "Measured"), RUNS times each (default 5), in turns so that all see
# the same load; prints every wall time, the medians and their ratios, and checks every output
# against the single process's.
#
#   tools/cluster_bench.sh 5 -- julia --preset blog-zoom --size 8000x5000 --iter 0:5000
#   ONE_CORE_EACH=1 tools/cluster_bench.sh 5 -- xray --detector 512,512 --voxels 256 --angles 32
#
# ONE_CORE_EACH=1 gives every process one core (PoCL's device one thread, the process bound to
# a core): then 2 ranks have twice the cores of 1, and the ratio measures scaling; without it
# every process's device uses all cores (mpirun --bind-to none), and 2 ranks on this machine
# measure only overhead. MPI_ARGS adds options to mpirun; CLRENDER_BUILD_DIR names the build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CLRENDER_BUILD_DIR:-$root/build-release}
[[ -x $build/clrender-mpi ]] || { echo "no $build/clrender-mpi: build with -DCLRENDER_MPI=ON" >&2; exit 2; }
runs=${1:-5}
shift || true
[[ ${1:-} == -- ]] && shift
args=("$@")
((${#args[@]})) || args=(julia --preset blog-zoom --size 8000x5000 --iter 0:5000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export CLRENDER_DEVICE=${CLRENDER_DEVICE:-cpu}
read -r -a mpi_args <<<"${MPI_ARGS:-}"
mpirun=(mpirun --allow-run-as-root --oversubscribe "${mpi_args[@]}")
alone=("$build/clrender")
if [[ ${ONE_CORE_EACH:-0} == 1 ]]; then
    export POCL_MAX_PTHREAD_COUNT=1
    mpirun+=(-x POCL_MAX_PTHREAD_COUNT --bind-to core)
    alone=(taskset -c 0 "$build/clrender")
else
    mpirun+=(--bind-to none) # else Open MPI binds 1 or 2 ranks to one core each
fi

seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

"$build/clrender" "${args[@]}" --quiet -o reference.npy
declare -A times
for ((run = 0; run < runs; ++run)); do
    times[alone]+=" $(seconds "${alone[@]}" "${args[@]}" --quiet -o out.npy)"
    cmp -s out.npy reference.npy || { echo "one process: the output differs" >&2; exit 1; }
    times[np1]+=" $(seconds "${mpirun[@]}" -np 1 "$build/clrender-mpi" "${args[@]}" --quiet -o out.npy)"
    cmp -s out.npy reference.npy || { echo "1 rank: the output differs" >&2; exit 1; }
    times[np2]+=" $(seconds "${mpirun[@]}" -np 2 "$build/clrender" "${args[@]}" --quiet -o out.npy)"
    cmp -s out.npy reference.npy || { echo "2 ranks: the output differs" >&2; exit 1; }
done
alone_median=$(median <<<"${times[alone]}")
np1_median=$(median <<<"${times[np1]}")
np2_median=$(median <<<"${times[np2]}")
echo "clrender ${args[*]} -o out.npy, $(nproc) cores$([[ ${ONE_CORE_EACH:-0} == 1 ]] && echo ", one core per process"), seconds per run:"
printf '  %-28s%s  (median %s)\n' "one process" "${times[alone]}" "$alone_median" \
    "mpirun -np 1 clrender-mpi" "${times[np1]}" "$np1_median" \
    "mpirun -np 2 clrender" "${times[np2]}" "$np2_median"
awk -v a="$alone_median" -v one="$np1_median" -v two="$np2_median" 'BEGIN {
    printf "  1 rank / one process: %.2fx the time; 2 ranks: %.2fx faster than 1 rank, %.2fx than one process\n",
        one / a, one / two, a / two }'
echo "every output identical to the single process's"
