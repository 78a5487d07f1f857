#!/usr/bin/env bash
# run-heap.sh — memprof's heap against glibc, jemalloc, tcmalloc and mimalloc.
#
# Runs the bench_* programs under each allocator by LD_PRELOAD (memprof's
# heap with MEMPROF_OPTIONS=mode=off, so only the allocator is measured),
# round-robin: within a round every allocator runs each workload once, and
# the starting allocator rotates from round to round, so slow drift on a
# shared machine (other jobs, thermal state, page cache) spreads over all
# columns instead of landing on one. Figures are medians over the rounds.
# One benchmark runs at a time.
#
# Usage: bench/run-heap.sh [-r ROUNDS] [-h]
# Environment:
#   ROUNDS=7            rounds per workload (at least 5 for a published table)
#   MP_BUILD_DIR=build  CMake build directory (configured and built if needed)
#   RUN_TIMEOUT=60      seconds before one benchmark run is called hung
#   METRIC=wall         judge the targets per wall-clock second (wall) or per
#                       CPU second (cpu); both tables are printed either way
#   NO_INSTALL=1        do not try to apt-get install missing peer allocators
#   KEEP_RAW=1          keep the raw per-run output (kept anyway on failures)
#   JEMALLOC_LIB, TCMALLOC_LIB, MIMALLOC_LIB, MEMPROF_LIB   override library paths
#
# Prints one table and saves it to bench/results/heap-YYYYMMDD-HHMM.txt.
# docs/bench.md explains the workloads and how to read the table.
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-7}
BUILD=${MP_BUILD_DIR:-$REPO/build}
RUN_TIMEOUT=${RUN_TIMEOUT:-60}
METRIC=${METRIC:-wall}

while getopts "r:h" opt; do
    case $opt in
    r) ROUNDS=$OPTARG ;;
    h) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
    esac
done
case $ROUNDS in '' | *[!0-9]* | 0) echo "run-heap: ROUNDS must be a positive integer" >&2; exit 2 ;; esac
[ "$ROUNDS" -lt 5 ] && echo "run-heap: note: ROUNDS=$ROUNDS; the published table uses at least 5" >&2
case $METRIC in
wall) KEY=ops_per_sec ;;
cpu) KEY=cpu_ops_per_sec ;;
*) echo "run-heap: METRIC must be wall or cpu" >&2; exit 2 ;;
esac
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac

SCRIPT=run-heap
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"

# ---------------------------------------------------------------- build

BENCH_TARGETS="bench_churn bench_xthread bench_larson bench_peak"
# shellcheck disable=SC2086
bench_build bench-build.log $BENCH_TARGETS
SHIM_BUILD_ERR=
if ! cmake --build "$BUILD" -j 2 --target memprof >"$BUILD/bench-shim-build.log" 2>&1; then
    SHIM_BUILD_ERR="libmemprof.so failed to build (see $BUILD/bench-shim-build.log)"
    say "$SHIM_BUILD_ERR"
fi
BIN=$BUILD/bin

# ---------------------------------------------------------------- allocators

ALLOCS="glibc jemalloc tcmalloc mimalloc memprof"
PEERS="jemalloc tcmalloc mimalloc"
declare -A LIB PKG SONAME NA ENVS
LIBDIR=/usr/lib/x86_64-linux-gnu
LIB[glibc]=
LIB[jemalloc]=${JEMALLOC_LIB:-$LIBDIR/libjemalloc.so.2}
LIB[tcmalloc]=${TCMALLOC_LIB:-$LIBDIR/libtcmalloc_minimal.so.4}
LIB[mimalloc]=${MIMALLOC_LIB:-$LIBDIR/libmimalloc.so.2}
LIB[memprof]=${MEMPROF_LIB:-$BUILD/lib/libmemprof.so}
PKG[jemalloc]=libjemalloc2 PKG[tcmalloc]=libtcmalloc-minimal4 PKG[mimalloc]=libmimalloc2.0
SONAME[jemalloc]=libjemalloc.so.2 SONAME[tcmalloc]=libtcmalloc_minimal.so.4 SONAME[mimalloc]=libmimalloc.so.2
ENVS[memprof]="MEMPROF_OPTIONS=mode=off"
declare -A OVERRIDE=([jemalloc]=${JEMALLOC_LIB:-} [tcmalloc]=${TCMALLOC_LIB:-} [mimalloc]=${MIMALLOC_LIB:-})

# Where the default path is wrong (another distribution or architecture),
# the dynamic linker's cache may know the library by its soname.
# A path given in the environment is taken as it is.
find_peer() {
    local a=$1
    [ -e "${LIB[$a]}" ] && return 0
    [ -n "${OVERRIDE[$a]}" ] && return 1
    local p
    p=$(ldconfig -p 2>/dev/null | awk -v s="${SONAME[$a]}" '$1 == s { print $NF; exit }')
    [ -n "$p" ] && LIB[$a]=$p
    [ -e "${LIB[$a]}" ]
}

missing=
for a in $PEERS; do find_peer "$a" || missing="$missing $a"; done
if [ -n "$missing" ]; then
    pkgs=
    for a in $missing; do pkgs="$pkgs ${PKG[$a]}"; done
    why=
    if [ "${NO_INSTALL:-0}" = 1 ]; then
        why="not installed (NO_INSTALL=1; apt-get install$pkgs)"
    elif ! command -v apt-get >/dev/null; then
        why="not installed and no apt-get (install$pkgs)"
    else
        sudo=
        if [ "$(id -u)" != 0 ]; then
            if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
                sudo="sudo -n"
            else
                why="not installed; not root and no passwordless sudo (apt-get install$pkgs)"
            fi
        fi
        if [ -z "$why" ]; then
            say "installing$pkgs"
            # shellcheck disable=SC2086
            $sudo apt-get install -y -q $pkgs >/dev/null 2>&1 ||
                { $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q $pkgs >/dev/null 2>&1; } ||
                why="apt-get install$pkgs failed"
        fi
    fi
    for a in $missing; do
        find_peer "$a" || NA[$a]=${why:-"installed ${PKG[$a]} but ${LIB[$a]} is still missing"}
    done
fi

# memprof's column only means something if the shim really is an allocator:
# a placeholder library would silently measure glibc.
if [ -n "$SHIM_BUILD_ERR" ] && [ ! -e "${LIB[memprof]}" ]; then
    NA[memprof]=$SHIM_BUILD_ERR
elif [ ! -e "${LIB[memprof]}" ]; then
    NA[memprof]="${LIB[memprof]} does not exist"
elif ! nm -D --defined-only "${LIB[memprof]}" 2>/dev/null | awk '$3 == "malloc" { f = 1 } END { exit !f }'; then
    NA[memprof]="${LIB[memprof]} does not define malloc (placeholder shim?)"
fi
for a in $ALLOCS; do [ -n "${NA[$a]:-}" ] && say "$a: n/a: ${NA[$a]}"; done

# ---------------------------------------------------------------- running

# name|program and arguments|label
WORKLOADS=(
    "churn|bench_churn|single-thread churn"
    "xthread2|bench_xthread 2|2 threads, cross frees"
    "xthread4|bench_xthread 4|4 threads, cross frees"
    "larson|bench_larson 4|larson-like, 4 lanes"
    "peak|bench_peak|peak then free"
)

RAW=$(mktemp -d "${TMPDIR:-/tmp}/memprof-bench.XXXXXX")
FAILED=0
declare -A FAIL


# The command line a person would type to reproduce one run.
cmdline() {
    local a=$1 prog=$2
    local env=${ENVS[$a]:-}
    [ -n "${LIB[$a]}" ] && env="${env:+$env }LD_PRELOAD=${LIB[$a]}"
    echo "${env:+$env }$BIN/$prog"
}

# run ALLOC WORKLOAD-NAME PROG ROUND: one run; output in $RAW.
run_one() {
    local a=$1 w=$2 prog=$3 r=$4
    local out=$RAW/$w.$a.$r.out err=$RAW/$w.$a.$r.err
    local -a env=()
    [ -n "${ENVS[$a]:-}" ] && env+=("${ENVS[$a]}")
    [ -n "${LIB[$a]}" ] && env+=("LD_PRELOAD=${LIB[$a]}")
    # The subshell reaps the program, so bash's own "Segmentation fault"
    # job message goes to /dev/null; the report below says it instead.
    local rc
    # shellcheck disable=SC2086
    rc=$( { env "${env[@]}" timeout "$RUN_TIMEOUT" "$BIN"/$prog >"$out" 2>"$err"; echo $?; } 2>/dev/null)
    local why=
    if [ "$rc" = 124 ]; then why="hung (killed after ${RUN_TIMEOUT}s)"
    elif [ "$rc" != 0 ]; then why="exit $rc"; [ -n "$(signame "$rc")" ] && why+=" ($(signame "$rc"))"
    elif grep -q "cannot be preloaded" "$err"; then why="the dynamic linker refused to preload it"
    elif ! grep -q '^result ' "$out"; then why="printed no result line"
    fi
    if [ -n "$why" ]; then
        FAIL[$w.$a]="$why; round $r; command: $(cmdline "$a" "$prog")"
        [ -s "$err" ] && FAIL[$w.$a]+="; stderr: $(head -c 300 "$err" | tr '\n' ' ')"
        FAILED=1
        say "FAILED $w under $a: $why"
        return 1
    fi
}

# field FILE... KEY: the value of KEY= on result lines, one per line.
field() {
    local key=${!#}
    local -a files=("${@:1:$#-1}")
    cat "${files[@]}" 2>/dev/null | awk -v k="$key" '/^result / {
        for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }'
}
# median over the rounds of KEY for workload W, allocator A (empty if none)
median() { field "$RAW/$1.$2".*.out "$3" | med; }
# spread (max - min) / median in percent, to show how noisy a cell is
spread() { field "$RAW/$1.$2".*.out "$3" | spr; }
heapstat() { # median over rounds of KEY on heap_stats lines with when=WHEN
    cat "$RAW/$1.memprof".*.out 2>/dev/null | awk -v when="$2" -v k="$3" '
        $1 == "heap_stats" && $2 == "when=" when {
            for (i = 3; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }' |
        sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
LOADMAX=${LOAD0%% *} # highest 1-minute load average seen between workloads
active=()
for a in $ALLOCS; do [ -z "${NA[$a]:-}" ] && active+=("$a"); done
nact=${#active[@]}
say "$ROUNDS rounds x ${#WORKLOADS[@]} workloads x $nact allocators (about $((ROUNDS * nact * 7 / 60 + 1)) min)"
for wl in "${WORKLOADS[@]}"; do
    IFS='|' read -r w prog label <<<"$wl"
    for ((r = 1; r <= ROUNDS; r++)); do
        for ((k = 0; k < nact; k++)); do
            a=${active[$(((k + r - 1) % nact))]}
            [ -n "${FAIL[$w.$a]:-}" ] && continue # a crash repeats; do not wait for it again
            run_one "$a" "$w" "$prog" "$r"
        done
    done
    l=$(cut -d' ' -f1 /proc/loadavg)
    LOADMAX=$(awk -v a="$LOADMAX" -v b="$l" 'BEGIN { print (b + 0 > a + 0 ? b : a) }')
    say "done: $label (load average $l)"
done

# ---------------------------------------------------------------- the table

STAMP=$(date +%Y%m%d-%H%M)
mkdir -p "$REPO/bench/results"
OUT=$REPO/bench/results/heap-$STAMP.txt

# fmt EXPR DECIMALS: EXPR is arithmetic on figures the programs printed.
fmt() { awk "BEGIN { printf \"%.${2}f\", ($1) }" 2>/dev/null || printf '?'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

cell() { # the text of one figure cell: workload, allocator, key
    local w=$1 a=$2 key=$3
    if [ -n "${NA[$a]:-}" ]; then echo "n/a"; return; fi
    if [ -n "${FAIL[$w.$a]:-}" ]; then echo "FAILED"; return; fi
    local m g
    m=$(median "$w" "$a" "$key")
    [ -z "$m" ] && { echo "-"; return; }
    g=$(median "$w" glibc "$key")
    if [ "$w" = peak ]; then echo "$(fmt "$m/1e3" 0) x$(ratio "$m" "$g")"
    else echo "$(fmt "$m/1e6" 2) x$(ratio "$m" "$g")"; fi
}

best_peer() { # prints "value name" of the fastest peer for workload W and KEY (max or min)
    local w=$1 key=$2 dir=$3 a v best='' name=''
    for a in $PEERS; do
        [ -n "${NA[$a]:-}${FAIL[$w.$a]:-}" ] && continue
        v=$(median "$w" "$a" "$key")
        [ -z "$v" ] && continue
        if [ -z "$best" ] || awk -v v="$v" -v b="$best" -v d="$dir" 'BEGIN { exit !(d == "max" ? v > b : v < b) }'; then
            best=$v name=$a
        fi
    done
    [ -n "$best" ] && echo "$best $name"
}

# One throughput table for KEY (ops_per_sec or cpu_ops_per_sec).
throughput_rows() {
    local key=$1 wl w prog label a bp m
    printf '%-24s' "workload"
    for a in $ALLOCS; do printf ' %-14s' "$a"; done
    printf ' %s\n' "memprof/best"
    for wl in "${WORKLOADS[@]}"; do
        IFS='|' read -r w prog label <<<"$wl"
        printf '%-24s' "$label"
        for a in $ALLOCS; do printf ' %-14s' "$(cell "$w" "$a" "$key")"; done
        bp=$(best_peer "$w" "$key" max)
        m=
        [ -z "${NA[memprof]:-}${FAIL[$w.memprof]:-}" ] && m=$(median "$w" memprof "$key")
        if [ -n "$m" ] && [ -n "$bp" ]; then printf ' %s (%s)\n' "$(ratio "$m" "${bp%% *}")" "${bp#* }"
        else printf ' n/a\n'; fi
    done
}

{
    echo "memprof heap benchmark — $(date '+%Y-%m-%d %H:%M %Z')"
    echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(uname -sr), $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
    echo "glibc $(ldd --version 2>/dev/null | awk 'NR == 1 { print $NF }');" \
        "$(for a in $PEERS; do printf '%s %s; ' "$a" "$(dpkg-query -W -f='${Version}' "${PKG[$a]}" 2>/dev/null || echo '?')"; done | sed 's/ $//')" \
        "memprof $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$([ -n "$(git -C "$REPO" status --porcelain -- preload 2>/dev/null)" ] && echo ' + uncommitted preload/ changes') (mode=off)"
    echo "rounds: $ROUNDS (round-robin, rotating start), figures are medians"
    echo "load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg), highest 1-min between workloads: $LOADMAX"
    if awk -v a="$LOADMAX" -v n="$(nproc)" 'BEGIN { exit !(a + 0 > n) }'; then
        echo "WARNING: the load average exceeded the $(nproc) CPUs: other work competed with the benchmarks"
        echo "         and the wall-clock figures (the threaded ones most) are unreliable; rerun on a"
        echo "         quiet machine, or judge by the CPU-second table (METRIC=cpu)."
    fi
    echo
    echo "Throughput, higher is better: M ops/s (peak: k ops/s), xN.NN = ratio to glibc."
    echo "memprof/best = memprof's throughput over the fastest peer's (jemalloc, tcmalloc, mimalloc)."
    echo
    echo "Per wall-clock second:"
    throughput_rows ops_per_sec
    for key in rss_peak_kb rss_after_kb; do
        [ $key = rss_peak_kb ] && printf '%-24s' "  RSS MiB at peak" || printf '%-24s' "  RSS MiB 2 s after free"
        for a in $ALLOCS; do
            v=
            [ -z "${NA[$a]:-}${FAIL[peak.$a]:-}" ] && v=$(median peak "$a" $key)
            if [ -n "$v" ]; then printf ' %-14s' "$(fmt "$v/1024" 1)"; else printf ' %-14s' "n/a"; fi
        done
        bp=$(best_peer peak $key min)
        m=
        [ -z "${NA[memprof]:-}${FAIL[peak.memprof]:-}" ] && m=$(median peak memprof $key)
        if [ -n "$m" ] && [ -n "$bp" ]; then printf ' %s (%s)\n' "$(ratio "$m" "${bp%% *}")" "${bp#* }"
        else printf ' n/a\n'; fi
    done
    live=$(median peak glibc live_bytes)
    [ -z "$live" ] && live=$(median peak memprof live_bytes)
    tk=$(median peak glibc target_kb)
    [ -z "$tk" ] && tk=$(median peak memprof target_kb)
    echo "  (live after free: $(fmt "$live/1048576" 1) MiB; target 2 s after free: 1.1 x (live + 16 MiB) = $(fmt "$tk/1024" 1) MiB)"

    echo
    echo "Same runs, per CPU second (user+sys of all threads; less disturbed by other load):"
    throughput_rows cpu_ops_per_sec

    echo
    echo "Spread (max-min)/median over the rounds, %, wall / CPU:"
    for wl in "${WORKLOADS[@]}"; do
        IFS='|' read -r w prog label <<<"$wl"
        printf '%-24s' "$label"
        for a in $ALLOCS; do
            s=$(spread "$w" "$a" ops_per_sec)/$(spread "$w" "$a" cpu_ops_per_sec)
            [ "$s" = / ] && s=-
            printf ' %-14s' "$s"
        done
        echo
    done

    echo
    if [ -n "${NA[memprof]:-}" ]; then
        echo "memprof metadata % of heap: n/a (${NA[memprof]})"
    else
        pct=$(heapstat peak peak meta_pct)
        if [ -z "$pct" ]; then
            if ! nm -D --defined-only "${LIB[memprof]}" 2>/dev/null | awk '$3 == "mp_heap_get_stats" { f = 1 } END { exit !f }'; then
                echo "memprof metadata % of heap: n/a (${LIB[memprof]} does not export mp_heap_get_stats)"
            else
                echo "memprof metadata % of heap: n/a (the peak run printed no heap_stats line)"
            fi
        else
            echo "memprof metadata % of heap: $(fmt "$pct" 2)% at the peak" \
                "($(fmt "$(heapstat peak peak meta_bytes)/1048576" 1) MiB of $(fmt "$(heapstat peak peak mapped)/1048576" 1) MiB mapped; target < 2%)"
            printf '  at the end of:'
            for w in churn xthread2 xthread4 larson; do
                p=$(heapstat "$w" end meta_pct)
                m=$(heapstat "$w" end mapped)
                [ -n "$p" ] && printf ' %s %s%% of %s MiB;' "$w" "$(fmt "$p" 2)" "$(fmt "$m/1048576" 1)"
            done
            echo
            ra=$(heapstat peak after released)
            [ -n "$ra" ] && echo "  peak, 2 s after free: mapped $(fmt "$(heapstat peak after mapped)/1048576" 1) MiB," \
                "in use $(fmt "$(heapstat peak after in_use)/1048576" 1), idle $(fmt "$(heapstat peak after idle)/1048576" 1)," \
                "released $(fmt "$ra/1048576" 1) MiB"
        fi
    fi

    echo
    echo "Targets for memprof (throughput per $([ "$KEY" = ops_per_sec ] && echo wall-clock || echo CPU) second):"
    if [ -n "${NA[memprof]:-}" ]; then
        echo "  not evaluated: memprof n/a (${NA[memprof]})"
    else
        for wl in "${WORKLOADS[@]}"; do
            IFS='|' read -r w prog label <<<"$wl"
            if [ -n "${FAIL[$w.memprof]:-}" ]; then echo "  $label: FAIL (run failed)"; continue; fi
            m=$(median "$w" memprof "$KEY")
            g=$(median "$w" glibc "$KEY")
            bp=$(best_peer "$w" "$KEY" max)
            line="  $label: vs glibc x$(ratio "$m" "$g") "
            if [ -n "$g" ] && ge "$m" "$g"; then line+="PASS"; else line+="FAIL"; fi
            if [ -n "$bp" ]; then
                # within 20% of the fastest peer: time <= 1.2 x its time
                line+="; vs ${bp#* } $(ratio "$m" "${bp%% *}") (>= 0.83) "
                if awk -v m="$m" -v b="${bp%% *}" 'BEGIN { exit !(m * 1.2 >= b) }'; then line+="PASS"; else line+="FAIL"; fi
            fi
            echo "$line"
        done
        if [ -z "${FAIL[peak.memprof]:-}" ]; then
            ra=$(median peak memprof rss_after_kb)
            tk=$(median peak memprof target_kb)
            if [ -n "$ra" ]; then
                printf '  RSS 2 s after free: %s MiB <= %s MiB ' "$(fmt "$ra/1024" 1)" "$(fmt "$tk/1024" 1)"
                if ge "$tk" "$ra"; then echo PASS; else echo FAIL; fi
            fi
        fi
        pct=$(heapstat peak peak meta_pct)
        if [ -n "$pct" ]; then
            printf '  metadata at the peak: %s%% < 2%% ' "$(fmt "$pct" 2)"
            if awk -v p="$pct" 'BEGIN { exit !(p < 2) }'; then echo PASS; else echo FAIL; fi
        fi
    fi
    ga=$(median peak glibc rss_after_kb)
    gt=$(median peak glibc target_kb)
    [ -n "$ga" ] && echo "  (glibc 2 s after free: $(fmt "$ga/1024" 1) MiB, $(ge "$gt" "$ga" && echo within || echo not within) the same target)"

    na=0
    for a in $ALLOCS; do [ -n "${NA[$a]:-}" ] && na=1; done
    [ -n "$SHIM_BUILD_ERR" ] && na=1
    if [ $na = 1 ] || [ $FAILED = 1 ]; then
        echo
        echo "Notes:"
        [ -n "$SHIM_BUILD_ERR" ] && [ -z "${NA[memprof]:-}" ] &&
            echo "  memprof: $SHIM_BUILD_ERR; measured the existing ${LIB[memprof]}, built $(date -r "${LIB[memprof]}" '+%Y-%m-%d %H:%M')"
        for a in $ALLOCS; do [ -n "${NA[$a]:-}" ] && echo "  $a: n/a: ${NA[$a]}"; done
        for wl in "${WORKLOADS[@]}"; do
            w=${wl%%|*}
            for a in $ALLOCS; do [ -n "${FAIL[$w.$a]:-}" ] && echo "  $w under $a: ${FAIL[$w.$a]}"; done
        done
    fi
} | tee "$OUT"

say "saved $OUT"
if [ $FAILED = 1 ] || [ "${KEEP_RAW:-0}" = 1 ]; then
    say "raw output kept in $RAW"
else
    rm -rf "$RAW"
fi
