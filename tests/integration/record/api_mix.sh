# integration.record.api_mix: every entry point of the malloc family once
# (malloc, calloc, realloc as malloc / as realloc / as free, reallocarray,
# memalign, posix_memalign, aligned_alloc, valloc, pvalloc, a large
# malloc, strdup inside the libc, malloc(0)), with known frees. The log
# must hold exactly those events — 12 ALLOC, 1 REALLOC, 3 FREE — with the
# sizes asked for (pvalloc: whole pages; 9 blocks of 10246 bytes live),
# all under api_calls, all but strdup's with api_calls as the innermost
# frame.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"

out=$(rec_run mode=full:log=$T/x.mpz "$BINDIR/api_mix" "$T/ranges")
[[ $out == done ]] || rec_fail "api_mix printed '$out'"
rec_check x.mpz --ranges ranges
c=x.mpz.check
rec_expect $c totals allocs 12
rec_expect $c totals reallocs 1
rec_expect $c totals frees 3
rec_expect $c totals unknown_frees 0
rec_expect $c totals live_blocks 9
rec_expect $c totals live_bytes 10246
rec_expect $c "range api_calls" allocs 12
rec_expect $c "range api_calls" reallocs 1
rec_expect $c "range api_calls" top 12
rec_expect $c "range api_calls" live_blocks 9
echo "ok: api_mix"
