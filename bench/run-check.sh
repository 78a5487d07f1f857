#!/usr/bin/env bash
# run-check.sh — the CI leak check's speed and findings: `memprof check`
# against `valgrind --leak-check=full` on the same programs, and what the
# shim's leak scan at exit costs.
#
# Part 1, check vs memcheck. Programs:
#   churn        bench_churn 1: 10^6 malloc/free pairs of 8..512 bytes from one
#                thread (the allocation-heavy case)
#   deepstack    bench_deepstack 1 300: 3 * 10^5 operations from 5..15-frame
#                call chains
#   definite, indirect, possible, reachable, thread_exited, thread_live,
#   dlopen       the leak-kind programs of tests/integration/leakkinds
# Each runs ROUNDS times under each tool, round-robin (the first tool
# rotating): `memprof check --kinds=all --json -- PROG` and `valgrind
# --leak-check=full --show-leak-kinds=all PROG`, both doing their whole job
# (run, scan, symbolize, print). Columns: median wall seconds of each, the
# ratio (memcheck / memprof: how many times faster memprof is), and whether
# both found the same leaks: the definitely and indirectly lost bytes and
# blocks of memcheck's LEAK SUMMARY against memprof check's leak summary
# (stacks not suppressed). memcheck runs __libc_freeres first, memprof's
# built-in suppressions drop the C runtime's one-time blocks instead, so the
# lost kinds compare; possibly lost and still reachable are printed, not
# compared (glibc's own blocks differ, docs/recording.md).
#
# Part 2, the scan's cost: bench_leakscan under `memprof run`, the scan's own
# time read from the LEAKSCAN record (memprof dump): 10^6 and 4 * 10^6
# blocks of 64 bytes in lists (half kept, half lost), and LARGE_MIB blocks
# of 1 MiB of data; ms per 10^6 live blocks and per GiB of heap read.
#
# Usage: bench/run-check.sh [-r ROUNDS] [-h]
# Environment:
#   ROUNDS=3            rounds per program (medians)
#   MP_BUILD_DIR=build  CMake build directory (configured and built if needed)
#   LARGE_MIB=512       heap of the large-block case
#   VALGRIND            valgrind's path (part 1 is skipped without it)
#
# Prints the tables and saves them to bench/results/check-YYYYMMDD-HHMM.txt.
# docs/ci.md ("Speed") and docs/recording.md quote them.
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-3}
BUILD=${MP_BUILD_DIR:-$REPO/build}
LARGE_MIB=${LARGE_MIB:-512}
SCRIPT=run-check
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"

while getopts "r:h" opt; do
    case $opt in
    r) ROUNDS=$OPTARG ;;
    h) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
    esac
done
case $ROUNDS in '' | *[!0-9]* | 0) say "ROUNDS must be a positive integer"; exit 2 ;; esac
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac

LK=(definite indirect possible reachable thread_exited thread_live dlopen)
bench_build check-build.log bench_churn bench_deepstack bench_leakscan memprof memprof_cli \
    mp_lk_leaky $(printf 'mp_lk_%s ' "${LK[@]}")
need_time
BIN=$BUILD/bin
MPCLI=$BIN/memprof
LKBIN=$BUILD/tests/integration/leakkinds
VALGRIND=${VALGRIND:-$(command -v valgrind || true)}
RAW=$(mktemp -d "${TMPDIR:-/tmp}/memprof-run-check.XXXXXX")
trap 'rm -rf "$RAW"' EXIT
OUT=$REPO/bench/results/check-$(date -u +%Y%m%d-%H%M).txt
mkdir -p "$REPO/bench/results"

# wall SECONDS of one command (stdout to $1, stderr to $2), by /usr/bin/time.
timed() {
    local out=$1 err=$2
    shift 2
    /usr/bin/time -f '%e' -o "$RAW/time" "$@" >"$out" 2>"$err"
    tail -n 1 "$RAW/time"
}

# "definite_bytes/blocks indirect_bytes/blocks possible... reachable..." from
# memcheck's LEAK SUMMARY ("0/0" for each kind when it found no leak).
vg_summary() {
    awk '/definitely lost:|indirectly lost:|possibly lost:|still reachable:/ {
             for (i = 1; i <= NF; i++) if ($i == "bytes") { b = $(i - 1); n = $(i + 2) }
             gsub(",", "", b); gsub(",", "", n); k[++m] = b "/" n }
         END { if (!m) print "0/0 0/0 0/0 0/0"; else print k[1], k[2], k[3], k[4] }' "$1"
}

# The same from memprof check --json (kinds.summary).
mp_summary() {
    python3 - "$1" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))["kinds"]["summary"]
    print(" ".join("%d/%d" % (s[k]["bytes"], s[k]["blocks"])
                   for k in ("definite", "indirect", "possible", "reachable")))
except Exception as e:  # no JSON: the check failed
    print("error error error error")
PY
}

{
echo "# memprof check vs valgrind --leak-check=full — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r)"
echo "# $ROUNDS rounds, medians; valgrind: ${VALGRIND:-none} $([ -n "$VALGRIND" ] && "$VALGRIND" --version)"
echo "# kinds: bytes/blocks of definitely lost, indirectly lost (compared), possibly lost, still reachable"
echo
} | tee "$OUT"

if [ -n "$VALGRIND" ]; then
    progs=(
        "churn|$BIN/bench_churn 1"
        "deepstack|$BIN/bench_deepstack 1 300"
    )
    for p in "${LK[@]}"; do
        if [ "$p" = dlopen ]; then
            progs+=("$p|$LKBIN/dlopen $LKBIN/libleaky.so")
        else
            progs+=("$p|$LKBIN/$p")
        fi
    done
    printf '%-14s %10s %10s %8s  %-6s  %-34s %s\n' program "memprof s" "memcheck s" ratio same \
        "memprof kinds" "memcheck kinds" | tee -a "$OUT"
    for row in "${progs[@]}"; do
        name=${row%%|*}
        cmd=${row#*|}
        : >"$RAW/mp.t"
        : >"$RAW/vg.t"
        for ((r = 0; r < ROUNDS; r++)); do
            for tool in $([ $((r % 2)) = 0 ] && echo "mp vg" || echo "vg mp"); do
                if [ $tool = mp ]; then
                    # The log is kept (-o) and checked again for the JSON: the
                    # program's own stdout goes where --json would.
                    rm -f "$RAW/mp.mpz"
                    # shellcheck disable=SC2086
                    timed /dev/null "$RAW/mp.err" "$MPCLI" check --kinds=all -o "$RAW/mp.mpz" \
                        -- $cmd >>"$RAW/mp.t"
                else
                    # shellcheck disable=SC2086
                    timed /dev/null "$RAW/vg.err" "$VALGRIND" --leak-check=full \
                        --show-leak-kinds=all $cmd >>"$RAW/vg.t"
                fi
            done
        done
        mp_s=$(med <"$RAW/mp.t")
        vg_s=$(med <"$RAW/vg.t")
        "$MPCLI" check --kinds=all --json "$RAW/mp.mpz" >"$RAW/mp.json" 2>/dev/null
        mk=$(mp_summary "$RAW/mp.json")
        vk=$(vg_summary "$RAW/vg.err")
        same=no
        [ "$(echo "$mk" | cut -d' ' -f1-2)" = "$(echo "$vk" | cut -d' ' -f1-2)" ] && same=yes
        printf '%-14s %10s %10s %7sx  %-6s  %-34s %s\n' "$name" "$mp_s" "$vg_s" \
            "$(calc "$vg_s / $mp_s" 1)" "$same" "$mk" "$vk" | tee -a "$OUT"
    done
else
    echo "valgrind not found: part 1 skipped (apt-get install valgrind)" | tee -a "$OUT"
fi

echo | tee -a "$OUT"
printf '%-28s %12s %12s %10s %14s %14s\n' "scan of" "live blocks" "heap MiB" "scan ms" \
    "ms/10^6 blocks" "ms/GiB read" | tee -a "$OUT"
for row in "blocks 1000000" "blocks 4000000" "large $LARGE_MIB"; do
    : >"$RAW/ms"
    for ((r = 0; r < ROUNDS; r++)); do
        rm -f "$RAW/scan.mpz"
        # shellcheck disable=SC2086
        "$MPCLI" run -o "$RAW/scan.mpz" -- "$BIN/bench_leakscan" $row >/dev/null 2>&1
        line=$("$MPCLI" dump "$RAW/scan.mpz" | grep '^LEAKSCAN' | head -n 1)
        us=$(echo "$line" | sed -E 's/.* duration=([0-9]+)us.*/\1/')
        echo "$us" >>"$RAW/ms"
    done
    live=$(echo "$line" | sed -E 's/.* live_blocks=([0-9]+) .*/\1/')
    heap=$(echo "$line" | sed -E 's/.* heap_bytes=([0-9]+) .*/\1/')
    ms=$(calc "$(med <"$RAW/ms") / 1000" 1)
    per_m=-
    [ "$live" -ge 100000 ] && per_m=$(calc "$ms * 1000000 / $live" 1)
    printf '%-28s %12s %12s %10s %14s %14s\n' "bench_leakscan $row" "$live" \
        "$(calc "$heap / 1048576" 0)" "$ms" "$per_m" \
        "$(calc "$ms * 1073741824 / $heap" 0)" | tee -a "$OUT"
done
say "saved $OUT"
