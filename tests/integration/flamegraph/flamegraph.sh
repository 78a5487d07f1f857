#!/usr/bin/env bash
# flamegraph.sh MEMPROF PROGRAM PYTHON3 — integration.flamegraph.chains
# (see ../flamegraph.cmake): records PROGRAM (chains.c) under
# `memprof run -o`, checks the collapsed stacks of its known chains
# exactly, then the SVG with check.py. Exit 77 (skipped) without python3.
set -euo pipefail

MEMPROF=$(realpath "$1")
PROG=$(realpath "$2")
PY=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "$PY" ] || ! "$PY" -c 'import xml.etree.ElementTree' 2>/dev/null; then
    echo "skipped: no python3"
    exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-flamegraph.XXXXXX")
trap 'rc=$?; if [ $rc = 0 ]; then rm -rf "$TMP"; else echo "(files kept in $TMP)"; fi' EXIT
cd "$TMP"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

"$MEMPROF" run -o run.mpz -- "$PROG" >prog.out 2>run.err ||
    { cat prog.out run.err >&2; fail "memprof run $PROG failed"; }

# The chains, exactly: whatever is below main (libc's start-up) varies.
check_folded() { # METRIC EXPECTED...
    local metric=$1
    shift
    "$MEMPROF" flamegraph --folded --metric="$metric" run.mpz >"folded.$metric" 2>err ||
        { cat err >&2; fail "memprof flamegraph --folded --metric=$metric failed"; }
    [ ! -s err ] || fail "--folded printed on stderr: $(cat err)"
    grep -E '(^|;)main;(a|c)(;| )' "folded.$metric" | sed 's/^.*;main;/main;/' >"got.$metric" || true
    printf '%s\n' "$@" >"want.$metric"
    diff -u "want.$metric" "got.$metric" || fail "--metric=$metric: unexpected collapsed stacks"
    # Sorted, one stack per line: no line twice.
    [ "$(cut -d' ' -f1 "folded.$metric" | sort | uniq -d)" = "" ] ||
        fail "--metric=$metric: a stack written twice"
}
check_folded allocated "main;a;b 3000" "main;c 500"
check_folded allocations "main;a;b 3" "main;c 1"
check_folded leaked "main;a;b 3000" "main;c 500"

# -o with --folded writes the file, the same text.
"$MEMPROF" flamegraph --folded --metric=allocated -o f.txt run.mpz 2>/dev/null
cmp -s f.txt folded.allocated || fail "--folded -o f.txt differs from stdout"

# The default output: LOG with .mpz replaced by .svg, said on stderr.
"$MEMPROF" flamegraph --metric=allocated run.mpz 2>fg.err || { cat fg.err >&2; fail "memprof flamegraph failed"; }
[ -s run.svg ] || fail "memprof flamegraph run.mpz did not write run.svg"
grep -q 'run.svg' fg.err || fail "memprof flamegraph did not say where the SVG went"
"$MEMPROF" flamegraph --metric=allocated --icicle -o - run.mpz >icicle.svg 2>/dev/null ||
    fail "memprof flamegraph --icicle -o - failed"

# Bad command lines exit 2.
status=0
"$MEMPROF" flamegraph --metric=bogus run.mpz >/dev/null 2>&1 || status=$?
[ $status = 2 ] || fail "--metric=bogus exited $status, expected 2"
status=0
"$MEMPROF" flamegraph >/dev/null 2>&1 || status=$?
[ $status = 2 ] || fail "no log exited $status, expected 2"
status=0
"$MEMPROF" flamegraph -o x.svg /dev/null >/dev/null 2>&1 || status=$?
[ $status = 2 ] || fail "a log that is not a log exited $status, expected 2"

"$PY" "$HERE/check.py" run.svg icicle.svg
