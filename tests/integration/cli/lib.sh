# lib.sh — helpers sourced by the memprof CLI integration tests
# (tests/integration/cli.cmake). Not a test itself.
#
# Every test is run as: bash TEST.sh MEMPROF SHIM [extra args...]
# where MEMPROF is the built memprof binary and SHIM the built libmemprof.so.
# The helpers run memprof with stdout and stderr captured in a private
# temporary directory ($TMP, removed on exit), and fail with a message that
# shows what memprof printed.

set -euo pipefail

MEMPROF=$(realpath "$1")
SHIM=$(realpath "$2")
shift 2

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-cli-test.XXXXXX")
# memprof run writes its log in the current directory: keep it in $TMP.
cd "$TMP"
# Tests that start processes in the background list their pids here, so a
# failing test does not leave them running.
kill_on_exit=()
cleanup() {
    local pid
    for pid in "${kill_on_exit[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

# Child programs killed by a signal would otherwise leave core files.
ulimit -c 0

# A memprof started by a test must not find a shim through the tester's
# environment unless the test says so.
unset MEMPROF_SHIM MEMPROF_OPTIONS LD_PRELOAD

fail() {
    echo "FAIL: $*" >&2
    if [ -n "${what:-}" ]; then
        echo "  command: $what" >&2
        echo "  exit status: ${status:-?}" >&2
        echo "  stdout:" >&2; sed 's/^/    | /' "$TMP/out" >&2 || true
        echo "  stderr:" >&2; sed 's/^/    | /' "$TMP/err" >&2 || true
    fi
    exit 1
}

# mp ARGS...: runs "$MEMPROF" ARGS...; sets $status, $TMP/out, $TMP/err.
# The brace group's own stderr goes to /dev/null so that bash's notice of
# a signal death ("Segmentation fault") does not clutter the test log.
mp() {
    what="memprof $*"
    set +e
    { "$MEMPROF" "$@" >"$TMP/out" 2>"$TMP/err"; status=$?; } 2>/dev/null
    set -e
}

# run_cmd ARGS...: the same for any command (an installed or copied memprof).
run_cmd() {
    what="$*"
    set +e
    { "$@" >"$TMP/out" 2>"$TMP/err"; status=$?; } 2>/dev/null
    set -e
}

expect_status() {
    [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status"
}

# expect_out TEXT: stdout is exactly TEXT (plus the final newline).
expect_out() {
    [ "$(cat "$TMP/out")" = "$1" ] || fail "expected stdout to be exactly: $1"
}

# expect_err_line LINE: some line of stderr is exactly LINE.
expect_err_line() {
    grep -Fxq -- "$1" "$TMP/err" || fail "expected a stderr line exactly: $1"
}

# expect_out_has TEXT / expect_err_has TEXT: contains TEXT somewhere.
expect_out_has() {
    grep -Fq -- "$1" "$TMP/out" || fail "expected stdout to contain: $1"
}
expect_err_has() {
    grep -Fq -- "$1" "$TMP/err" || fail "expected stderr to contain: $1"
}

expect_err_empty() {
    [ ! -s "$TMP/err" ] || fail "expected nothing on stderr"
}

# expect_err_lacks TEXT: TEXT appears nowhere on stderr.
expect_err_lacks() {
    ! grep -Fq -- "$1" "$TMP/err" || fail "expected stderr not to contain: $1"
}

# summary_events: the event count of memprof run's "memprof: log PATH: SIZE,
# N events ..." line on stderr.
summary_events() {
    local n
    n=$(sed -n 's/^memprof: log .*: [0-9.]* [A-Za-z]*, \([0-9]*\) events\{0,1\}\b.*/\1/p' "$TMP/err")
    [ -n "$n" ] || fail "no 'memprof: log PATH: SIZE, N events' line on stderr"
    echo "$n"
}

# dump_events LOG: the event count in memprof dump's summary of LOG.
dump_events() {
    local n
    "$MEMPROF" dump "$1" >"$TMP/dump" 2>"$TMP/dump.err" || true
    n=$(sed -n 's/^# summary: .*; \([0-9]*\) events.*/\1/p' "$TMP/dump")
    [ -n "$n" ] || { cat "$TMP/dump.err" >&2; fail "memprof dump $1 printed no summary"; }
    echo "$n"
}

pass() {
    echo "PASS: ${0##*/}"
}
