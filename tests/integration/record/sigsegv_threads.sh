# integration.record.sigsegv_threads: a thread dies of SIGSEGV while three
# others allocate and free through a shared table as fast as they can. The
# death passes through (139), and the log the crash handler completes must
# be consistent: END signal 11, and the checker's ordering replay holds —
# the log must not hold a thread's FREE whose ALLOC, made by another thread
# moments before, was left out (that is what happens when the final sweep
# takes each thread's buffer at a different moment while the others go on
# recording). Five runs, since the race is timing-dependent.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"
ulimit -c 0

bad=()
for run in 1 2 3 4 5; do
    rc=0
    env LD_PRELOAD="$SHIM" MEMPROF_OPTIONS=mode=full:log=$T/x$run.mpz \
        "$BINDIR/crash_threads" 2> err$run || rc=$?
    [[ $rc == 139 ]] || rec_fail "run $run: crash_threads exited $rc, not by SIGSEGV (139): $(cat err$run)"
    if ! "$CHECKLOG" x$run.mpz > x$run.mpz.check 2> x$run.mpz.check.err; then
        echo "run $run: $(head -3 x$run.mpz.check.err)"
        bad+=($run)
        continue
    fi
    rec_expect x$run.mpz.check end reason 1
    rec_expect x$run.mpz.check end detail 11
done
(( ${#bad[@]} == 0 )) || rec_fail "the crash-time log failed the checker in runs ${bad[*]} of 5"
echo "ok: sigsegv_threads"
