#!/usr/bin/env bash
# run-record.sh — what recording costs: memprof's full and sampled modes
# against the plain run, memprof's heap alone, heaptrack and valgrind massif.
#
# Four workloads, each run under every tool:
#   deepstack 1      bench_deepstack 1: allocations from 5..15-frame call chains
#   deepstack 2      bench_deepstack 2: the same with 2 threads, cross-thread frees
#   python3          bench/record_py.py, PYTHONMALLOC=malloc PYTHONHASHSEED=0
#   sqlite3          10^5 INSERTs in one transaction, 2 indexes, a few queries,
#                    into an in-memory database
# and the tools (columns of docs/bench.md's table, rows of ours):
#   plain            the program as it is (glibc malloc)
#   heap             LD_PRELOAD=libmemprof.so MEMPROF_OPTIONS=mode=off
#   full             ... MEMPROF_OPTIONS=mode=full:log=FILE
#   sampled          ... MEMPROF_OPTIONS=mode=full:sample=524288:log=FILE
#                    (n/a if the shim does not know sample=)
#   heaptrack        heaptrack -o FILE prog (its log is FILE.zst)
#   massif           valgrind --tool=massif (slow: MASSIF_ROUNDS runs only)
#
# Rounds are round-robin like run-heap.sh: within a round every tool runs
# the workload once and the first tool rotates from round to round; figures
# are medians over the rounds. One run at a time.
#
# Usage: bench/run-record.sh [-r ROUNDS] [-h]
# Environment:
#   ROUNDS=5            rounds per workload (at least 3; 5 for a published table)
#   MASSIF_ROUNDS=1     rounds that include massif (0: leave massif out)
#   MP_BUILD_DIR=build  CMake build directory (configured and built if needed)
#   RUN_TIMEOUT=180     seconds before one run is called hung (massif: 6x)
#   METRIC=wall         judge the targets by wall-clock time (wall) or by CPU
#                       time of all the run's processes (cpu); both are printed
#   SAMPLE=524288       sampled mode's mean interval in bytes
#   WORKLOADS="deepstack1 deepstack2 python sqlite"   a subset to run
#   KEEP_RAW=1          keep the raw per-run output and logs (kept on failures)
#   PYTHON=...          the python3 interpreter (default: sys.executable of
#                       python3, which sees through pyenv's shim script)
#   MEMPROF_LIB, HEAPTRACK, VALGRIND   override paths
#
# Prints one table and saves it to bench/results/record-YYYYMMDD-HHMM.txt.
# docs/bench.md ("Recording overhead") explains the workloads and the table.
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-5}
MASSIF_ROUNDS=${MASSIF_ROUNDS:-1}
BUILD=${MP_BUILD_DIR:-$REPO/build}
RUN_TIMEOUT=${RUN_TIMEOUT:-180}
METRIC=${METRIC:-wall}
SAMPLE=${SAMPLE:-524288}
WANT=${WORKLOADS:-deepstack1 deepstack2 python sqlite}

while getopts "r:h" opt; do
    case $opt in
    r) ROUNDS=$OPTARG ;;
    h) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
    esac
done
for v in ROUNDS MASSIF_ROUNDS SAMPLE RUN_TIMEOUT; do
    case ${!v} in '' | *[!0-9]*) echo "run-record: $v must be a non-negative integer" >&2; exit 2 ;; esac
done
[ "$ROUNDS" -lt 1 ] && { echo "run-record: ROUNDS must be at least 1" >&2; exit 2; }
[ "$ROUNDS" -lt 3 ] && echo "run-record: note: ROUNDS=$ROUNDS; the published table uses at least 3 (5 when time allows)" >&2
case $METRIC in wall | cpu) ;; *) echo "run-record: METRIC must be wall or cpu" >&2; exit 2 ;; esac
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac

SCRIPT=run-record
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"
# shellcheck source=bench/workloads.sh
. "$REPO/bench/workloads.sh"

# ---------------------------------------------------------------- build

bench_build record-build.log bench_deepstack bench_rss_hwm
SHIM_BUILD_ERR=
if ! cmake --build "$BUILD" -j 2 --target memprof memprof_cli >"$BUILD/record-shim-build.log" 2>&1; then
    SHIM_BUILD_ERR="libmemprof.so or memprof failed to build (see $BUILD/record-shim-build.log)"
    say "$SHIM_BUILD_ERR"
fi
BIN=$BUILD/bin
RSSLIB=$BUILD/lib/libbench_rss_hwm.so
MPLIB=${MEMPROF_LIB:-$BUILD/lib/libmemprof.so}
MPCLI=$BIN/memprof
HEAPTRACK=${HEAPTRACK:-$(command -v heaptrack || true)}
VALGRIND=${VALGRIND:-$(command -v valgrind || true)}
TIME=/usr/bin/time

RAW=$(mktemp -d "${TMPDIR:-/tmp}/memprof-record.XXXXXX")

# ---------------------------------------------------------------- tools

declare -A NA          # tool -> why it has no column
declare -A FAIL        # workload.tool -> what went wrong (first failure)
declare -A NOTE        # workload.tool -> something worth saying (stderr of the shim...)
FAILED=0

need_time

if [ ! -e "$MPLIB" ]; then
    NA[heap]="$MPLIB does not exist${SHIM_BUILD_ERR:+ ($SHIM_BUILD_ERR)}"
elif ! nm -D --defined-only "$MPLIB" 2>/dev/null | awk '$3 == "malloc" { f = 1 } END { exit !f }'; then
    NA[heap]="$MPLIB does not define malloc (placeholder shim?)"
fi
if [ -n "${NA[heap]:-}" ]; then
    NA[full]=${NA[heap]} NA[sampled]=${NA[heap]}
elif [ ! -x "$MPCLI" ]; then
    NA[full]="$MPCLI is missing: cannot read the logs" NA[sampled]=${NA[full]}
fi
if [ -z "${NA[sampled]:-}" ]; then
    # Does this shim know sample=? It says "unknown option" once on stderr if not.
    probe=$RAW/probe.mpz
    env LD_PRELOAD="$MPLIB" MEMPROF_OPTIONS="mode=full:sample=$SAMPLE:log=$probe" \
        "$BIN/bench_deepstack" 1 10 >/dev/null 2>"$RAW/probe.err"
    if grep -qi "unknown option" "$RAW/probe.err"; then
        NA[sampled]="n/a (not in this build: the shim ignores sample=)"
    elif grep -q "memprof:.*sample" "$RAW/probe.err"; then
        NA[sampled]="the shim refused sample=$SAMPLE: $(head -1 "$RAW/probe.err")"
    elif [ ! -s "$probe" ]; then
        NA[sampled]="a probe run with sample=$SAMPLE wrote no log: $(head -c 200 "$RAW/probe.err")"
    fi
fi
if [ -z "$HEAPTRACK" ] || [ ! -x "$HEAPTRACK" ]; then
    NA[heaptrack]="heaptrack not installed (apt-get install heaptrack)"
fi
if [ "$MASSIF_ROUNDS" = 0 ]; then
    NA[massif]="left out (MASSIF_ROUNDS=0)"
elif [ -z "$VALGRIND" ] || [ ! -x "$VALGRIND" ]; then
    NA[massif]="valgrind not installed (apt-get install valgrind)"
fi
for t in heap full sampled heaptrack massif; do [ -n "${NA[$t]:-}" ] && say "$t: ${NA[$t]}"; done

HT_VER=$([ -n "$HEAPTRACK" ] && "$HEAPTRACK" --version 2>/dev/null | awk '{ print $NF; exit }')
VG_VER=$([ -n "$VALGRIND" ] && "$VALGRIND" --version 2>/dev/null | sed 's/^valgrind-//')

# ---------------------------------------------------------------- workloads

define_workloads

# ---------------------------------------------------------------- running

TOOLS="plain heap full sampled heaptrack massif"

# tool_prefix TOOL LOGBASE: prints, one per line, the words put before the
# command (environment assignments, then the tool's own command line).
tool_prefix() {
    local t=$1 log=$2
    case $t in
    plain) echo "LD_PRELOAD=$RSSLIB" ;;
    heap) echo "LD_PRELOAD=$MPLIB:$RSSLIB"; echo "MEMPROF_OPTIONS=mode=off" ;;
    full) echo "LD_PRELOAD=$MPLIB:$RSSLIB"; echo "MEMPROF_OPTIONS=mode=full:log=$log.mpz" ;;
    sampled) echo "LD_PRELOAD=$MPLIB:$RSSLIB"; echo "MEMPROF_OPTIONS=mode=full:sample=$SAMPLE:log=$log.mpz" ;;
    heaptrack) echo "LD_PRELOAD=$RSSLIB"; echo "$HEAPTRACK"; echo "-o"; echo "$log" ;;
    massif) echo "LD_PRELOAD=$RSSLIB"; echo "$VALGRIND"; echo "--tool=massif"; echo "--massif-out-file=$log.massif" ;;
    esac
}

# The command line a person would type to reproduce one run.
cmdline() {
    local t=$1 env=$2 cmd=$3 in=$4 log=$5
    local pre
    pre=$(tool_prefix "$t" "$log" | grep -v "^LD_PRELOAD=$RSSLIB\$" | sed "s|:$RSSLIB||" | tr '\n' ' ')
    echo "${env:+$env }$pre$cmd$([ "$in" != /dev/null ] && echo " < $in")"
}

# The line that proves a run did its work: deepstack's result line; for
# python and sqlite the plain run's last line (the same on every run).
expect_line() {
    local w=$1
    case $w in
    deepstack*) echo "^result .*events=" ;;
    *) [ -s "$RAW/$w.expect" ] && echo "^$(sed 's/[]\/$*.^[]/\\&/g' "$RAW/$w.expect")\$" || echo "." ;;
    esac
}

# run_one TOOL WORKLOAD ROUND: one run; output, timing and logs in $RAW.
run_one() {
    local t=$1 wl=$2 r=$3
    local w label env cmd in
    IFS='|' read -r w label env cmd in <<<"$wl"
    local base=$RAW/$w.$t.$r
    local out=$base.out err=$base.err tm=$base.time rss=$base.rss log=$RAW/$w.$t.$r.log
    local to=$RUN_TIMEOUT
    [ "$t" = massif ] && to=$((RUN_TIMEOUT * 6))
    local -a pre envs=()
    mapfile -t pre < <(tool_prefix "$t" "$log")
    while [ ${#pre[@]} -gt 0 ] && [[ ${pre[0]} == *=* ]] && [[ ${pre[0]} != -* ]]; do envs+=("${pre[0]}"); pre=("${pre[@]:1}"); done
    # shellcheck disable=SC2206
    local -a wenv=($env) argv=($cmd)
    rm -f "$rss"
    local t0 t1 rc
    t0=$EPOCHREALTIME
    # The subshell reaps the program, so bash's own "Segmentation fault"
    # job message goes to /dev/null; the report below says it instead.
    # bash's time keyword gives user and sys CPU time of every process of the
    # run to the millisecond (time(1) rounds to 10 ms); time(1) gives the
    # largest RSS of the tree, the fallback when rss_hwm.so reported nothing.
    local TIMEFORMAT="time user_s=%3U sys_s=%3S"
    rc=$( { { time "$TIME" -o "$tm.tree" -f "tree_maxrss_kb=%M" \
        timeout "$to" env "${wenv[@]}" "${envs[@]}" BENCH_RSS_OUT="$rss" "${pre[@]}" "${argv[@]}" \
        <"$in" >"$out" 2>"$err"; } 2>"$tm"; echo $?; } 2>/dev/null)
    t1=$EPOCHREALTIME
    local wall
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
    local user sys
    user=$(awk '/^time / { for (i = 2; i <= NF; i++) if ($i ~ /^user_s=/) print substr($i, 8) }' "$tm" 2>/dev/null)
    sys=$(awk '/^time / { for (i = 2; i <= NF; i++) if ($i ~ /^sys_s=/) print substr($i, 7) }' "$tm" 2>/dev/null)
    local why=
    # time(1) exits with the command's status; timeout says 124 on expiry.
    if [ "$rc" = 124 ]; then why="hung (killed after ${to}s)"
    elif [ "$rc" != 0 ]; then why="exit $rc"; [ -n "$(signame "$rc")" ] && why+=" ($(signame "$rc"))"
    elif grep -q "cannot be preloaded" "$err"; then why="the dynamic linker refused to preload it"
    elif ! grep -q "$(expect_line "$w")" "$out"; then why="printed no result (or not the plain run's)"
    fi
    if [ -z "$why" ] && [ "$t" = heaptrack ]; then
        if grep -q "terminate called\|bad_alloc\|Segmentation" "$err" "$out"; then
            why="heaptrack failed: $(grep -h -m1 "terminate called\|bad_alloc\|Segmentation" "$err" "$out" | head -1)"
        elif [ ! -s "$log.zst" ]; then why="heaptrack wrote no $log.zst"
        fi
    fi
    if [ -z "$why" ] && { [ "$t" = full ] || [ "$t" = sampled ]; }; then
        if [ ! -s "$log.mpz" ]; then why="no log written ($log.mpz)"; fi
    fi
    if [ -n "$why" ]; then
        FAIL[$w.$t]="$why; round $r; command: $(cmdline "$t" "$env" "$cmd" "$in" "$log")"
        [ -s "$err" ] && FAIL[$w.$t]+="; stderr: $(grep -v '^heaptrack\|^starting\|^$' "$err" | head -c 300 | tr '\n' ' ')"
        FAILED=1
        say "FAILED $w under $t: $why"
        return 1
    fi
    # Figures of this run, one line: wall, CPU, RSS, log size.
    local prog hwm tree interp logsz=
    prog=$(basename "${argv[0]}")
    hwm=$(awk -v p="$prog" '$1 == "rss" && $3 == "name=" p { sub("hwm_kb=", "", $4); print $4; exit }' "$rss" 2>/dev/null)
    interp=$(awk '$1 == "rss" && $3 == "name=heaptrack_interpret" { sub("hwm_kb=", "", $4); print $4; exit }' "$rss" 2>/dev/null)
    tree=$(grep -o 'tree_maxrss_kb=[0-9]*' "$tm.tree" 2>/dev/null | tail -1 | cut -d= -f2)
    case $t in
    full | sampled) logsz=$(stat -c %s "$log.mpz") ;;
    heaptrack) logsz=$(stat -c %s "$log.zst") ;;
    massif) logsz=$(stat -c %s "$log.massif" 2>/dev/null) ;;
    esac
    local ev=
    [[ $w == deepstack* ]] && ev=$(grep -o 'events=[0-9]*' "$out" | head -1 | cut -d= -f2)
    echo "run wall_s=$wall cpu_s=$(awk -v u="${user:-0}" -v s="${sys:-0}" 'BEGIN { printf "%.3f", u + s }')" \
        "rss_kb=${hwm:-${tree:-}} tree_rss_kb=${tree:-} interp_rss_kb=${interp:-} log_bytes=${logsz:-} prog_events=${ev:-}" >"$base.fig"
    # The shim's own messages (a warning, a count of foreign blocks) are worth passing on.
    if [[ $t == heap || $t == full || $t == sampled ]] && [ -z "${NOTE[$w.$t]:-}" ] && grep -q '^memprof:' "$err"; then
        NOTE[$w.$t]="$(grep -m1 '^memprof:' "$err" | head -c 200)"
    fi
    [ "$t" = plain ] && [ ! -s "$RAW/$w.expect" ] && [[ $w != deepstack* ]] && tail -1 "$out" >"$RAW/$w.expect"
    # heaptrack's and massif's files are measured now and not kept (they are big).
    [ "$t" = heaptrack ] && [ "${KEEP_RAW:-0}" != 1 ] && rm -f "$log.zst"
    [ "$t" = massif ] && [ "${KEEP_RAW:-0}" != 1 ] && rm -f "$log.massif"
    return 0
}

# check_logs WORKLOAD TOOL: decode every log of a memprof mode; a log that
# does not decode to its END is a failure. Records the END event counts.
check_logs() {
    local w=$1 t=$2 f r d
    for f in "$RAW/$w.$t".*.log.mpz; do
        [ -e "$f" ] || continue
        r=${f#"$RAW/$w.$t."}; r=${r%%.*}
        d=$RAW/$w.$t.$r.dump
        "$MPCLI" dump "$f" 2>"$d.err" | tail -2 >"$d"
        local rc=${PIPESTATUS[0]}
        local end
        end=$(awk '$1 == "END" { for (i = 2; i <= NF; i++) if ($i ~ /^events=/) print substr($i, 8) }' "$d")
        if [ "$rc" != 0 ] || [ -z "$end" ]; then
            local why="broken log: memprof dump exited $rc$([ -z "$end" ] && echo ', no END record')"
            [ -s "$d.err" ] && why+=" ($(head -c 200 "$d.err" | tr '\n' ' '))"
            if [ -z "${FAIL[$w.$t]:-}" ]; then
                FAIL[$w.$t]="$why; round $r; log kept: $f"
                FAILED=1
            fi
            say "$w under $t, round $r: $why"
            continue
        fi
        sed -i "s/\$/ mp_events=$end/" "$RAW/$w.$t.$r.fig"
        [ "${KEEP_RAW:-0}" != 1 ] && rm -f "$f"
    done
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
LOADMAX=${LOAD0%% *}
active=()
for t in $TOOLS; do [ -z "${NA[$t]:-}" ] && active+=("$t"); done
say "$ROUNDS rounds x ${#WORKLOADS[@]} workloads x ${#active[@]} tools (massif in $MASSIF_ROUNDS round(s)); raw output in $RAW"
for wl in "${WORKLOADS[@]}"; do
    IFS='|' read -r w label _ <<<"$wl"
    for ((r = 1; r <= ROUNDS; r++)); do
        n=${#active[@]}
        for ((k = 0; k < n; k++)); do
            t=${active[$(((k + r - 1) % n))]}
            [ "$t" = massif ] && [ "$r" -gt "$MASSIF_ROUNDS" ] && continue
            [ -n "${FAIL[$w.$t]:-}" ] && continue # a failure repeats; do not wait for it again
            # (round 1 starts with plain: its output is what the others must print)
            run_one "$t" "$wl" "$r"
        done
    done
    for t in full sampled; do [ -z "${NA[$t]:-}" ] && check_logs "$w" "$t"; done
    l=$(cut -d' ' -f1 /proc/loadavg)
    LOADMAX=$(awk -v a="$LOADMAX" -v b="$l" 'BEGIN { print (b + 0 > a + 0 ? b : a) }')
    say "done: $label (load average $l)"
done

# ---------------------------------------------------------------- the table

STAMP=$(date +%Y%m%d-%H%M)
mkdir -p "$REPO/bench/results"
OUT=$REPO/bench/results/record-$STAMP.txt
n=2
while [ -e "$OUT" ]; do OUT=$REPO/bench/results/record-$STAMP-$n.txt; n=$((n + 1)); done

# fig W T KEY: the values of KEY over the rounds, one per line.
fig() {
    cat "$RAW/$1.$2".*.fig 2>/dev/null | awk -v k="$3" '{ for (i = 2; i <= NF; i++) if (index($i, k "=") == 1 && length($i) > length(k) + 1) print substr($i, length(k) + 2) }'
}
median() { fig "$@" | med; }
nruns() { fig "$1" "$2" wall_s | wc -l; }
spread() { fig "$1" "$2" "$3" | spr; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# The events of a workload, the denominator of every per-event figure:
# deepstack's own count; for python and sqlite, memprof full's END count
# (the programs are deterministic). EVSRC says which.
declare -A EVENTS EVSRC
for wl in "${WORKLOADS[@]}"; do
    w=${wl%%|*}
    e=$(median "$w" plain prog_events)
    if [ -n "$e" ]; then EVENTS[$w]=$e EVSRC[$w]="the program's own count (mallocs + reallocs + frees)"
    else
        e=$(median "$w" full mp_events)
        if [ -n "$e" ]; then EVENTS[$w]=$e EVSRC[$w]="events in memprof full's END record (all ALLOC, FREE, REALLOC and SPAN events)"
        else EVENTS[$w]= EVSRC[$w]="unknown (no memprof full log): no per-event figures"; fi
    fi
done

KEY=wall_s
[ "$METRIC" = cpu ] && KEY=cpu_s
declare -A TNAME=([plain]="plain (glibc)" [heap]="memprof heap only" [full]="memprof full"
    [sampled]="memprof sampled $((SAMPLE / 1024))k" [heaptrack]="heaptrack ${HT_VER:-?}" [massif]="valgrind massif")

row() { # W T: one table row
    local w=$1 t=$2 label=${TNAME[$2]}
    if [ -n "${NA[$t]:-}" ]; then printf '  %-22s %s\n' "$label" "${NA[$t]}"; return; fi
    if [ -n "${FAIL[$w.$t]:-}" ] && [ "$(nruns "$w" "$t")" = 0 ]; then printf '  %-22s FAILED (see Notes)\n' "$label"; return; fi
    local n wall cpu pw pc ev add lb bpe rss tr it sp
    n=$(nruns "$w" "$t")
    [ "$n" = 0 ] && { printf '  %-22s -\n' "$label"; return; }
    wall=$(median "$w" "$t" wall_s) cpu=$(median "$w" "$t" cpu_s)
    pw=$(median "$w" plain wall_s) pc=$(median "$w" plain cpu_s)
    ev=${EVENTS[$w]}
    add=- bpe=- lb=-
    [ -n "$ev" ] && [ -n "$pw" ] && add=$(calc "($wall - $pw) * 1e9 / $ev" 0)
    lb=$(median "$w" "$t" log_bytes)
    if [ -n "$lb" ]; then
        [ -n "$ev" ] && bpe=$(calc "$lb / $ev" 3)
        lb=$(calc "$lb / 1048576" 1)
    else lb=-; fi
    rss=$(median "$w" "$t" rss_kb)
    rss=$([ -n "$rss" ] && calc "$rss / 1024" 1 || echo -)
    it=$(median "$w" "$t" interp_rss_kb)
    [ -n "$it" ] && rss="$rss +$(calc "$it / 1024" 0)"
    sp=$(spread "$w" "$t" wall_s)/$(spread "$w" "$t" cpu_s)
    [ "$sp" = / ] && sp=-
    printf '  %-22s %8s %7s %9s %8s %7s %8s %8s %11s %4s %s\n' "$label" "$wall" \
        "x$([ -n "$pw" ] && calc "$wall / $pw" 2)" "$add" "$cpu" "x$([ -n "$pc" ] && calc "$cpu / $pc" 2)" \
        "$lb" "$bpe" "$rss" "$n" "$sp"
}

# The three target checks of one workload, by KEY (wall_s or cpu_s).
targets() {
    local w=$1 label=$2 key=$3 p f s h hp ev line fb hb
    p=$(median "$w" plain "$key") f=$(median "$w" full "$key") h=$(median "$w" heaptrack "$key")
    hp=$(median "$w" heap "$key") s=$(median "$w" sampled "$key")
    ev=${EVENTS[$w]}
    echo "  $label:"
    if [ -n "$f" ] && [ -n "$h" ] && [ -n "$p" ]; then
        line="    full adds $(calc "$f - $p" 3) s, heaptrack $(calc "$h - $p" 3) s; limit 1/3 of that = $(calc "($h - $p) / 3" 3) s"
        [ -n "$ev" ] && line+=" ($(calc "($f - $p) * 1e9 / $ev" 0) vs $(calc "($h - $p) * 1e9 / (3 * $ev)" 0) ns/event)"
        if le "$(calc "$f - $p" 6)" "$(calc "($h - $p) / 3" 6)"; then line+=": PASS"; else line+=": FAIL"; fi
        echo "$line"
    else
        echo "    full vs heaptrack time: not evaluated (${NA[full]:-${NA[heaptrack]:-a run failed}})"
    fi
    fb=$(median "$w" full log_bytes) hb=$(median "$w" heaptrack log_bytes)
    if [ -n "$fb" ] && [ -n "$hb" ] && [ -n "$ev" ]; then
        line="    log bytes/event: full $(calc "$fb / $ev" 3) <= heaptrack $(calc "$hb / $ev" 3)"
        if le "$fb" "$hb"; then line+=": PASS"; else line+=": FAIL ($(calc "$fb / $hb" 1)x)"; fi
        echo "$line"
    else
        echo "    log bytes/event: not evaluated"
    fi
    if [ -n "${NA[sampled]:-}" ]; then
        echo "    sampled within 5% of heap only: not evaluated (sampled ${NA[sampled]})"
    elif [ -n "$s" ] && [ -n "$hp" ]; then
        line="    sampled $(calc "$s" 3) s <= 1.05 x heap only $(calc "$hp" 3) s = $(calc "1.05 * $hp" 3) s (x$(calc "$s / $hp" 3))"
        if le "$s" "$(calc "1.05 * $hp" 6)"; then line+=": PASS"; else line+=": FAIL"; fi
        echo "$line"
    else
        echo "    sampled within 5% of heap only: not evaluated (a run failed)"
    fi
}

{
    echo "memprof recording overhead — $(date '+%Y-%m-%d %H:%M %Z')"
    echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(uname -sr), $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
    echo "glibc $(ldd --version 2>/dev/null | awk 'NR == 1 { print $NF }'); heaptrack ${HT_VER:-n/a}; valgrind ${VG_VER:-n/a};" \
        "python $("$PYTHON" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo n/a);" \
        "sqlite $([ -n "$SQLITE" ] && "$SQLITE" --version | awk '{ print $1 }' || echo n/a);" \
        "memprof $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$([ -n "$(git -C "$REPO" status --porcelain -- preload 2>/dev/null)" ] && echo ' + uncommitted preload/ changes')"
    echo "rounds: $ROUNDS (round-robin, rotating start), massif in $MASSIF_ROUNDS; figures are medians"
    echo "load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg), highest 1-min between workloads: $LOADMAX"
    if awk -v a="$LOADMAX" -v n="$(nproc)" 'BEGIN { exit !(a + 0 > n) }'; then
        echo "WARNING: the load average exceeded the $(nproc) CPUs: other work competed with the benchmarks"
        echo "         and the wall-clock figures (the 2-thread ones most) are unreliable; rerun on a"
        echo "         quiet machine, or judge by CPU time (METRIC=cpu)."
    fi
    echo
    echo "wall s: median wall-clock time of the whole command (heaptrack: until its interpreter and zstd are done);"
    echo "+ns/ev: (wall - plain wall) / events; cpu s: user+sys of every process of the run;"
    echo "log MiB, B/ev: the log as written (memprof .mpz, heaptrack .zst; massif: its out file, snapshots);"
    echo "RSS MiB: peak RSS of the program's own process (+N: heaptrack_interpret's); n: runs;"
    echo "spread%: (max - min) / median over the rounds, wall / CPU."
    for wl in "${WORKLOADS[@]}"; do
        IFS='|' read -r w label _ <<<"$wl"
        echo
        echo "$label — ${EVENTS[$w]:-?} events: ${EVSRC[$w]}"
        printf '  %-22s %8s %7s %9s %8s %7s %8s %8s %11s %4s %s\n' tool "wall s" "x plain" "+ns/ev" "cpu s" "x plain" "log MiB" "B/ev" "RSS MiB" n "spread%"
        for t in $TOOLS; do row "$w" "$t"; done
        for t in full sampled; do
            m=$(median "$w" "$t" mp_events)
            [ -n "$m" ] && echo "  ($t: the log's END record counts $m events)"
        done
    done
    # The chosen metric first; the other follows for comparison.
    for key in $KEY $([ "$KEY" = wall_s ] && echo cpu_s || echo wall_s); do
        echo
        if [ "$key" = wall_s ]; then echo "Targets by wall-clock time$([ "$KEY" != "$key" ] && echo ' (for comparison)'):"
        else echo "Targets by CPU time of all the run's processes$([ "$KEY" != "$key" ] && echo ' (for comparison)'):"; fi
        echo "  full mode adds at most 1/3 of the time heaptrack adds; no more log bytes per event than heaptrack;"
        echo "  sampled ($SAMPLE) within 5% of memprof's heap with recording off."
        for wl in "${WORKLOADS[@]}"; do
            IFS='|' read -r w label _ <<<"$wl"
            targets "$w" "$label" "$key"
        done
    done

    shown=0
    for wl in "${WORKLOADS[@]}"; do
        w=${wl%%|*}
        for t in $TOOLS; do
            if [ -n "${FAIL[$w.$t]:-}${NOTE[$w.$t]:-}" ]; then shown=1; fi
        done
    done
    if [ $shown = 1 ] || [ -n "$SHIM_BUILD_ERR" ]; then
        echo
        echo "Notes:"
        [ -n "$SHIM_BUILD_ERR" ] && [ -e "$MPLIB" ] &&
            echo "  memprof: $SHIM_BUILD_ERR; measured the existing $MPLIB, built $(date -r "$MPLIB" '+%Y-%m-%d %H:%M')"
        for wl in "${WORKLOADS[@]}"; do
            w=${wl%%|*}
            for t in $TOOLS; do
                [ -n "${FAIL[$w.$t]:-}" ] && echo "  $w under $t: FAILED: ${FAIL[$w.$t]}"
                [ -n "${NOTE[$w.$t]:-}" ] && echo "  $w under $t: the shim said: ${NOTE[$w.$t]}"
            done
        done
    fi
} | tee "$OUT"

say "saved $OUT"
if [ $FAILED = 1 ] || [ "${KEEP_RAW:-0}" = 1 ]; then
    say "raw output kept in $RAW"
else
    rm -rf "$RAW"
fi
