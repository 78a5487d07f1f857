# lib.sh — driver of the real.* tests (sourced by tests/real/*.sh, not run).
#
# Each test runs real programs three ways from the same fresh work
# directory: plain, under `memprof run` (full recording) and under
# `memprof check` (the CI leak gate), and fails unless
#   1. stdout is byte-identical to the plain run's (after the test's
#      normaliser, RR_NORM, when a program's output is not deterministic —
#      each script says what it normalises), and so are the files a case
#      lists with --files (their sha256 is compared);
#   2. the exit status is the plain run's (memprof check: the program's own
#      status when it failed, else 0 — its leaks are all expected, below);
#   3. under `memprof run`, stderr equals the plain run's once memprof's own
#      "memprof:" lines are removed;
#   4. every log written (the program's and every forked or exec'd child's)
#      decodes: `memprof dump` exits 0 and ends with an END record; `memprof
#      report` prints a report; `memprof report --json` passes check_log.py:
#      complete, no lost events, no finding but "leak" (a retention finding
#      on these healthy programs is a false one), and no more blocks
#      reported leaked than the allocator's own exact counters had live at
#      the end (more would be frees the log lost: false leaks);
#   5. `memprof check` passes with the test's suppressions (each one says why
#      the allocation is a one-time, still-reachable one), and re-checking
#      its kept log with --json agrees.
# A program that is not installed makes the test exit 77: SKIPPED in ctest,
# with the reason on stdout.
#
# Usage from a test script:
#   source "$(dirname -- "$0")/lib.sh"
#   rr_init "$@"                       # $1 = the memprof binary
#   rr_need sqlite3
#   setup() { ...make inputs in $RR_WORK... }   # optional, run before each way
#   rr_case NAME [--files "F..."] [--supp FILE] -- CMD ARGS...
#   rr_done                            # exit status of the whole test
#
# Knobs: RR_KEEP=1 keeps the scratch directory; RR_TIMEOUT (seconds, 120).

rr_init() {
    if [ $# -lt 1 ] || [ ! -x "$1" ]; then
        echo "usage: $0 /path/to/memprof [args...]" >&2
        exit 2
    fi
    RR_MEMPROF=$(readlink -f -- "$1")
    RR_HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
    RR_TIMEOUT=${RR_TIMEOUT:-120}
    RR_FAIL=0
    RR_TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-rr.XXXXXX")
    if [ "${RR_KEEP:-0}" = 1 ]; then
        trap 'echo "scratch kept in $RR_TMP"' EXIT
    else
        trap 'rm -rf -- "$RR_TMP"' EXIT
    fi
    RR_WORK=$RR_TMP/work
    RR_INPUT=$RR_TMP/input
    mkdir -p "$RR_INPUT"
    export LC_ALL=C TZ=UTC
    unset LD_PRELOAD MEMPROF_OPTIONS MEMPROF_SHIM
    if ! command -v python3 >/dev/null 2>&1; then
        echo "SKIP: python3 (needed to read memprof report --json) is not installed"
        exit 77
    fi
}

# rr_need PROG...: skip the test (exit 77) when a program is missing.
rr_need() {
    local p
    for p in "$@"; do
        if ! command -v "$p" >/dev/null 2>&1; then
            echo "SKIP: '$p' is not installed on this machine (scripts/deps.sh installs it)"
            exit 77
        fi
    done
}

rr_fail() {
    echo "FAIL: $*"
    RR_FAIL=1
}

# Fresh work directory, prepared by the script's setup function if any.
rr_fresh() {
    rm -rf -- "$RR_WORK"
    mkdir -p "$RR_WORK"
    if declare -F setup >/dev/null; then
        (cd "$RR_WORK" && setup)
    fi
}

# rr_way NAME WAY CMD...: one run, in $RR_WORK; stdout/stderr/status and
# the --files hashes go to $RR_TMP/NAME.WAY.*
rr_way() {
    local name=$1 way=$2 st=0 f
    shift 2
    local o=$RR_TMP/$name.$way
    rr_fresh
    local t0 t1
    t0=$(date +%s.%N)
    if [ -n "$RR_DRIVER" ]; then
        # The driver starts its programs with "${RR_PRE[@]}" before them.
        (cd "$RR_WORK" && "$RR_DRIVER") > "$o.out" 2> "$o.err" || st=$?
    else
        (cd "$RR_WORK" && exec timeout -k 5 "$RR_TIMEOUT" "${RR_PRE[@]}" "$@") \
            > "$o.out" 2> "$o.err" || st=$?
    fi
    t1=$(date +%s.%N)
    echo "$st" > "$o.status"
    : > "$o.files"
    for f in $RR_FILES; do
        if [ -f "$RR_WORK/$f" ]; then
            (cd "$RR_WORK" && sha256sum -- "$f") >> "$o.files"
        else
            echo "missing $f" >> "$o.files"
        fi
    done
    if declare -F "${RR_NORM:-}" >/dev/null; then
        "$RR_NORM" < "$o.out" > "$o.norm"
    else
        cp -- "$o.out" "$o.norm"
    fi
    awk -v a="$t0" -v b="$t1" -v w="$way" -v s="$st" \
        'BEGIN { printf "  %-6s exit %s, %.2f s\n", w, s, b - a }'
}

# rr_logs NAME WAY DIR [--no-dump]: every log in DIR decodes and reports
# cleanly. --no-dump (the check runs: the same program, already dumped
# once) leaves out memprof dump, which prints every event and takes long.
rr_logs() {
    local name=$1 way=$2 dir=$3 log n=0 jsons=() dump=1
    [ "${4-}" = --no-dump ] && dump=0
    for log in "$dir"/*; do
        [ -f "$log" ] || continue
        n=$((n + 1))
        local base=$RR_TMP/$name.$way.$(basename -- "$log")
        local dst=0
        if [ $dump = 1 ]; then
            # pipefail (the scripts' set -o) makes this memprof dump's status.
            "$RR_MEMPROF" dump "$log" 2> "$base.dump.err" | tail -n 1 > "$base.dump.tail" || dst=$?
        fi
        if [ "$dst" != 0 ]; then
            rr_fail "$name/$way: memprof dump $(basename -- "$log") exited $dst: $(head -c 300 "$base.dump.err")"
        elif [ $dump = 1 ] && ! grep -q ' END 1)' "$base.dump.tail"; then
            rr_fail "$name/$way: $(basename -- "$log") has no END record: $(cat "$base.dump.tail")"
        fi
        if ! "$RR_MEMPROF" report "$log" > "$base.report" 2> "$base.report.err" ||
                ! [ -s "$base.report" ]; then
            rr_fail "$name/$way: memprof report $(basename -- "$log") failed: $(head -c 300 "$base.report.err")"
        fi
        if "$RR_MEMPROF" report --json "$log" > "$base.json" 2> "$base.json.err"; then
            jsons+=("$base.json")
        else
            rr_fail "$name/$way: memprof report --json $(basename -- "$log") failed: $(head -c 300 "$base.json.err")"
        fi
    done
    if [ $n = 0 ]; then
        rr_fail "$name/$way: no log was written"
        return
    fi
    if [ ${#jsons[@]} -gt 0 ] && ! python3 "$RR_HERE/check_log.py" "${RR_KNOWN[@]}" "${jsons[@]}"; then
        rr_fail "$name/$way: memprof report --json (above)"
    fi
}

# rr_compare NAME WAY: stdout, files and status of WAY against plain.
rr_compare() {
    local name=$1 way=$2 want_status=$3
    local p=$RR_TMP/$name.plain o=$RR_TMP/$name.$way
    if ! diff -u --label plain --label "$way" "$p.norm" "$o.norm" > "$o.diff"; then
        rr_fail "$name/$way: stdout differs from the plain run's:"
        head -n 30 "$o.diff"
    fi
    if ! diff -u --label plain --label "$way" "$p.files" "$o.files" > "$o.fdiff"; then
        rr_fail "$name/$way: output files differ from the plain run's:"
        head -n 20 "$o.fdiff"
    fi
    if [ "$(cat "$o.status")" != "$want_status" ]; then
        rr_fail "$name/$way: exit status $(cat "$o.status"), expected $want_status; stderr:"
        tail -n 30 "$o.err"
    fi
}

# rr_case NAME [options] -- CMD ARGS...
#   --files "F..."   files the command writes, compared by sha256
#   --supp FILE      suppressions for memprof check (repeatable)
#   --leaky REASON   the program does not free its own data at exit, by
#                    design (REASON says so): memprof check must then fail
#                    (exit 3) with exactly the blocks the report finds live
#                    at exit, less the suppressed ones — no more, no fewer
#   --known K@F@EXE  a known false finding (check_log.py; the script says why)
#   --driver FUNC    instead of one command, FUNC runs a session (a server
#                    and its clients): it starts the program under test as
#                    "${RR_PRE[@]}" PROGRAM ARGS (nothing, memprof run ...
#                    or memprof check ... --), prints a deterministic
#                    transcript and returns that program's exit status
rr_case() {
    local name=$1 supp=() leaky=""
    shift
    RR_FILES="" RR_KNOWN=() RR_DRIVER="" RR_PRE=()
    while [ $# -gt 0 ]; do
        case $1 in
        --files) RR_FILES=$2; shift 2 ;;
        --supp) supp+=("--suppressions=$2"); shift 2 ;;
        --leaky) leaky=$2; shift 2 ;;
        --known) RR_KNOWN+=(--known "$2"); shift 2 ;;
        --driver) RR_DRIVER=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "rr_case: unknown option $1" >&2; exit 2 ;;
        esac
    done
    echo "== $name: ${RR_DRIVER:-$*}"
    local logs=$RR_TMP/$name.logs
    mkdir -p "$logs/run" "$logs/check"

    rr_way "$name" plain "$@"
    local plain_status
    plain_status=$(cat "$RR_TMP/$name.plain.status")
    case $plain_status in
    0) ;;
    124|126|127)
        rr_fail "$name: the plain run did not run or timed out (exit $plain_status): $(head -c 300 "$RR_TMP/$name.plain.err")"
        return ;;
    *) echo "  note: the plain run exits $plain_status; the memprof runs must too" ;;
    esac

    # 1-4: memprof run.
    RR_PRE=("$RR_MEMPROF" run -o "$logs/run/$name.mpz" --)
    rr_way "$name" run "$@"
    rr_compare "$name" run "$plain_status"
    if ! diff -u --label plain --label run <(grep -v '^memprof:' "$RR_TMP/$name.plain.err" || true) \
            <(grep -v '^memprof:' "$RR_TMP/$name.run.err" || true) > "$RR_TMP/$name.run.errdiff"; then
        rr_fail "$name/run: stderr differs from the plain run's (memprof: lines aside):"
        head -n 30 "$RR_TMP/$name.run.errdiff"
    fi
    rr_logs "$name" run "$logs/run"

    # 5: memprof check, which passes when every leak is suppressed (or, for
    # a --leaky program, fails on exactly what the log has live at exit:
    # with --kinds=all, since what such a program keeps until exit is
    # mostly still reachable, which the default kinds do not count).
    local want=$plain_status kinds=()
    if [ -n "$leaky" ]; then
        kinds=(--kinds=all)
    fi
    if [ "$plain_status" = 0 ] && [ -n "$leaky" ]; then
        want=3
        echo "  note: memprof check must fail on the program's own data left at exit: $leaky"
    fi
    RR_PRE=("$RR_MEMPROF" check "${supp[@]}" "${kinds[@]}" -o "$logs/check/$name.mpz" --)
    rr_way "$name" check "$@"
    rr_compare "$name" check "$want"
    if [ "$want" = 0 ] && ! grep -q '^memprof: check: passed' "$RR_TMP/$name.check.err"; then
        rr_fail "$name/check: no 'memprof: check: passed' line; its stderr ends:"
        tail -n 40 "$RR_TMP/$name.check.err"
    fi
    local cst=0
    "$RR_MEMPROF" check "${supp[@]}" "${kinds[@]}" --json "$logs/check/$name.mpz" > "$RR_TMP/$name.check.json" \
        2> /dev/null || cst=$?
    if [ "$plain_status" = 0 ] && [ $cst != "$want" ]; then
        rr_fail "$name/check: re-checking the kept log exits $cst, expected $want"
    fi
    rr_logs "$name" check "$logs/check" --no-dump
    # memprof check reads every log of the run (forked and exec'd children
    # too); a process that exec'd leaked nothing (its memory went with it).
    if [ -n "$leaky" ] && ! python3 - "$RR_TMP/$name.check.json" \
            "$RR_TMP/$name.check.$name.mpz"*.json <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
got = (c["leaked"]["blocks"] + c["suppressed"]["blocks"], c["leaked"]["bytes"] + c["suppressed"]["bytes"])
want = [0, 0]
for path in sys.argv[2:]:
    r = json.load(open(path))
    if (r["end"] or {}).get("reason") != "exec":
        want[0] += r["summary"]["leaked_blocks"]
        want[1] += r["summary"]["leaked_bytes"]
print("  check: %d blocks, %d bytes leaked or suppressed; the reports of its %d logs: "
      "%d blocks, %d bytes live at exit" % (got + (len(sys.argv) - 2,) + tuple(want)))
sys.exit(got != tuple(want))
PY
    then
        rr_fail "$name/check: memprof check and memprof report disagree on what is live at exit"
    fi
    sed -n 's/^memprof: check: //p' "$RR_TMP/$name.check.err" | head -n 2 | sed 's/^/  check: /'
}

rr_done() {
    if [ "$RR_FAIL" = 0 ]; then
        echo "PASS"
    else
        echo "(RR_KEEP=1 keeps the scratch directory: outputs, logs, reports)"
    fi
    exit "$RR_FAIL"
}
