# integration.record.api_mix: every entry point of the malloc family once
# (malloc, calloc, realloc as malloc / as realloc / as free, reallocarray,
# memalign, posix_memalign, aligned_alloc, valloc, pvalloc, a large
# malloc, strdup inside the libc, malloc(0)), with known frees. The log
# must hold exactly those events — 12 ALLOC, 1 REALLOC, 3 FREE — with the
# sizes asked for (pvalloc: whole pages; 9 blocks of 10246 bytes live),
# all under api_calls, all but strdup's with api_calls as the innermost
# frame.
#
# With the frame-pointer unwinder (MP_UNWIND=fp, passed as the extra
# argument) strdup's stack skips the libc function and its caller, which
# the chain of saved %rbp cannot see (docs/unwind.md): there api_calls is
# in 11 of the stacks, not 12.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"
in_api=12
[[ ${EXTRA[0]:-libunwind} == fp ]] && in_api=11

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
rec_expect $c "range api_calls" allocs $in_api
rec_expect $c "range api_calls" reallocs 1
rec_expect $c "range api_calls" top 12 # 11 allocs + the realloc
rec_expect $c "range api_calls" live_blocks $((in_api - 3))
echo "ok: api_mix"
