#!/usr/bin/env bash
# reporthtml.sh MEMPROF PROGRAM PYTHON3 — integration.reporthtml (see
# ../reporthtml.cmake): records PROGRAM (hostile.cpp) under `memprof run`
# with a command line that holds markup, writes `memprof report --html`
# and checks it with check.py (well-formed, sections, nothing injected,
# nothing external); then the output choices and the usage errors.
# Exit 77 (skipped) without python3.
set -euo pipefail

MEMPROF=$(realpath "$1")
PROG=$(realpath "$2")
PY=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "$PY" ] || ! "$PY" -c 'import xml.etree.ElementTree, html.parser' 2>/dev/null; then
    echo "skipped: no python3"
    exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-reporthtml.XXXXXX")
trap 'rc=$?; if [ $rc = 0 ]; then rm -rf "$TMP"; else echo "(files kept in $TMP)"; fi' EXIT
cd "$TMP"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

ARG1="</script><script>alert('argv')</script>"
ARG2='" onload="alert(2)'
"$MEMPROF" run -o run.mpz -- "$PROG" "$ARG1" "$ARG2" >/dev/null 2>run.err ||
    { cat run.err >&2; fail "memprof run failed"; }

# The default output: LOG with .mpz replaced by .html, said on stderr.
"$MEMPROF" report --html run.mpz 2>err || { cat err >&2; fail "report --html failed"; }
[ -s run.html ] || fail "report --html run.mpz did not write run.html"
grep -q "wrote run.html" err || fail "report --html did not say where the page went"
"$PY" "$HERE/check.py" run.html "$PROG $ARG1 $ARG2"

# -o - writes the same page to stdout; -o FILE to FILE.
"$MEMPROF" report --html -o - run.mpz >stdout.html 2>/dev/null || fail "report --html -o - failed"
cmp -s stdout.html run.html || fail "-o - differs from the default output"
"$MEMPROF" report --html -o page.html run.mpz 2>/dev/null || fail "report --html -o FILE failed"
cmp -s page.html run.html || fail "-o page.html differs from the default output"

# Usage errors exit 2 and say why.
usage() { # WHAT ARGS...
    local what=$1 status=0
    shift
    "$MEMPROF" report "$@" >/dev/null 2>err || status=$?
    [ $status = 2 ] || fail "report $*: exit $status, expected 2"
    grep -q -- "$what" err || fail "report $*: $(cat err)"
}
usage "choose one" --html --json run.mpz
usage "one LOG" --html run.mpz run.mpz
usage "one LOG" --html .
usage "is for --html" -o x.html run.mpz
status=0
"$MEMPROF" report --html -o x.html /dev/null >/dev/null 2>&1 || status=$?
[ $status = 2 ] || fail "report --html of a non-log exited $status, expected 2"
[ ! -e x.html ] || fail "report --html of a non-log wrote a page"
echo ok
