# integration.record.thread_exit: threads free blocks from a pthread key
# destructor as they exit (thread-local caches, C++ thread_local), then
# main allocates blocks of the same size, reusing those addresses. Every
# one of those frees must be in the log: the checker's replay passes (no
# address allocated twice), nothing is lost, and at exit exactly the 80
# blocks the threads kept are live — the blocks freed at thread exit must
# not show up as leaks.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"

out=$(rec_run mode=full:log=$T/x.mpz "$BINDIR/thread_exit" "$T/ranges")
[[ $out == done ]] || rec_fail "thread_exit printed '$out'"
rec_check x.mpz --ranges ranges
c=x.mpz.check
rec_expect $c totals lost 0
rec_expect $c "range per_thread" allocs $((8 * 51))
rec_expect $c "range per_thread" frees $((8 * 41))
rec_expect $c "range per_thread" live_blocks 80
rec_expect $c "range after_threads" allocs 400
rec_expect $c "range after_threads" live_blocks 0
echo "ok: thread_exit"
