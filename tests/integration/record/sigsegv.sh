# integration.record.sigsegv: a program allocates 20 known blocks and at
# once dies of SIGSEGV (no handler of its own). The death must pass through
# unchanged (exit status 128+11 from the shell: the shim's handler lets the
# default action happen), and the log — flushed by the shim's crash handler
# — must pass the checker with END reason signal (1) detail 11 and hold
# the 20 blocks, live. Then the same with a SIGSEGV handler of the
# program's (installed with sigaction) that prints and _exit(42)s: the
# shim chains to it, and the log holds the same blocks and ends with END
# reason exit, detail 42 — how the process really ended. And abort():
# status 134, END signal 6.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"
ulimit -c 0 # no core dump to wait for

rc=0
out=$(rec_run mode=full:log=$T/x.mpz "$BINDIR/crash" "$T/ranges" die 2> err) || rc=$?
[[ $rc == $((128 + 11)) ]] || rec_fail "crash exited $rc, not by SIGSEGV (139); stderr: $(cat err)"
[[ -s x.mpz ]] || rec_fail "no log"
rec_check x.mpz --ranges ranges
c=x.mpz.check
rec_expect $c "range known_blocks" allocs 20
rec_expect $c "range known_blocks" live_blocks 20
rec_expect $c "range known_blocks" live_bytes 1280
rec_expect $c end reason 1
rec_expect $c end detail 11
rec_dump x.mpz || rec_fail "memprof dump exited $?: $(cat x.mpz.dump.err)"

rc=0
out=$(rec_run mode=full:log=$T/y.mpz "$BINDIR/crash" "$T/ranges" handler 2> err) || rc=$?
[[ $rc == 42 && $out == "caught 11" ]] ||
    rec_fail "crash with a handler: exit $rc, stdout '$out' (expected 42, 'caught 11'); stderr: $(cat err)"
rec_check y.mpz --ranges ranges
c=y.mpz.check
rec_expect $c "range known_blocks" allocs 20
rec_expect $c "range known_blocks" live_blocks 20
rec_expect $c end reason 0  # the process did not die of the signal: it exited,
rec_expect $c end detail 42 # through _exit, with the handler's status

# abort(): SIGABRT, sent rather than a fault — re-raised after the flush.
rc=0
out=$(rec_run mode=full:log=$T/z.mpz "$BINDIR/crash" "$T/ranges" abort 2> err) || rc=$?
[[ $rc == $((128 + 6)) ]] || rec_fail "crash abort exited $rc, not by SIGABRT (134); stderr: $(cat err)"
rec_check z.mpz --ranges ranges
c=z.mpz.check
rec_expect $c "range known_blocks" allocs 20
rec_expect $c end reason 1
rec_expect $c end detail 6
echo "ok: sigsegv"
