# integration.record.xthread_order: 2 producer threads allocate 10^6
# objects that 2 consumer threads free, through small rings, so that
# addresses are freed by one thread and allocated again by another all the
# time. Merged by timestamp under the watermarks, the log must never show a
# free before its allocation nor an address allocated twice (checklog's
# replay), and it must hold every one of the objects: allocs == frees == N.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"

N=1000000
out=$(rec_run mode=full:log=$T/x.mpz "$BINDIR/xthread_order" "$T/ranges" $N)
[[ $out == "objects=$N" ]] || rec_fail "xthread_order printed '$out'"

rec_check x.mpz --ranges ranges
c=x.mpz.check
rec_expect $c "range produce" allocs $N
rec_expect $c "range produce" top $N
rec_expect $c "range produce" frees $N
rec_expect $c "range produce" live_blocks 0
rec_expect $c totals lost 0
rec_expect $c end reason 0
# The run really exercised the hard case: most allocations reuse an address
# another thread just freed (the rings hold a few hundred objects).
rec_expect_ge $c totals xthread_reused $((N / 2))
addresses=$(rec_val $c totals addresses)
(( addresses < N / 10 )) || rec_fail "$addresses distinct addresses: not the heavy reuse the test needs"

rec_dump x.mpz || rec_fail "memprof dump exited $?: $(cat x.mpz.dump.err)"
echo "ok: xthread_order ($(rec_val $c totals xthread_reused) cross-thread reuses of $addresses addresses)"
