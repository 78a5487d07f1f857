# integration.replay.real_log: replay_prog.c runs with libmemprof.so
# preloaded in full mode; mp_replay_dump (analyzer/replay.h) replays its log
# and must find exactly what the program did: its allocations, reallocs and
# frees, the 28 blocks / 301000 bytes it leaked (attributed to leak_small
# and leak_big), its temporary allocations and its peak. Then the same log
# cut inside its last chunk: a partial replay that says where it stopped
# and keeps what came before.
#
#     bash replay.sh SHIM REPLAY_DUMP BINDIR
set -euo pipefail
SHIM=$1 DUMP=$2 BINDIR=$3
for f in "$SHIM" "$DUMP" "$BINDIR/replay_prog"; do
    [[ -e $f ]] || { echo "FAIL: $f does not exist"; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/mp-replay.XXXXXX")
trap 'rc=$?; if [[ $rc == 0 ]]; then rm -rf "$T"; else echo "(files kept in $T)"; fi' EXIT
cd "$T"

fail() {
    echo "FAIL: $*"
    exit 1
}

# val FILE PREFIX KEY: KEY's value on the line starting with "PREFIX ".
val() {
    local line
    line=$(grep -m1 "^$2 " "$1") || fail "no line '$2 ...' in $1"
    line=" ${line#* }"
    [[ $line =~ \ $3=([^ ]*) ]] || fail "no $3= on the line '$2 ...' of $1"
    echo "${BASH_REMATCH[1]}"
}

expect() {
    local got
    got=$(val "$1" "$2" "$3")
    [[ $got == "$4" ]] || fail "$2 $3=$got, expected $4 (in $1)"
}

out=$(env LD_PRELOAD="$SHIM" MEMPROF_OPTIONS="mode=full:log=$T/x.mpz:flush_ms=5" \
      "$BINDIR/replay_prog" "$T/ranges")
[[ $out == done ]] || fail "replay_prog printed '$out'"
[[ -s x.mpz ]] || fail "no log x.mpz"

rc=0
"$DUMP" --ranges ranges --sites x.mpz > full.txt 2> full.err || rc=$?
cat full.txt | grep -v '^site '
[[ $rc == 0 ]] || fail "mp_replay_dump exited $rc: $(cat full.err)"

o=full.txt
expect $o summary allocs 1229
expect $o summary reallocs 10
expect $o summary frees 1201
expect $o summary unknown_frees 0
expect $o summary unknown_realloc_olds 0
expect $o summary leaked_blocks 28
expect $o summary leaked_bytes 301000
expect $o summary peak_bytes 1301000
expect $o summary temporary 1002
expect $o summary partial 0
expect $o summary end 1
expect $o summary lost 0
expect $o summary alloc_of_live 0
expect $o summary late 0
expect $o summary clamped 0
expect $o "range leak_small" leaked_blocks 25
expect $o "range leak_small" leaked_bytes 1000
expect $o "range leak_big" leaked_blocks 3
expect $o "range leak_big" leaked_bytes 300000
expect $o "range temps" allocs 1000
expect $o "range temps" frees 1000
expect $o "range temps" temporary 1000
expect $o "range temps" leaked_blocks 0
expect $o "range peak_up" allocs 200
expect $o "range peak_up" peak_bytes 1000000
expect $o "range peak_up" temporary 1
expect $o "range grow" allocs 11
expect $o "range grow" reallocs 10
expect $o "range grow" frees 11
expect $o "range grow" temporary 1
# The leaks stay in the class model: 25 objects of 40 bytes live in the
# 48-byte class at the end (at least; the runtime may hold others).
(( $(val $o "heap final" classes) > 0 )) || fail "no size classes in the final heap"
(( $(val $o "heap final" live) >= 25 * 48 )) || fail "final class live bytes too small"
(( $(val $o timeline points) > 0 )) || fail "empty timeline"
expect $o timeline max_bytes 1301000

# Cut inside the last chunk: the replay keeps the chunks before it.
chunks=$(val $o summary chunks)
(( chunks >= 2 )) || fail "the log has $chunks chunk(s); the test needs several (flush_ms=5)"
size=$(stat -c %s x.mpz)
head -c $((size - 5)) x.mpz > cut.mpz
rc=0
"$DUMP" cut.mpz > cut.txt 2> cut.err || rc=$?
cat cut.txt
[[ $rc == 1 ]] || fail "mp_replay_dump on a cut log exited $rc, expected 1: $(cat cut.err)"
expect cut.txt summary partial 1
expect cut.txt stop code -22
(( $(val cut.txt summary chunks) == chunks - 1 )) || fail "cut log: not every whole chunk replayed"
(( $(val cut.txt summary allocs) <= 1229 )) || fail "cut log: more allocations than the whole"
echo "ok: real log replayed ($chunks chunks); cut copy partial at byte $(sed -n 's/^stop code=[^ ]* offset=\([0-9]*\).*/\1/p' cut.txt)"
