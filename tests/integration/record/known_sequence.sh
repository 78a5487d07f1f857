# integration.record.known_sequence: known_sequence.c makes an exact,
# known sequence of mallocs, callocs, reallocs and frees and nothing else.
# The log must count exactly those events, leave exactly the known blocks
# live at exit, and attribute each allocation to the function that made it:
# leak_a's 1000 mallocs have leak_a as their innermost frame (the shim's own
# frames trimmed) and main deeper in the stack; with depth=1 the one frame
# kept is still the caller of malloc.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"

out=$(rec_run mode=full:log=$T/x.mpz "$BINDIR/known_sequence" "$T/ranges")
[[ $out == done ]] || rec_fail "known_sequence printed '$out'"
[[ -s x.mpz ]] || rec_fail "no log x.mpz"

rec_check x.mpz --ranges ranges
c=x.mpz.check
rec_expect $c totals allocs 1051
rec_expect $c totals frees 1035
rec_expect $c totals reallocs 10
rec_expect $c totals unknown_frees 0
rec_expect $c totals live_blocks 16
rec_expect $c totals live_bytes 18184
rec_expect $c end reason 0
# leak_a: 1000 × malloc(100), 10 kept.
rec_expect $c "range leak_a" allocs 1000
rec_expect $c "range leak_a" top 1000
rec_expect $c "range leak_a" frees 990
rec_expect $c "range leak_a" live_blocks 10
rec_expect $c "range leak_a" live_bytes 1000
# leak_b: 50 × calloc(10, 16), 5 kept.
rec_expect $c "range leak_b" allocs 50
rec_expect $c "range leak_b" top 50
rec_expect $c "range leak_b" live_blocks 5
rec_expect $c "range leak_b" live_bytes 800
# grow_c: malloc(16) then 10 reallocs doubling to 16384; each realloc frees
# the block before it.
rec_expect $c "range grow_c" allocs 1
rec_expect $c "range grow_c" reallocs 10
rec_expect $c "range grow_c" top 11
rec_expect $c "range grow_c" frees 10
rec_expect $c "range grow_c" live_blocks 1
rec_expect $c "range grow_c" live_bytes 16384
# Every allocation was made under main.
rec_expect $c "range main" allocs 1051
rec_expect $c "range main" reallocs 10
rec_expect $c "range main" live_blocks 16

# memprof dump decodes the whole log and agrees on the counts.
rec_dump x.mpz || rec_fail "memprof dump exited $?: $(cat x.mpz.dump.err)"
grep -Eq '\(ALLOC 1051, FREE 1035, REALLOC 10[,)]' x.mpz.dump ||
    rec_fail "memprof dump's summary: $(tail -1 x.mpz.dump)"

# depth=1: one frame per stack, the caller of malloc (the shim's own frames
# are not counted): still leak_a's, and main is no longer in any stack.
out=$(rec_run mode=full:depth=1:log=$T/d.mpz "$BINDIR/known_sequence" "$T/ranges")
rec_check d.mpz --ranges ranges
c=d.mpz.check
rec_expect $c process max_depth 1
rec_expect $c totals allocs 1051
rec_expect $c "range leak_a" top 1000
rec_expect $c "range leak_b" top 50
rec_expect $c "range grow_c" top 11
rec_expect $c "range main" allocs 0
echo "ok: known_sequence"
