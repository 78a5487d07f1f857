#!/usr/bin/env bash
# flamediff.sh MEMPROF PROGRAM PYTHON3 — integration.flamediff (see
# ../flamediff.cmake): records PROGRAM (grow.c) twice under `memprof run`,
# `grow 2` (A) and `grow 6` (B), and checks `memprof flamegraph --diff A B`:
# the exact two-column --folded lines of grow, steady and fade, then the
# SVG with check.py (widths from B, colours from the change, tooltips).
# Exit 77 (skipped) without python3.
set -euo pipefail

MEMPROF=$(realpath "$1")
PROG=$(realpath "$2")
PY=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "$PY" ] || ! "$PY" -c 'import xml.etree.ElementTree' 2>/dev/null; then
    echo "skipped: no python3"
    exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-flamediff.XXXXXX")
trap 'rc=$?; if [ $rc = 0 ]; then rm -rf "$TMP"; else echo "(files kept in $TMP)"; fi' EXIT
cd "$TMP"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

"$MEMPROF" run -o a.mpz -- "$PROG" 2 >/dev/null 2>run.err || { cat run.err >&2; fail "run A"; }
"$MEMPROF" run -o b.mpz -- "$PROG" 6 >/dev/null 2>run.err || { cat run.err >&2; fail "run B"; }

# The chains under main, exactly (below main, libc's start-up varies).
"$MEMPROF" flamegraph --diff a.mpz b.mpz --metric=leaked --folded >folded 2>err ||
    { cat err >&2; fail "flamegraph --diff --folded failed"; }
grep -E '(^|;)main;(grow|steady|fade) ' folded | sed 's/^.*;main;/main;/' >got || true
printf '%s\n' "main;fade 1536 512" "main;grow 2048 6144" "main;steady 4096 4096" >want
diff -u want got || fail "--diff --folded: unexpected lines"

# The default output: B's name, .diff.svg.
"$MEMPROF" flamegraph --diff a.mpz b.mpz --metric=leaked 2>fg.err ||
    { cat fg.err >&2; fail "flamegraph --diff failed"; }
[ -s b.diff.svg ] || fail "flamegraph --diff a.mpz b.mpz did not write b.diff.svg"
grep -q 'b.diff.svg' fg.err || fail "flamegraph --diff did not say where the SVG went"

# Usage errors exit 2: --diff without B, a B that is not a log.
status=0
"$MEMPROF" flamegraph --diff a.mpz >/dev/null 2>err || status=$?
[ $status = 2 ] || fail "--diff A without B exited $status, expected 2"
grep -q "needs the second log" err || fail "--diff A without B: $(cat err)"
status=0
"$MEMPROF" flamegraph --diff /dev/null b.mpz -o x.svg >/dev/null 2>&1 || status=$?
[ $status = 2 ] || fail "--diff with A not a log exited $status, expected 2"

"$PY" "$HERE/check.py" b.diff.svg
