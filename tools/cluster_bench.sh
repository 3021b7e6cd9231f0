#!/usr/bin/env bash
# tools/cluster_bench.sh [RUNS] [-- RENDER ARGS...] — one render alone, then over 1 and 2 MPI
# ranks (docs/CLUSTER.md, "Measured"), RUNS times each (default 3), in turns so that all see
# the same load; prints the wall times and checks every output against the single process's.
#
#   tools/cluster_bench.sh 3 -- julia --preset blog-zoom --size 8000x5000 --iter 0:5000
#
# MPI_ARGS adds options to mpirun (e.g. MPI_ARGS="--mca pml ob1 --mca btl self,vader").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CLRENDER_BUILD_DIR:-$root/build}
runs=${1:-3}
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

seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

"$build/clrender" "${args[@]}" --quiet -o reference.npy
declare -A times
for ((run = 0; run < runs; ++run)); do
    times[alone]+=" $(seconds "$build/clrender" "${args[@]}" --quiet -o out.npy)"
    times[np1]+=" $(seconds "${mpirun[@]}" -np 1 "$build/clrender-mpi" "${args[@]}" --quiet -o out.npy)"
    cmp -s out.npy reference.npy || { echo "1 rank: the output differs" >&2; exit 1; }
    times[np2]+=" $(seconds "${mpirun[@]}" -np 2 "$build/clrender" "${args[@]}" --quiet -o out.npy)"
    cmp -s out.npy reference.npy || { echo "2 ranks: the output differs" >&2; exit 1; }
done
echo "clrender ${args[*]} -o out.npy, $(nproc) cores, seconds per run:"
printf '  %-28s%s\n' "one process" "${times[alone]}" "mpirun -np 1 clrender-mpi" "${times[np1]}" \
    "mpirun -np 2 clrender" "${times[np2]}"
echo "every output identical to the single process's"
