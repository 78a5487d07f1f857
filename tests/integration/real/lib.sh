# lib.sh — shared driver for the integration.real.* tests (sourced, not run).
#
# Each test runs one workload twice in the same scratch directory: first
# plain (no LD_PRELOAD), then with the memprof shim preloaded as the
# program's malloc and MEMPROF_OPTIONS=mode=off:stats=1. The workload is a
# bash function made of mp_step calls; only the commands given to mp_step
# are preloaded, never this script, its helpers or the input generators.
#
# The test passes when:
#   - the two transcripts are identical: every step's command line, stdout
#     and exit status (a step that crashes, hangs (timeout) or exits
#     differently shows up here);
#   - every step's stderr is identical once the shim's own "memprof:" lines
#     are removed (also "remote: memprof:", git relaying a child's stderr);
#   - in the preloaded run, every step (unless marked --no-stats-check, with
#     a reason) printed at least one "memprof:" line on stderr, i.e. the shim
#     was loaded, served the program and printed its counters at exit.
#
# A program that is not installed makes the test exit 77, which ctest reports
# as SKIPPED (SKIP_RETURN_CODE) with the reason on stdout.
#
# Usage, from a test script:
#   source "$(dirname "$0")/lib.sh"
#   mp_real_init "$@"            # $1 = path of libmemprof.so
#   mp_need sqlite3              # skip if missing
#   workload() { mp_step sqlite3 db.sqlite < "$MP_INPUT/x.sql"; }
#   mp_compare workload
#
# Environment knobs (for investigation, not needed by ctest):
#   MP_REAL_OPTIONS   MEMPROF_OPTIONS of the preloaded run (mode=off:stats=1)
#   MP_REAL_TIMEOUT   per-step timeout in seconds (60)
#   MP_REAL_KEEP=1    keep the scratch directory and print where it is

mp_real_init() {
    if [ $# -lt 1 ] || [ -z "$1" ]; then
        echo "usage: $0 /path/to/libmemprof.so [args...]" >&2
        exit 2
    fi
    MP_SHIM=$(readlink -f -- "$1")
    if [ ! -f "$MP_SHIM" ]; then
        echo "FAIL: shim not found: $1" >&2
        exit 1
    fi
    MP_OPTIONS=${MP_REAL_OPTIONS:-mode=off:stats=1}
    # The shim's own stderr lines: "memprof: ...", also when a program
    # relays a child's stderr behind a prefix (git's "remote: " sideband
    # carries pack-objects' stderr during a clone).
    MP_SHIM_LINE='^(remote: +)?memprof:'
    MP_TIMEOUT=${MP_REAL_TIMEOUT:-60}
    # A command of the test script itself that fails (set -e) says so,
    # rather than ending the test with a bare non-zero status.
    set -E
    trap 'echo "FAIL: test script error: \"$BASH_COMMAND\" exited $? (${BASH_SOURCE[0]##*/}:$LINENO)"' ERR
    MP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-real.XXXXXX")
    if [ "${MP_REAL_KEEP:-0}" = 1 ]; then
        trap 'echo "scratch kept in $MP_TMP"' EXIT
    else
        trap 'rm -rf -- "$MP_TMP"' EXIT
    fi
    # Inputs shared by both runs (generated once, never preloaded).
    MP_INPUT=$MP_TMP/input
    mkdir -p "$MP_INPUT"
    # Same locale and time zone for both runs; no inherited preload.
    export LC_ALL=C TZ=UTC
    unset LD_PRELOAD MEMPROF_OPTIONS
}

# mp_need PROG...: skip the test (exit 77) when a program is missing.
mp_need() {
    local p
    for p in "$@"; do
        if ! command -v "$p" >/dev/null 2>&1; then
            echo "SKIP: '$p' is not installed on this machine"
            exit 77
        fi
    done
}

# mp_step [--no-stats-check REASON] CMD ARGS...
# Runs one command of the workload: preloaded in the shim run, plain in the
# plain run. Appends "$ CMD ARGS", its stdout and "[exit N]" to the
# transcript (the function's stdout); its stderr goes to a file of its own.
# Never fails itself, so a failing step does not stop the workload: the
# comparison shows where the runs diverged.
mp_step() {
    local check=1 reason=""
    if [ "${1-}" = --no-stats-check ]; then
        check=0 reason=$2
        shift 2
    fi
    # Numbered by the files already there, so steps run in a subshell (a
    # pipeline) still get distinct, ordered numbers.
    local id n=0 f
    for f in "$MP_STEPS"/*.cmd; do
        [ -e "$f" ] && n=$((n + 1))
    done
    id=$(printf '%03d' $((n + 1)))
    local in
    in=$(readlink /proc/self/fd/0 2>/dev/null || true)
    if [ -f "$in" ]; then
        printf '%s < %s\n' "$*" "$in" > "$MP_STEPS/$id.cmd"
    else
        printf '%s\n' "$*" > "$MP_STEPS/$id.cmd"
    fi
    if [ $check = 0 ]; then
        printf '%s\n' "$reason" > "$MP_STEPS/$id.nocheck"
    fi
    printf '$ %s\n' "$*"
    local st=0
    timeout -k 5 "$MP_TIMEOUT" "${MP_PRE[@]}" "$@" 2> "$MP_STEPS/$id.err" || st=$?
    if [ $st = 124 ]; then
        printf '[timed out after %ss]\n' "$MP_TIMEOUT" >> "$MP_STEPS/$id.err"
    fi
    printf '[exit %d]\n' "$st"
}

# Runs the workload once, in $MP_WORK (same path for both runs, so program
# output that names it is comparable). $1 = plain|shim, $2 = function.
mp_run_once() {
    local kind=$1 fn=$2
    MP_WORK=$MP_TMP/work
    MP_STEPS=$MP_TMP/$kind.steps
    rm -rf -- "$MP_WORK"
    mkdir -p "$MP_WORK" "$MP_STEPS"
    if [ "$kind" = shim ]; then
        MP_PRE=(env "LD_PRELOAD=$MP_SHIM" "MEMPROF_OPTIONS=$MP_OPTIONS")
    else
        MP_PRE=(env -u LD_PRELOAD -u MEMPROF_OPTIONS)
    fi
    local t0 t1 st n
    t0=$(date +%s.%N)
    # errexit only works in the subshell if its status is not tested, hence
    # set +e around it rather than "|| st=$?".
    # The workload's own failures are compared, not reported from here.
    local errtrap
    errtrap=$(trap -p ERR)
    trap - ERR
    set +e
    (set -euo pipefail; cd "$MP_WORK"; "$fn") > "$MP_TMP/$kind.out" 2> "$MP_TMP/$kind.err"
    st=$?
    set -e
    eval "$errtrap"
    t1=$(date +%s.%N)
    n=$(find "$MP_STEPS" -name '*.cmd' | wc -l)
    printf '%s\n' "$st" > "$MP_TMP/$kind.status"
    awk -v a="$t0" -v b="$t1" -v k="$kind" -v n="$n" \
        'BEGIN { printf "%-5s run: %d step(s), %.1f s\n", k, n, b - a }'
}

# mp_compare FUNCTION: run FUNCTION plain and preloaded, compare, report.
# Ends the test: exits 0 when everything matches, 1 otherwise.
mp_compare() {
    local fn=$1 fail=0 f id base
    echo "shim:    $MP_SHIM"
    echo "options: MEMPROF_OPTIONS=$MP_OPTIONS"
    if ! nm -D --defined-only "$MP_SHIM" 2>/dev/null | awk '$3 == "malloc" { f = 1 } END { exit !f }'; then
        echo "note: $MP_SHIM does not define malloc yet (placeholder shim?)"
    fi
    mp_run_once plain "$fn"
    mp_run_once shim "$fn"

    # 1. The workload script itself (outside the steps) ran to the end, and
    # behaved the same in both runs.
    if [ "$(cat "$MP_TMP/plain.status")" != 0 ]; then
        echo "FAIL: the workload itself failed (status $(cat "$MP_TMP/plain.status")) in the plain run; its stderr:"
        head -n 20 "$MP_TMP/plain.err"
        fail=1
    fi
    if ! cmp -s "$MP_TMP/plain.status" "$MP_TMP/shim.status"; then
        echo "FAIL: workload exit status differs: plain $(cat "$MP_TMP/plain.status"), shim $(cat "$MP_TMP/shim.status")"
        fail=1
    fi
    if ! diff -u "$MP_TMP/plain.err" "$MP_TMP/shim.err" > "$MP_TMP/err.diff"; then
        echo "FAIL: workload stderr differs:"
        head -n 40 "$MP_TMP/err.diff"
        fail=1
    fi

    # 2. Transcript: command lines, stdout, exit status of every step.
    if ! diff -u --label plain --label shim "$MP_TMP/plain.out" "$MP_TMP/shim.out" > "$MP_TMP/out.diff"; then
        echo "FAIL: stdout or exit status differs (plain vs preloaded), first lines of the diff:"
        head -n 60 "$MP_TMP/out.diff"
        fail=1
    fi

    # 3. Per-step stderr without the shim's own lines, and 4. the shim was there.
    local nsteps=0 nactive=0 ninactive=0
    for f in "$MP_TMP"/shim.steps/*.cmd; do
        [ -e "$f" ] || continue
        base=${f%.cmd}
        id=${base##*/}
        nsteps=$((nsteps + 1))
        local pe=$MP_TMP/plain.steps/$id.err se=$base.err
        if [ ! -e "$pe" ]; then
            echo "FAIL: step $id ($(cat "$f")) ran only in the preloaded run"
            fail=1
            continue
        fi
        if ! diff -u --label "plain stderr" --label "shim stderr" \
                <(grep -Ev "$MP_SHIM_LINE" "$pe" || true) \
                <(grep -Ev "$MP_SHIM_LINE" "$se" || true) > "$base.errdiff"; then
            echo "FAIL: step $id ($(cat "$f")): stderr differs:"
            head -n 30 "$base.errdiff"
            fail=1
        fi
        if [ -e "$base.nocheck" ]; then
            echo "note: step $id ($(cat "$f")): shim-active check skipped: $(cat "$base.nocheck")"
        elif grep -q '^memprof:' "$se"; then
            nactive=$((nactive + 1))
        else
            ninactive=$((ninactive + 1))
            if [ $ninactive -le 5 ]; then
                echo "FAIL: step $id ($(cat "$f")): no 'memprof:' line on stderr with $MP_OPTIONS — the shim was not active (or did not print its counters at exit)"
            fi
            fail=1
        fi
    done
    if [ $ninactive -gt 5 ]; then
        echo "FAIL: ... and $((ninactive - 5)) more step(s) without 'memprof:' lines"
    fi
    if [ "$nsteps" = 0 ]; then
        echo "FAIL: the workload ran no steps"
        fail=1
    fi
    # Printing counters is not enough: some step must show the shim's heap
    # actually mapped memory, i.e. it served allocations rather than, say,
    # passing them on. Only checked while the line keeps its current form
    # ("memprof: heap: mapped 12.0 MiB = ..."); otherwise noted.
    if [ "$nactive" -gt 0 ]; then
        local mapped
        mapped=$(cat "$MP_TMP"/shim.steps/*.err | awk '
            /^memprof: heap: mapped / { seen = 1; if ($4 + 0 > 0) nz = 1 }
            END { print (nz ? "nonzero" : seen ? "zero" : "unknown") }')
        case $mapped in
        nonzero) ;;
        zero)
            echo "FAIL: the shim printed its counters but mapped no heap memory in any step: it did not serve the allocations"
            fail=1 ;;
        *) echo "note: no 'memprof: heap: mapped N' line to check that the heap served allocations (format changed?)" ;;
        esac
    fi
    echo "steps: $nsteps, shim active (memprof: stats seen) in $nactive"
    if grep -q '^memprof:' "$MP_TMP/shim.steps/001.err" 2>/dev/null; then
        echo "first step's shim stats:"
        # awk reads the whole file: "grep | head" could die of SIGPIPE,
        # which pipefail would turn into a spurious failure.
        awk '/^memprof:/ && n++ < 8 { print "  " $0 }' "$MP_TMP/shim.steps/001.err"
    fi
    if [ $fail = 0 ]; then
        echo "PASS: output and exit status identical with the shim preloaded"
    else
        echo "reproduce one step: cd <scratch>/work && env LD_PRELOAD=$MP_SHIM MEMPROF_OPTIONS=$MP_OPTIONS <step command>"
        echo "(MP_REAL_KEEP=1 keeps the scratch directory: inputs, transcripts, per-step stderr)"
    fi
    exit $fail
}
