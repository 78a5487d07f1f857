#!/usr/bin/env bash
# sarif.sh CASE MEMPROF BINDIR SRCDIR SCHEMADIR [PYTHON3] — one
# integration.check.CASE test (../check_sarif.cmake): runs check/'s
# programs (built in BINDIR from SRCDIR) under `memprof check --sarif` or
# `--junit` and validates what it writes against the schemas of SCHEMADIR.
set -euo pipefail

case_name=$1
MEMPROF=$(realpath "$2")
BINDIR=$(realpath "$3")
SRCDIR=$(realpath "$4")
SCHEMAS=$(realpath "$5")
PY=${6:-}
HERE=$(dirname "$(realpath "$0")")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-sarif-test.XXXXXX")
trap 'rc=$?; if [ $rc = 0 ]; then rm -rf "$TMP"; else echo "(files kept in $TMP)"; fi' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# check EXPECTED ARGS...: memprof check ARGS..., from the programs' source
# directory (so the SARIF's source root is the checkout holding it).
check() {
    local want=$1 status=0
    shift
    (cd "$SRCDIR" && "$MEMPROF" check "$@") >"$TMP/out" 2>"$TMP/err" || status=$?
    [ "$status" = "$want" ] || { cat "$TMP/err" >&2; fail "memprof check $* exited $status, expected $want"; }
}

case $case_name in
sarif)
    # A Python with jsonschema: the one CMake found, else Debian's.
    for p in "$PY" /usr/bin/python3; do
        if [ -n "$p" ] && "$p" -c 'import jsonschema' 2>/dev/null; then
            py=$p
            break
        fi
    done
    [ -n "${py:-}" ] || { echo "skipped: no python3 with jsonschema (Debian: python3-jsonschema)"; exit 77; }
    line=$(grep -n 'malloc(100)' "$SRCDIR/leaky.c" | cut -d: -f1)
    version=$("$MEMPROF" --version | awk '{print $2}')
    # --kinds=all: the stdio buffer (still reachable) is a leak, suppressed.
    check 3 --kinds=all --sarif "$TMP/leaky.sarif" -- "$BINDIR/leaky"
    check 0 --kinds=all --max-leaked=1k --sarif "$TMP/within.sarif" -- "$BINDIR/leaky"
    check 0 --sarif "$TMP/clean.sarif" -- "$BINDIR/clean"
    check 4 --sarif "$TMP/fail4.sarif" -- "$BINDIR/fail4"
    "$py" "$HERE/validate_sarif.py" "$SCHEMAS/sarif-2.1.0.json" "$TMP" "$SRCDIR/leaky.c" \
        "$line" "$version"
    ;;
junit_schema)
    command -v xmllint >/dev/null || { echo "skipped: no xmllint (Debian: libxml2-utils)"; exit 77; }
    check 3 --junit "$TMP/leaky.xml" -- "$BINDIR/leaky"
    check 0 --junit "$TMP/clean.xml" -- "$BINDIR/clean"
    check 4 --junit "$TMP/fail4.xml" -- "$BINDIR/fail4"
    for f in leaky clean fail4; do
        xmllint --noout --schema "$SCHEMAS/jenkins-junit.xsd" "$TMP/$f.xml" ||
            fail "$f.xml does not validate"
    done
    grep -q 'failures="1"' "$TMP/leaky.xml" || fail "leaky.xml: not one failure"
    # The schema does reject what it should: a testcase without its name.
    sed 's/<testcase classname="memprof.leaks" name="[^"]*"/<testcase classname="memprof.leaks"/' \
        "$TMP/leaky.xml" >"$TMP/broken.xml"
    if xmllint --noout --schema "$SCHEMAS/jenkins-junit.xsd" "$TMP/broken.xml" 2>/dev/null; then
        fail "the XSD accepted a testcase without a name"
    fi
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "ok: $case_name"
