#!/usr/bin/env bash
# retention.sh CASE MEMPROF PROGRAM PYTHON3 — one integration.retention.CASE
# test (see ../retention.cmake): runs the example PROGRAM under
# `memprof run -o`, then checks `memprof report --json` with check.py,
# against the figures the program prints itself ("# name=value" lines).
#
# The retention findings are checked only for the kinds this memprof knows
# (the "*_retention" names its executable holds, or that its report shows):
# check.py prints "SKIP: ..." for a kind that does not exist yet. Exit 77
# (skipped) without python3.
set -euo pipefail

case_name=$1
MEMPROF=$(realpath "$2")
PROG=$(realpath "$3")
PY=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "$PY" ] || ! "$PY" -c 'import json' 2>/dev/null; then
    echo "skipped: no python3"
    exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-retention.XXXXXX")
trap 'rc=$?; if [ $rc = 0 ]; then rm -rf "$TMP"; else echo "(files kept in $TMP)"; fi' EXIT
cd "$TMP"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

args=()
case $case_name in
gomap_inline) args=(--values=inline --n=1000000) ;;
gomap_pointers) args=(--values=pointers --n=1000000) ;;
fragment | healthy_rebuild | healthy_cache | healthy_freeall) ;;
*) fail "unknown case $case_name" ;;
esac

"$MEMPROF" run -o run.mpz -- "$PROG" "${args[@]}" >prog.out 2>run.err ||
    { cat prog.out run.err >&2; fail "memprof run $PROG ${args[*]} failed"; }
[ -s run.mpz ] || fail "no log run.mpz"
cat prog.out

status=0
"$MEMPROF" report --json --top 0 run.mpz >report.json 2>report.err || status=$?
[ $status = 0 ] || { cat report.err >&2; fail "memprof report --json exited $status"; }

# The retention finding kinds this memprof has: the kinds are string
# constants of the analyzer it links, so a NUL-delimited "xxx_retention" in
# its executable (not part of a longer name, such as a function's); check.py
# adds those its report shows. None yet: check.py skips the retention block.
kinds=$( { grep -a -o -P '(?<=\x00)[a-z]+_retention(?=\x00)' "$MEMPROF" || true; } |
        sort -u | tr '\n' ' ')
echo "retention finding kinds known to memprof: ${kinds:-none}"

"$PY" "$HERE/check.py" "$case_name" report.json prog.out "$kinds"
