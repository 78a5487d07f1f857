#!/usr/bin/env bash
# timeline.sh CASE MEMPROF PROGRAM PYTHON3 — one integration.timeline.CASE
# test (see ../timeline.cmake): records PROGRAM under `memprof run -o`,
# renders `memprof timeline` in the ways a user asks for it, and checks the
# SVG against `memprof report --json` with check.py. Exit 77 (skipped)
# without python3.
set -euo pipefail

case_name=$1
MEMPROF=$(realpath "$2")
PROG=$(realpath "$3")
PY=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "$PY" ] || ! "$PY" -c 'import xml.etree.ElementTree, json' 2>/dev/null; then
    echo "skipped: no python3"
    exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-timeline.XXXXXX")
trap 'rc=$?; if [ $rc = 0 ]; then rm -rf "$TMP"; else echo "(files kept in $TMP)"; fi' EXIT
cd "$TMP"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

args=()
case $case_name in
gomap_inline) args=(--values=inline --n=1000000) ;;
gomap_small) args=(--values=inline --n=200000) ;;
healthy_freeall) ;;
*) fail "unknown case $case_name" ;;
esac

"$MEMPROF" run -o run.mpz -- "$PROG" "${args[@]}" >prog.out 2>run.err ||
    { cat prog.out run.err >&2; fail "memprof run $PROG ${args[*]} failed"; }
[ -s run.mpz ] || fail "no log run.mpz"

"$MEMPROF" report --json --top 0 run.mpz >report.json 2>report.err ||
    { cat report.err >&2; fail "memprof report --json failed"; }

# The default output: LOG with .mpz replaced by .svg, said on stderr.
"$MEMPROF" timeline run.mpz 2>tl.err || { cat tl.err >&2; fail "memprof timeline run.mpz failed"; }
[ -s run.svg ] || fail "memprof timeline run.mpz did not write run.svg"
grep -q 'run.svg' tl.err || fail "memprof timeline did not say where the chart went: $(cat tl.err)"

# -o FILE after the log, --by=stack, and -o - (stdout).
"$MEMPROF" timeline run.mpz -o stack.svg --by=stack --top 3 2>/dev/null ||
    fail "memprof timeline run.mpz -o stack.svg --by=stack failed"
"$MEMPROF" timeline --width 800 --height 400 -o - run.mpz >stdout.svg 2>stdout.err ||
    fail "memprof timeline -o - failed"
[ ! -s stdout.err ] || fail "memprof timeline -o - printed on stderr: $(cat stdout.err)"

# Bad command lines exit 2.
status=0
"$MEMPROF" timeline --by=thread run.mpz >/dev/null 2>&1 || status=$?
[ $status = 2 ] || fail "--by=thread exited $status, expected 2"
status=0
"$MEMPROF" timeline >/dev/null 2>&1 || status=$?
[ $status = 2 ] || fail "no log exited $status, expected 2"
status=0
"$MEMPROF" timeline -o x.svg /dev/null >/dev/null 2>&1 || status=$?
[ $status = 2 ] || fail "a log that is not a log exited $status, expected 2"

"$PY" "$HERE/check.py" "$case_name" report.json run.svg stack.svg stdout.svg
