#!/usr/bin/env bash
# hostile.sh CASE CLRENDER SOURCE_DIR
#
# What a hostile user does to clrender, one ctest entry per CASE: signals sent to a real
# running render, a driver that cannot compile, files that are no files, outputs that may not
# be replaced, standard output that cannot be written, messages built from hostile text.
# Every case checks the exit status, the one line clrender prints, that no temporary file is
# left in the directory, and that an existing target is byte for byte as it was.
set -uo pipefail
case_name=$1 clrender=$2 src=$3
python=/usr/bin/python3
top=$(mktemp -d)
trap 'chmod -R u+w "$top" 2> /dev/null; rm -rf "$top"' EXIT
# Renders happen in $work; what the tests capture lies beside it, so that a file clrender holds
# open in $work is its output and nothing else.
work=$top/w
mkdir "$work" && chmod 755 "$top" && cd "$work" || exit 1
out=$top/out.txt errors=$top/err.txt
export CLRENDER_DEVICE=cpu

fail() { echo "FAIL: $*" >&2; exit 1; }

# Runs clrender with default signal dispositions; sets $status and $err (all of stderr).
run() {
    /usr/bin/env --default-signal "$clrender" "$@" > "$out" 2> "$errors"
    status=$?
    err=$(cat "$errors")
    echo "exit $status; stderr: $err"
}

expect_status() { [ "$status" -eq "$1" ] || fail "exit status $status, expected $1"; }
# The last line of stderr matches the extended regular expression.
expect_line() {
    local last
    last=$(tr '\r' '\n' < "$errors" | grep -v '^$' | tail -n 1)
    grep -Eq -- "$1" <<< "$last" || fail "message '$last' does not match /$1/"
}
# The directory holds exactly these names (sorted, space-separated): no temporary file.
expect_files() {
    local now
    now=$(ls -A "${2:-.}" | sort | tr '\n' ' ' | sed 's/ $//')
    [ "$now" = "$1" ] || fail "files: [$now], expected [$1]"
}
precious() { printf 'precious bytes' > "$1"; }
expect_precious() { [ "$(cat "$1")" = "precious bytes" ] || fail "$1 was changed"; }

# A render that takes seconds: 100,000 spheres.
long_scene() { "$python" "$src/tools/many_spheres.py" 100000 > many.json; }

# Waits (at most 60 s) until process $1 holds its temporary output file open: the render has
# begun writing. A named one is ".keep.png.tmp-XXXXXX"; an unnamed one shows as
# "DIR/#123 (deleted)".
wait_for_output() {
    local i
    for i in $(seq 600); do
        if ls -l "/proc/$1/fd" 2> /dev/null | grep -Eq -- "-> $work/(\.keep\.png\.tmp-|#)"; then
            return 0
        fi
        kill -0 "$1" 2> /dev/null || fail "the render ended before it wrote anything"
        sleep 0.1
    done
    fail "the render never opened its output"
}

signal_case() { # SIGNAL NAMED(0|1) EXISTING(0|1)
    local signal=$1 named=$2 existing=$3 number
    number=$(kill -l "$signal")
    long_scene
    [ "$existing" = 1 ] && precious keep.png
    env --default-signal CLRENDER_TEST_NAMED_TEMP="$named" "$clrender" sphere --scene many.json \
        --size 192x108 -o keep.png > "$out" 2> "$errors" &
    local pid=$!
    wait_for_output "$pid"
    if [ "$named" = 1 ]; then
        ls -A | grep -q '^\.keep\.png\.tmp-' || fail "no named temporary file while rendering"
    else
        ls -A | grep -q 'tmp' && fail "an unnamed temporary file has a name"
    fi
    kill "-$signal" "$pid"
    wait "$pid"
    status=$?
    cat "$errors"
    expect_status $((128 + number))
    if [ "$existing" = 1 ]; then
        expect_line "^clrender: stopped by SIG$signal; 'keep.png' was left as it was$"
        expect_precious keep.png
        expect_files "keep.png many.json"
    else
        expect_line "^clrender: stopped by SIG$signal; 'keep.png' was not written$"
        expect_files "many.json"
    fi
}

case "$case_name" in
sigint-unnamed) signal_case INT 0 1 ;;
sigint-named) signal_case INT 1 1 ;;
sigterm-unnamed) signal_case TERM 0 1 ;;
sigterm-named) signal_case TERM 1 1 ;;
sighup-unnamed) signal_case HUP 0 1 ;;
sighup-named) signal_case HUP 1 1 ;;
sigint-new-file) signal_case INT 1 0 ;;
sigkill-leaves-nothing)
    # Not even SIGKILL leaves a file: the temporary file has no name until it is complete.
    long_scene
    precious keep.png
    "$clrender" sphere --scene many.json --size 192x108 -o keep.png > "$out" 2> "$errors" &
    pid=$!
    wait_for_output "$pid"
    kill -KILL "$pid"
    wait "$pid"
    expect_precious keep.png
    expect_files "keep.png many.json"
    ;;
sigint-pattern)
    # One file per angle: a signal after some of them are finished (and named, waiting for
    # the commit) removes every one, and the existing first file stays as it was.
    precious proj_0.png
    env --default-signal "$clrender" xray --voxels 192 --detector 384,384 --angles 48 \
        -o 'proj_%d.png' > "$out" 2> "$errors" &
    pid=$!
    for i in $(seq 600); do
        ls -A | grep -q '^\.proj_3\.png\.tmp-' && break
        kill -0 "$pid" 2> /dev/null || fail "the render ended before it wrote four files"
        sleep 0.1
    done
    ls -A | grep -q '^\.proj_3\.png\.tmp-' || fail "no finished file waits for its commit"
    kill -INT "$pid"
    wait "$pid"
    status=$?
    cat "$errors"
    expect_status 130
    expect_line "^clrender: stopped by SIGINT; none of the 48 files 'proj_%d.png' was written; existing ones were left as they were$"
    expect_precious proj_0.png
    expect_files "proj_0.png"
    ;;
driver-without-linker)
    # PoCL links a new kernel with the system linker: without one on PATH (and no cached
    # kernel: clrender's binaries carry linked kernels, so its cache is off too) it aborts
    # inside the first launch. One line says so; nothing is written.
    mkdir cache
    precious keep.png
    CLRENDER_NO_CACHE=1 POCL_CACHE_DIR=$work/cache PATH="" run julia --size 64x40 -o keep.png
    expect_status 134
    expect_line "^clrender: stopped by SIGABRT .* 'keep.png' was left as it was; PoCL links kernels with the system linker 'ld', which is not on PATH"
    expect_precious keep.png
    expect_files "cache keep.png"
    ;;
driver-cache-unwritable)
    # PoCL's cache directory cannot be made (a file stands in its path): the message names it.
    printf 'a file' > blocker
    precious keep.png
    CLRENDER_NO_CACHE=1 POCL_CACHE_DIR=$work/blocker/pocl run julia --size 64x40 -o keep.png
    expect_status 1
    expect_line "PoCL's kernel cache directory '$work/blocker/pocl' is not writable .set POCL_CACHE_DIR"
    expect_precious keep.png
    expect_files "blocker keep.png"
    ;;
scene-fifo)
    mkfifo scene.json
    precious keep.png
    run sphere --scene scene.json -o keep.png & pid=$! # must not wait for a writer
    for i in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2> /dev/null && { kill "$pid"; fail "clrender blocks on a FIFO"; }
    wait "$pid"
    run sphere --scene scene.json -o keep.png
    expect_status 2
    expect_line "^clrender: scene 'scene.json': is a FIFO .named pipe., not a file$"
    expect_precious keep.png
    expect_files "keep.png scene.json"
    ;;
scene-device)
    precious keep.png
    run sphere --scene /dev/zero -o keep.png
    expect_status 2
    expect_line "^clrender: scene '/dev/zero': is a character device, not a file$"
    expect_precious keep.png
    ;;
output-directory)
    mkdir out.png
    run julia --size 64x40 -o out.png
    expect_status 2
    expect_line "^clrender: output 'out.png' is a directory; name a file in it$"
    [ -d out.png ] || fail "the directory is gone"
    ;;
output-fifo)
    mkfifo out.png
    run julia --size 64x40 -o out.png
    expect_status 2
    expect_line "^clrender: output 'out.png' is a FIFO .named pipe.; clrender writes regular files only$"
    [ -p out.png ] || fail "the FIFO is gone"
    ;;
output-read-only)
    precious keep.png
    chmod 444 keep.png
    if [ "$(id -u)" -eq 0 ]; then # root may write anything: try it as nobody
        chmod 777 "$work"
        runner=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    else
        runner=()
    fi
    "${runner[@]}" /usr/bin/env --default-signal "$clrender" julia --size 64x40 -o keep.png \
        2> "$errors"
    status=$?
    cat "$errors"
    expect_status 1
    expect_line "^clrender: output 'keep.png' exists and is read-only for you; remove it or choose another name$"
    expect_precious keep.png
    expect_files "keep.png"
    ;;
output-sticky-other-user)
    # In a sticky directory (as /tmp) only a file's owner replaces it: refused before rendering.
    [ "$(id -u)" -eq 0 ] || { echo "needs root to make a file of another user"; exit 1; }
    mkdir shared && chmod 1777 shared
    precious shared/theirs.png
    chmod 666 shared/theirs.png # writable, but not ours
    setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/env --default-signal \
        "$clrender" julia --size 64x40 -o shared/theirs.png 2> "$errors"
    status=$?
    cat "$errors"
    expect_status 1
    expect_line "^clrender: output 'shared/theirs.png' belongs to another user in the sticky directory 'shared', where only its owner may replace it"
    expect_precious shared/theirs.png
    expect_files "theirs.png" shared
    ;;
output-long-name)
    # A name 4 bytes short of the file system's limit: the temporary file takes a short name.
    name=$(head -c 251 /dev/zero | tr '\0' 'n').png
    precious "$name"
    CLRENDER_TEST_NAMED_TEMP=1 run julia --size 64x40 -o "$name"
    expect_status 0
    [ "$(head -c 4 "$name" | tail -c 3)" = PNG ] || fail "the long-named file is no PNG"
    run julia --size 64x40 -o "$name" # and through an unnamed temporary file
    expect_status 0
    expect_files "$name"
    ;;
output-name-too-long)
    name=$(head -c 300 /dev/zero | tr '\0' 'n').png
    run julia --size 64x40 -o "$name"
    expect_status 2
    expect_line "^clrender: output 'n+\.\.\.n+\.png': the file name is 304 bytes, more than the 255 its file system allows$"
    expect_files ""
    ;;
message-control-characters)
    # A newline in a path is shown escaped: the message stays one line.
    run julia --size 64x40 -o $'no\ndir/x\t.png'
    expect_status 1
    [ "$(wc -l < "$errors")" -eq 1 ] || fail "the message is not one line"
    expect_line "cannot write 'no\\\\ndir/x\\\\t.png': directory 'no\\\\ndir' does not exist$"
    ;;
message-long-path)
    # A path of 3000 bytes: elided in the middle, and the reason still ends the line.
    dir=$(head -c 3000 /dev/zero | tr '\0' 'd')
    run julia --size 64x40 -o "$dir/x.png"
    expect_status 1
    [ "$(wc -c < "$errors")" -lt 1000 ] || fail "the message is $(wc -c < "$errors") bytes"
    expect_line "^clrender: cannot write 'd+\.\.\.d+/x\.png': directory 'd+\.\.\.d+' does not exist$"
    ;;
stdout-full)
    # Standard output that cannot be written is an error (exit 1), for every command.
    "$clrender" devices > /dev/full 2> "$errors"; status=$?
    expect_status 1
    expect_line "^clrender: write error on standard output: No space left on device$"
    "$clrender" bench julia-blog-overview --repeat 1 --json > /dev/full 2> "$errors"; status=$?
    expect_status 1
    expect_line "write error on standard output"
    precious keep.png
    "$clrender" julia --size 64x40 --verify -o keep.png > /dev/full 2> "$errors"; status=$?
    expect_status 1
    expect_line "write error on standard output"
    ;;
stdout-closed-pipe)
    # A reader that is gone: the write fails (SIGPIPE is ignored) and clrender says so.
    "$python" - "$clrender" <<'PY' || fail "a closed pipe was not reported"
import os, subprocess, sys
read, write = os.pipe()
os.close(read)  # nobody will read
result = subprocess.run([sys.argv[1], "devices", "--json"], stdout=write, stderr=subprocess.PIPE)
os.close(write)
err = result.stderr.decode()
print("exit", result.returncode, err.strip())
assert result.returncode == 1, result.returncode
assert err.strip().endswith("write error on standard output: Broken pipe"), err
PY
    ;;
quiet-hides-warnings)
    run sphere --scene "$src/tests/scenes/unknown-field.json" --size 32x18 --quiet -o w.png
    expect_status 0
    [ ! -s "$errors" ] || fail "--quiet printed: $err"
    run sphere --scene "$src/tests/scenes/unknown-field.json" --size 32x18 -o w.png
    grep -q 'warning: .*unknown field title' "$errors" || fail "the warning is gone without --quiet"
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "ok: $case_name"
