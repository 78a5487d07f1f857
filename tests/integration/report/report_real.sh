#!/usr/bin/env bash
# report_real.sh CASE MEMPROF BINDIR DLIB PYTHON3 — one
# integration.report.real_CASE test (see ../report.cmake and README.md):
# runs a program of BINDIR under `memprof run`, then checks what
# `memprof report` says about it with report_real.py. Exit 77 (skipped)
# without python3.
set -euo pipefail

case_name=$1
MEMPROF=$(realpath "$2")
BINDIR=$(realpath "$3")
DLIB=$(realpath "$4")
PY=${5:-}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "$PY" ] || ! "$PY" -c 'import json' 2>/dev/null; then
    echo "skipped: no python3"
    exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-report-real.XXXXXX")
trap 'rc=$?; if [ $rc = 0 ]; then rm -rf "$TMP"; else echo "(files kept in $TMP)"; fi' EXIT
cd "$TMP"
export TZ=UTC

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# record LOG PROGRAM ARGS...: memprof run -o LOG, the program must succeed.
record() {
    local log=$1
    shift
    "$MEMPROF" run -o "$log" -- "$@" >run.out 2>run.err ||
        { cat run.out run.err >&2; fail "memprof run $* failed"; }
    [ -s "$log" ] || fail "no log $log"
}

# report OUT ARGS...: memprof report ARGS... > OUT, must exit 0 with nothing
# on stderr.
report() {
    local out=$1 status=0
    shift
    "$MEMPROF" report "$@" >"$out" 2>report.err || status=$?
    [ $status = 0 ] || { cat report.err >&2; fail "memprof report $* exited $status"; }
    [ ! -s report.err ] || { cat report.err >&2; fail "memprof report $* wrote on stderr"; }
}

case $case_name in
leaks)
    record prog.mpz "$BINDIR/report_prog" "$DLIB"
    grep -qx done run.out || fail "report_prog did not finish"
    report prog.json --json --top 0 prog.mpz
    "$PY" "$HERE/report_real.py" leaks prog.json "$DLIB"
    report prog.txt prog.mpz
    # The text names the same places, with their source lines.
    for fn in 'main (report_prog.c:' 'leak_in_callee (report_prog.c:' \
              'leak_by_realloc (report_prog.c:' 'dl_leak (report_dl.c:' \
              'peak_phase (report_prog.c:' 'temporaries (report_prog.c:'; do
        grep -qF "$fn" prog.txt || { cat prog.txt; fail "the text report does not show '$fn'"; }
    done
    grep -q '^  leaked at exit   ' prog.txt || fail "no 'leaked at exit' in the summary"
    # No frame of memprof's own shim in any stack.
    ! grep -q 'libmemprof' prog.txt || fail "a shim frame is shown"
    ;;
clean)
    record clean.mpz "$BINDIR/clean_prog"
    report clean.json --json clean.mpz
    "$PY" "$HERE/report_real.py" clean clean.json
    report clean.txt clean.mpz
    grep -qx 'Findings: none' clean.txt || { cat clean.txt; fail "findings for a clean program"; }
    grep -q '^  leaked at exit   nothing$' clean.txt || fail "a clean program leaked"
    ;;
fork)
    record fork.mpz "$BINDIR/fork_prog"
    child=$(ls fork.mpz.* 2>/dev/null | head -1)
    [ -n "$child" ] || fail "no log from the child (fork.mpz.<pid>)"
    report both.json --json fork.mpz "$child"
    "$PY" "$HERE/report_real.py" fork both.json
    report dir.txt .
    grep -q "^  fork\.mpz  " dir.txt || { cat dir.txt; fail "the parent's log is not listed"; }
    grep -q "(child of fork\.mpz)$" dir.txt || { cat dir.txt; fail "the child is not said to be fork.mpz's"; }
    grep -q "^or on all of them:  .* report \./fork\.mpz \./$child$" dir.txt ||
        { cat dir.txt; fail "no command to report on both"; }
    ;;
partial)
    record prog.mpz "$BINDIR/report_prog" "$DLIB"
    chunks=$("$MEMPROF" dump prog.mpz | grep -c '^# chunk ')
    size=$(stat -c %s prog.mpz)
    head -c $((size - 10)) prog.mpz > cut.mpz
    report cut.txt cut.mpz
    grep -q '^partial: the log ends at byte [0-9]* (' cut.txt || { head cut.txt; fail "a cut log is not marked partial"; }
    report cut.json --json cut.mpz
    "$PY" "$HERE/report_real.py" partial cut.json
    if [ "$chunks" -gt 1 ]; then
        first=$("$MEMPROF" dump prog.mpz | sed -n 's/^# chunk 1 at byte \([0-9]*\):.*/\1/p')
        head -c $((first + 3)) prog.mpz > first.mpz
        status=0
        "$MEMPROF" report first.mpz >first.txt 2>first.err || status=$?
        [ $status = 0 ] || fail "a log cut inside its second chunk exited $status"
    fi
    head -c 30 prog.mpz > tiny.mpz
    status=0
    "$MEMPROF" report tiny.mpz >tiny.txt 2>tiny.err || status=$?
    [ $status = 2 ] || fail "a log cut inside its first chunk exited $status, expected 2"
    grep -q '^memprof: report: tiny.mpz: nothing to report: decoding stopped at byte 16' tiny.err ||
        { cat tiny.err; fail "no reason for an unusable log"; }
    [ ! -s tiny.txt ] || fail "something on stdout for an unusable log"
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "ok: integration.report.real_$case_name"
