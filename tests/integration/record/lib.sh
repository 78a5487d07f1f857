# lib.sh — shared by the integration.record scripts (sourced, never run).
#
# Every script is called as
#     bash CASE.sh SHIM CLI CHECKLOG BINDIR [EXTRA...]
# SHIM the libmemprof.so to preload, CLI the memprof command, CHECKLOG the
# checker (checklog.c), BINDIR where the test programs are. rec_setup makes
# a scratch directory, cds into it (a log named after the program lands
# there) and removes it on success; on failure it is kept and named.

set -euo pipefail

rec_setup() {
    SHIM=$1 CLI=$2 CHECKLOG=$3 BINDIR=$4
    shift 4
    EXTRA=("$@")
    for f in "$SHIM" "$CLI" "$CHECKLOG"; do
        [[ -e $f ]] || { echo "FAIL: $f does not exist"; exit 1; }
    done
    T=$(mktemp -d "${TMPDIR:-/tmp}/mp-record.XXXXXX")
    cd "$T"
    trap 'rc=$?; if [[ $rc == 0 ]]; then rm -rf "$T"; elif [[ $rc != 77 ]]; then echo "(files kept in $T)"; fi' EXIT
}

# Messages go to stderr: rec_fail may run inside $(...).
rec_fail() {
    echo "FAIL: $*" >&2
    exit 1
}

rec_skip() {
    echo "SKIP: $*" >&2
    exit 77
}

# rec_run OPTIONS PROGRAM ARGS...: runs PROGRAM with the shim preloaded and
# MEMPROF_OPTIONS=OPTIONS; returns its exit status.
rec_run() {
    local opts=$1
    shift
    env LD_PRELOAD="$SHIM" MEMPROF_OPTIONS="$opts" "$@"
}

# rec_check LOG [CHECKLOG OPTIONS...]: runs the checker, keeps its output in
# LOG.check, shows it and fails the test if the checker does.
rec_check() {
    local log=$1
    shift
    local rc=0
    "$CHECKLOG" "$@" "$log" > "$log.check" 2> "$log.check.err" || rc=$?
    if [[ $rc != 0 ]]; then
        grep -v '^stack ' "$log.check" || true
        cat "$log.check.err"
        rec_fail "checklog $* $log exited $rc"
    fi
}

# rec_val FILE PREFIX KEY: the value of KEY=... on the line of FILE that
# starts with "PREFIX " (the checker's output lines).
rec_val() {
    local line
    line=$(grep -m1 "^$2 " "$1") || rec_fail "no line '$2 ...' in $1"
    line=" ${line#* }"
    [[ $line =~ \ $3=([^ ]*) ]] || rec_fail "no $3= on the line '$2 ...' of $1"
    echo "${BASH_REMATCH[1]}"
}

# rec_expect FILE PREFIX KEY WANT: fails unless the value is WANT.
rec_expect() {
    local got
    got=$(rec_val "$1" "$2" "$3")
    [[ $got == "$4" ]] || rec_fail "$2 $3=$got, expected $4 (in $1)"
}

# rec_expect_ge FILE PREFIX KEY MIN
rec_expect_ge() {
    local got
    got=$(rec_val "$1" "$2" "$3")
    (( got >= $4 )) || rec_fail "$2 $3=$got, expected at least $4 (in $1)"
}

# rec_dump LOG: `memprof dump LOG` into LOG.dump (stderr LOG.dump.err);
# returns its exit status.
rec_dump() {
    local rc=0
    "$CLI" dump "$1" > "$1.dump" 2> "$1.dump.err" || rc=$?
    return $rc
}
