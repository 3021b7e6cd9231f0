#!/usr/bin/env bash
# expect_failure.sh CODE PATTERN CLRENDER ARGS...
#
# Runs CLRENDER ARGS... in a fresh directory that holds one existing file,
# existing.png, and checks that the run failed as a bad input must:
#   - the exit status is CODE;
#   - the last line on stderr starts with "clrender: " and matches the
#     extended regular expression PATTERN; for usage errors (CODE 2) it is
#     the only line;
#   - no file appeared and existing.png is unchanged.
# Arguments may name existing.png; the word @DIR@ is replaced by the directory.
set -u
code=$1 pattern=$2 clrender=$3
shift 3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 'precious bytes' > "$dir/existing.png"
before=$(cd "$dir" && ls -A | sort | tr '\n' ' ')

args=()
for a in "$@"; do args+=("${a//@DIR@/$dir}"); done
(cd "$dir" && "$clrender" "${args[@]}") > "$dir.out" 2> "$dir.err"
status=$?
err=$(cat "$dir.err")
rm -f "$dir.out" "$dir.err"
after=$(cd "$dir" && ls -A | sort | tr '\n' ' ')

failed=0
complain() { echo "FAIL: $*"; failed=1; }
[ "$status" -eq "$code" ] || complain "exit status $status, expected $code"
last=$(printf '%s\n' "$err" | tail -n 1)
case "$last" in clrender:\ *) ;; *) complain "last stderr line does not start with 'clrender: '" ;; esac
printf '%s\n' "$last" | grep -Eq -- "$pattern" || complain "message does not match /$pattern/"
if [ "$code" -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
  complain "a usage error must print exactly one line"
fi
[ "$before" = "$after" ] || complain "files changed: before [$before] after [$after]"
[ "$(cat "$dir/existing.png")" = "precious bytes" ] || complain "existing.png was modified"
echo "stderr was:"
printf '%s\n' "$err"
exit $failed
