#!/usr/bin/env bash
# compile_for_gpu.sh KERNEL_MATRIX KERNEL_DIR
#
# Compiles every kernel launch that KERNEL_MATRIX lists (program, entry point, build options:
# every renderer's variants, precisions and SIMD widths) from KERNEL_DIR for an NVIDIA GPU
# target with Debian's clang, as OpenCL C 1.2, warnings as errors. PoCL compiles for the host
# CPU, so a kernel can build there and still fail on a GPU (an x86 builtin, a header only the
# CPU target has); this catches that before the kernel reaches one. Each entry point must be in
# the PTX, and every KERNEL_DIR/*.cl must be compiled at least once, so no kernel escapes.
set -uo pipefail
matrix=$1 kernels=$2
clang=${CLANG:-clang}
command -v "$clang" > /dev/null || { echo "FAIL: $clang not found (tools/setup installs it)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$matrix" > "$work/matrix.txt" || { echo "FAIL: $matrix failed"; exit 1; }
failed=0 count=0
while IFS=$'\t' read -r program entry options; do
    count=$((count + 1))
    ptx="$work/$program-$count.ptx"
    # shellcheck disable=SC2086 # the build options are words
    if ! "$clang" -x cl -cl-std=CL1.2 -target nvptx64-nvidia-cuda -Wall -Werror -S -o "$ptx" \
        $options "$kernels/$program.cl" 2> "$work/log"; then
        echo "FAIL: $program.cl [$options] does not compile for nvptx64:"
        cat "$work/log"
        failed=1
        continue
    fi
    if ! grep -Eq "^\.(visible )?\.?entry $entry\(" "$ptx"; then
        echo "FAIL: $program.cl [$options] has no kernel entry point $entry"
        failed=1
        continue
    fi
    echo "ok: $program.cl $entry [$options]"
done < "$work/matrix.txt"

for file in "$kernels"/*.cl; do
    name=$(basename "$file" .cl)
    cut -f1 "$work/matrix.txt" | grep -qx "$name" ||
        { echo "FAIL: kernels/$name.cl is launched by no renderer variant"; failed=1; }
done
[ "$count" -gt 0 ] || { echo "FAIL: no kernel launches listed"; failed=1; }
echo "$count kernel builds checked for nvptx64"
exit $failed
