#!/usr/bin/env bash
# --depth N reaches the shim: the log's PROCESS record says max_depth=N and
# no STACK record has more than N frames. The same through MEMPROF_OPTIONS,
# with memprof run and with the shim preloaded by hand.
source "$(dirname "$0")/lib.sh"

# bash allocating from its interpreter loop: stacks dozens of frames deep,
# and few enough events that dump is quick. No fork, no exec.
prog=(bash -c 'x=; for i in {1..300}; do x="$x$i"; done')

# check_depth LOG N: PROCESS max_depth=N, every STACK n <= N, and some
# STACK n == N (the limit binds: the program's stacks are deeper).
check_depth() {
    local log=$1 n=$2 max
    "$MEMPROF" dump "$log" >"$TMP/dump" || fail "memprof dump $log failed"
    grep -q "^PROCESS .* max_depth=$n " "$TMP/dump" || fail "$log: PROCESS does not say max_depth=$n"
    grep -q '^STACK ' "$TMP/dump" || fail "$log has no STACK record"
    max=$(sed -n 's/^STACK id=[0-9]* n=\([0-9]*\).*/\1/p' "$TMP/dump" | sort -n | tail -1)
    [ "$max" -le "$n" ] || fail "$log: a STACK has $max frames, more than $n"
    [ "$max" -eq "$n" ] || fail "$log: no STACK reaches $n frames (deepest $max): the limit was not tested"
}

for n in 1 3 7; do
    mp run --depth=$n -o "d$n.mpz" -- "${prog[@]}"
    expect_status 0
    check_depth "d$n.mpz" $n
done

# The default is 64.
mp run -o default.mpz -- "${prog[@]}"
expect_status 0
grep -q "^PROCESS .* max_depth=64 " < <("$MEMPROF" dump default.mpz) ||
    fail "the default depth is not 64"

# Through MEMPROF_OPTIONS, and --depth over it.
MEMPROF_OPTIONS=depth=5 mp run -o env.mpz -- "${prog[@]}"
expect_status 0
check_depth env.mpz 5
MEMPROF_OPTIONS=depth=5 mp run --depth=2 -o flag.mpz -- "${prog[@]}"
expect_status 0
check_depth flag.mpz 2

# The shim preloaded by hand, no memprof run at all.
what="LD_PRELOAD=shim MEMPROF_OPTIONS=mode=full:depth=4:log=... bash"
LD_PRELOAD="$SHIM" MEMPROF_OPTIONS="mode=full:depth=4:log=$TMP/hand.mpz" "${prog[@]}" >/dev/null ||
    fail "bash failed with the shim preloaded by hand"
check_depth hand.mpz 4
pass
