#!/usr/bin/env bash
# pprof.sh MEMPROF PROGRAM PYTHON3 — integration.pprof.leaks (see
# ../pprof.cmake): records PROGRAM (leaks.c) under `memprof run -o`, in full
# and in sampled mode, exports both with `memprof pprof`, checks the output
# naming rules, the known stacks' exact figures, and then, with check.py,
# that `go tool pprof` reads each profile as memprof report reads its log.
# Exit 77 (skipped) without python3 or go (Debian: golang-go).
set -euo pipefail

MEMPROF=$(realpath "$1")
PROG=$(realpath "$2")
PY=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "$PY" ] || ! "$PY" -c 'import json' 2>/dev/null; then
    echo "skipped: no python3"
    exit 77
fi
GO=$(command -v go || true)
if [ -z "$GO" ]; then
    echo "skipped: no go (Debian: golang-go, scripts/deps.sh installs it) to read the profile"
    exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-pprof.XXXXXX")
trap 'rc=$?; if [ $rc = 0 ]; then rm -rf "$TMP"; else echo "(files kept in $TMP)"; fi' EXIT
cd "$TMP"
# go keeps a build cache and pprof a download cache: both here, not in $HOME.
export HOME=$TMP GOCACHE=$TMP/gocache PPROF_TMPDIR=$TMP

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

"$MEMPROF" run -o full.mpz -- "$PROG" >prog.out 2>run.err ||
    { cat prog.out run.err >&2; fail "memprof run $PROG failed"; }
"$MEMPROF" run --sample=4k -o sampled.mpz -- "$PROG" 2000 >prog.out 2>run.err ||
    { cat prog.out run.err >&2; fail "memprof run --sample=4k $PROG failed"; }

# Output names: LOG's with .pb.gz, said on stderr; never replaced unless -o.
"$MEMPROF" pprof full.mpz 2>pp.err || { cat pp.err >&2; fail "memprof pprof full.mpz failed"; }
[ -s full.pb.gz ] || fail "memprof pprof full.mpz did not write full.pb.gz"
grep -q 'wrote full.pb.gz' pp.err || fail "memprof pprof did not say where it wrote: $(cat pp.err)"
cp full.pb.gz first.pb.gz
status=0
"$MEMPROF" pprof full.mpz 2>pp.err || status=$?
[ $status = 2 ] || fail "a second memprof pprof full.mpz exited $status, expected 2"
grep -q 'exists' pp.err || fail "no word on the existing output: $(cat pp.err)"
"$MEMPROF" pprof full.mpz -o full.pb.gz 2>/dev/null || fail "-o full.pb.gz did not replace it"
"$MEMPROF" pprof -o - full.mpz >stdout.pb.gz 2>/dev/null || fail "-o - failed"
cmp -s full.pb.gz stdout.pb.gz || fail "-o - wrote other bytes than -o FILE"
"$MEMPROF" pprof sampled.mpz -o sampled.pb.gz 2>/dev/null || fail "memprof pprof sampled.mpz failed"
status=0
"$MEMPROF" pprof /dev/null -o x.pb.gz >/dev/null 2>&1 || status=$?
[ $status = 2 ] || fail "a log that is not a log exited $status, expected 2"
[ ! -e x.pb.gz ] || fail "a log that is not a log left x.pb.gz"

# The known stacks, exactly: grab is inlined into b (one location, two lines).
go tool pprof -unit=B -top -sample_index=inuse_space full.pb.gz >top.txt 2>&1 ||
    { cat top.txt >&2; fail "go tool pprof -top failed"; }
grep -Eq '^ +3000B .* grab \(inline\)$' top.txt || fail "inuse_space: no 3000B at grab: $(cat top.txt)"
grep -Eq '^ +500B .* c$' top.txt || fail "inuse_space: no 500B at c: $(cat top.txt)"
go tool pprof -unit=B -top -sample_index=alloc_space full.pb.gz >top.txt 2>&1
grep -Eq '^ +8192B .* d$' top.txt || fail "alloc_space: no 8192B at d: $(cat top.txt)"
go tool pprof -traces -sample_index=inuse_objects full.pb.gz >traces.txt 2>&1
tr -s ' \n' ' ' <traces.txt | grep -q ' 3 grab (inline) b a main ' ||
    fail "inuse_objects: no stack 3 grab b a main: $(cat traces.txt)"

# --alloc-fn leaves the program's allocation wrapper out, as report does: b
# becomes the leaf, and grab is gone.
"$MEMPROF" pprof --alloc-fn=grab -o trimmed.pb.gz full.mpz 2>/dev/null || fail "--alloc-fn=grab failed"
go tool pprof -unit=B -top -sample_index=inuse_space trimmed.pb.gz >top.txt 2>&1
grep -Eq '^ +3000B .* b$' top.txt || fail "--alloc-fn=grab: no 3000B at b: $(cat top.txt)"
! grep -q grab top.txt || fail "--alloc-fn=grab: grab still there: $(cat top.txt)"

for log in full sampled; do
    "$PY" "$HERE/check.py" "$MEMPROF" "$GO" $log.mpz $log.pb.gz ||
        fail "$log: go tool pprof disagrees with memprof report"
done
