#!/usr/bin/env bash
# browser.sh MEMPROF CHAINS GROW PYTHON3 — integration.browser.* (see
# ../integration/browser.cmake): records chains.c once and grow.c twice
# under `memprof run`, writes the flame graph, the diff flame graph and the
# HTML report, and opens them in headless Chromium with flame_test.py and
# report_test.py (cdp.py). Screenshots are kept in the test's directory
# under the build tree (browser-shots/). Exit 77 (skipped, with the
# reason) without python3 or Chromium.
set -euo pipefail

MEMPROF=$(realpath "$1")
CHAINS=$(realpath "$2")
GROW=$(realpath "$3")
PY=${4:-}
WHAT=${5:-all}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "$PY" ]; then
    echo "skipped: no python3"
    exit 77
fi
OUT=$PWD/browser-shots/$WHAT
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

"$MEMPROF" run -o chains.mpz -- "$CHAINS" >/dev/null 2>err || { cat err >&2; fail "run chains"; }
case $WHAT in
flame)
    "$MEMPROF" run -o a.mpz -- "$GROW" 2 >/dev/null 2>err || { cat err >&2; fail "run grow 2"; }
    "$MEMPROF" run -o b.mpz -- "$GROW" 6 >/dev/null 2>err || { cat err >&2; fail "run grow 6"; }
    "$MEMPROF" flamegraph --metric=allocated -o chains.svg chains.mpz 2>/dev/null
    "$MEMPROF" flamegraph --diff a.mpz b.mpz --metric=leaked -o diff.svg 2>/dev/null
    exec "$PY" "$HERE/flame_test.py" chains.svg diff.svg "$OUT"
    ;;
report)
    "$MEMPROF" report --html -o chains.html chains.mpz 2>/dev/null
    exec "$PY" "$HERE/report_test.py" chains.html "$OUT"
    ;;
esac
fail "unknown test $WHAT"
