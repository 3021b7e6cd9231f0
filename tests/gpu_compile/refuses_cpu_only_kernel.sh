#!/usr/bin/env bash
# refuses_cpu_only_kernel.sh KERNEL_MATRIX KERNEL_DIR CHECK_SCRIPT
#
# The GPU compile check must fail on a kernel that PoCL builds but a GPU cannot: julia.cl with
# an x86 builtin (a spin hint) added to its per-pixel loop.
set -euo pipefail
matrix=$1 kernels=$2 check=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$kernels"/* "$work/"
sed -i "s|^\( *\)uint count = max_iter;$|\1uint count = max_iter;\n\1__builtin_ia32_pause();|" "$work/julia.cl"
grep -q __builtin_ia32_pause "$work/julia.cl" || { echo "FAIL: the sed did not change julia.cl"; exit 1; }
if bash "$check" "$matrix" "$work" > "$work/out.txt" 2>&1; then
    cat "$work/out.txt"
    echo "FAIL: the check accepted a kernel with an x86 builtin"
    exit 1
fi
grep -q "FAIL: julia.cl .* does not compile for nvptx64" "$work/out.txt" ||
    { cat "$work/out.txt"; echo "FAIL: the check failed for another reason"; exit 1; }
grep -q "__builtin_ia32_pause" "$work/out.txt" || { echo "FAIL: clang's message is not shown"; exit 1; }
echo "ok: the x86 builtin was refused"
