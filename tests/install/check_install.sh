#!/usr/bin/env bash
# check_install.sh BUILD_DIR SOURCE_DIR
#
# Installs clrender from BUILD_DIR into a fresh prefix and builds example.c against it as a
# user would: with pkg-config, with CMake's find_package (shared and static library), and
# with add_subdirectory() of the source tree; each program must run on the OpenCL device
# and print "ok". Also checks what the prefix holds: the binary, the one header, the man page.
set -euo pipefail
build=$1 src=$2
here=$src/tests/install
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" > "$work/install.log"
libdir=$(find "$prefix" -name 'libclrender.so' -printf '%h\n' | head -n 1)
[ -n "$libdir" ] || fail "no libclrender.so installed"
for f in bin/clrender include/clrender/clrender.h share/man/man1/clrender.1; do
    [ -e "$prefix/$f" ] || fail "$f is not installed"
done
[ -e "$libdir/libclrender.a" ] || fail "no libclrender.a installed"
[ "$(find "$prefix/include" -type f | wc -l)" -eq 1 ] || fail "more than the one public header"
"$prefix/bin/clrender" --version | grep -q '^clrender ' || fail "the installed binary does not run"
man -l "$prefix/share/man/man1/clrender.1" > /dev/null 2>&1 || fail "the man page does not format"

echo "pkg-config:"
export PKG_CONFIG_PATH=$libdir/pkgconfig
cc -std=c11 -Wall -Wextra -Werror -o "$work/with-pkg-config" "$here/example.c" \
    $(pkg-config --cflags --libs clrender)
LD_LIBRARY_PATH=$libdir "$work/with-pkg-config" | tee "$work/out.txt"
grep -qx ok "$work/out.txt" || fail "the pkg-config build did not say ok"

for static in OFF ON; do
    echo "find_package (static $static):"
    cmake -S "$here" -B "$work/cmake-$static" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCLRENDER_STATIC=$static > "$work/configure.log" || { cat "$work/configure.log"; fail "configure"; }
    cmake --build "$work/cmake-$static" > "$work/build.log" || { cat "$work/build.log"; fail "build"; }
    "$work/cmake-$static/example" | tee "$work/out.txt"
    grep -qx ok "$work/out.txt" || fail "the find_package build (static $static) did not say ok"
done

echo "add_subdirectory:"
cmake -S "$here" -B "$work/subdirectory" -DCLRENDER_SOURCE="$src" > "$work/configure.log" ||
    { cat "$work/configure.log"; fail "configure"; }
cmake --build "$work/subdirectory" -j"$(nproc)" --target example > "$work/build.log" ||
    { cat "$work/build.log"; fail "build"; }
"$work/subdirectory/example" | tee "$work/out.txt"
grep -qx ok "$work/out.txt" || fail "the add_subdirectory build did not say ok"
echo "ok: installed tree"
