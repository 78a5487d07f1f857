#!/usr/bin/env bash
# run-report.sh — how fast the analysis is: `memprof report` against
# heaptrack_print on logs of the same workloads (bench/workloads.sh: deepstack
# with 1 and 2 threads, python3, sqlite3).
#
# Each workload is recorded once by memprof (full mode) and once by
# heaptrack; then, round-robin (the first tool rotating), `memprof report
# LOG` and `heaptrack_print LOG.zst` each read their log ROUNDS times with
# their output sent to /dev/null. Both do their whole default job: decode
# the log, replay it, symbolize, and print a report (heaptrack_print: peak,
# leaks, allocation and temporary hot spots; memprof: the same plus the
# size classes and the findings). Figures are medians over the rounds:
#   wall s, cpu s    wall-clock time and user + sys CPU time of one report
#   M ev/s           the workload's events / wall s (events: the END record
#                    of memprof's log — ALLOC, FREE, REALLOC and SPAN events;
#                    the same program runs under heaptrack, so heaptrack's
#                    log holds the same allocations and frees)
#   RSS MiB          the reader's peak RSS (/usr/bin/time %M)
#   speed-up         memprof's events per second / heaptrack_print's, by
#                    wall-clock time and by CPU time (on a loaded machine the
#                    CPU figure is the steadier one)
# The target (issue #4) is a speed-up of at least 5 with no more memory.
#
# Usage: bench/run-report.sh [-r ROUNDS] [-h]
# Environment:
#   ROUNDS=5            rounds (at least 3 for a table worth quoting)
#   MP_BUILD_DIR=build  CMake build directory (configured and built if needed)
#   WORKLOADS="deepstack1 deepstack2 python sqlite"   a subset to run
#   HEAPTRACK, HEAPTRACK_PRINT   override paths
#   KEEP_RAW=1          keep the logs and raw figures
#
# Prints one table and saves it to bench/results/report-YYYYMMDD-HHMM.txt.
# docs/bench.md ("Analysis throughput") explains it.
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-5}
BUILD=${MP_BUILD_DIR:-$REPO/build}
WANT=${WORKLOADS:-deepstack1 deepstack2 python sqlite}
SCRIPT=run-report
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"
# shellcheck source=bench/workloads.sh
. "$REPO/bench/workloads.sh"

while getopts "r:h" opt; do
    case $opt in
    r) ROUNDS=$OPTARG ;;
    h) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
    esac
done
case $ROUNDS in '' | *[!0-9]* | 0) say "ROUNDS must be a positive integer"; exit 2 ;; esac
[ "$ROUNDS" -lt 3 ] && say "note: ROUNDS=$ROUNDS; a table worth quoting uses at least 3"
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac

bench_build report-build.log bench_deepstack memprof memprof_cli
need_time
BIN=$BUILD/bin
MPCLI=$BIN/memprof
HEAPTRACK=${HEAPTRACK:-$(command -v heaptrack || true)}
HEAPTRACK_PRINT=${HEAPTRACK_PRINT:-$(command -v heaptrack_print || true)}
HT=1
if [ -z "$HEAPTRACK" ] || [ -z "$HEAPTRACK_PRINT" ]; then
    say "heaptrack or heaptrack_print is not installed (apt-get install heaptrack): memprof's figures only"
    HT=0
fi
RAW=$(mktemp -d "${TMPDIR:-/tmp}/memprof-report.XXXXXX")
define_workloads

# record W: one memprof log ($RAW/W.mpz) and one heaptrack log ($RAW/W.ht.zst).
record() {
    local w label env cmd in
    IFS='|' read -r w label env cmd in <<<"$1"
    # shellcheck disable=SC2206
    local -a wenv=($env) argv=($cmd)
    say "recording $w"
    if ! env "${wenv[@]}" "$MPCLI" run -o "$RAW/$w.mpz" -- "${argv[@]}" <"$in" >/dev/null 2>"$RAW/$w.run.err"; then
        say "memprof run failed on $w: $(tail -2 "$RAW/$w.run.err" | tr '\n' ' ')"
        return 1
    fi
    if [ "$HT" = 1 ] && ! env "${wenv[@]}" "$HEAPTRACK" -o "$RAW/$w.ht" "${argv[@]}" <"$in" >/dev/null 2>"$RAW/$w.ht.err"; then
        say "heaptrack failed on $w: $(tail -2 "$RAW/$w.ht.err" | tr '\n' ' ')"
        rm -f "$RAW/$w.ht.zst"
    fi
    "$MPCLI" dump "$RAW/$w.mpz" 2>/dev/null | awk '$1 == "END" { for (i = 2; i <= NF; i++) if ($i ~ /^events=/) print substr($i, 8) }' >"$RAW/$w.events"
}

# read_one TOOL W ROUND: one report; appends "wall cpu rss_kb" to $RAW/W.TOOL.
read_one() {
    local t=$1 w=$2 r=$3
    local -a cmd
    case $t in
    memprof) cmd=("$MPCLI" report "$RAW/$w.mpz") ;;
    heaptrack) cmd=("$HEAPTRACK_PRINT" "$RAW/$w.ht.zst") ;;
    esac
    local TIMEFORMAT="%3U %3S" t0 t1 rc cpu
    t0=$EPOCHREALTIME
    cpu=$( { time /usr/bin/time -o "$RAW/$w.$t.$r.rss" -f "%M" "${cmd[@]}" >/dev/null 2>"$RAW/$w.$t.$r.err"; } 2>&1)
    rc=$?
    t1=$EPOCHREALTIME
    if [ "$rc" != 0 ]; then
        say "FAILED: ${cmd[*]} exited $rc: $(head -c 300 "$RAW/$w.$t.$r.err" | tr '\n' ' ')"
        return 1
    fi
    echo "$(calc "$t1 - $t0" 4) $(awk '{ printf "%.3f", $1 + $2 }' <<<"$cpu") $(tail -1 "$RAW/$w.$t.$r.rss")" >>"$RAW/$w.$t"
}

col() { awk -v c="$2" '{ print $c }' "$RAW/$1" 2>/dev/null; }

STAMP=$(date -u +%Y%m%d-%H%M)
mkdir -p "$REPO/bench/results"
OUT=$REPO/bench/results/report-$STAMP.txt
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo "memprof report vs heaptrack_print — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $LOAD0"
    echo "memprof $(git -C "$REPO" describe --always --dirty 2>/dev/null), $("$HEAPTRACK_PRINT" --version 2>/dev/null | head -1)"
    echo "$ROUNDS rounds, medians; M ev/s = events / wall s; x wall, x cpu = heaptrack_print's time / memprof's (the speed-up; target >= 5); RSS ratio = memprof / heaptrack_print (target <= 1)"
    echo
    printf '%-34s %10s | %7s %7s %7s %8s | %7s %7s %7s %8s | %6s %6s %9s\n' workload events \
        "mp wall" "mp cpu" "M ev/s" "RSS MiB" "ht wall" "ht cpu" "M ev/s" "RSS MiB" "x wall" "x cpu" "RSS ratio"
} | tee "$OUT"
for wl in "${WORKLOADS[@]}"; do
    IFS='|' read -r w label _ <<<"$wl"
    record "$wl" || continue
    tools=(memprof)
    [ -s "$RAW/$w.ht.zst" ] && tools+=(heaptrack)
    for ((r = 1; r <= ROUNDS; r++)); do
        for ((k = 0; k < ${#tools[@]}; k++)); do
            read_one "${tools[(k + r) % ${#tools[@]}]}" "$w" "$r"
        done
    done
    ev=$(cat "$RAW/$w.events")
    mw=$(col "$w.memprof" 1 | med) mc=$(col "$w.memprof" 2 | med) mr=$(col "$w.memprof" 3 | med)
    mev=$(calc "$ev / $mw / 1e6" 2)
    line=$(printf '%-34s %10s | %7.3f %7.3f %7s %8s' "$label" "$ev" "$mw" "$mc" "$mev" "$(calc "$mr / 1024" 1)")
    if [ -s "$RAW/$w.heaptrack" ]; then
        hw=$(col "$w.heaptrack" 1 | med) hc=$(col "$w.heaptrack" 2 | med) hr=$(col "$w.heaptrack" 3 | med)
        hev=$(calc "$ev / $hw / 1e6" 2)
        line+=$(printf ' | %7.3f %7.3f %7s %8s | %6s %6s %9s' "$hw" "$hc" "$hev" "$(calc "$hr / 1024" 1)" \
            "$(calc "$hw / $mw" 2)" "$(calc "$hc / $mc" 2)" "$(calc "$mr / $hr" 2)")
    else
        line+=" | heaptrack_print: n/a"
    fi
    echo "$line" | tee -a "$OUT"
    echo "  spread (max-min)/median, wall: memprof $(col "$w.memprof" 1 | spr)%$([ -s "$RAW/$w.heaptrack" ] && echo ", heaptrack_print $(col "$w.heaptrack" 1 | spr)%")" | tee -a "$OUT"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
say "table saved as $OUT"
[ "${KEEP_RAW:-0}" = 1 ] && say "raw figures and logs kept in $RAW" || rm -rf "$RAW"
