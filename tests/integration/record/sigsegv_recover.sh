# integration.record.sigsegv_recover: a program whose SIGSEGV handler
# recovers (siglongjmp), as garbage collectors and JIT runtimes do on
# purpose, and which then goes on allocating and exits normally. Recording
# must go on after the handled fault: the log passes the checker with one
# END, reason exit (0), holding the 20 blocks from before the fault and the
# 10 from after it.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"
ulimit -c 0

rc=0
out=$(rec_run mode=full:log=$T/x.mpz "$BINDIR/crash" "$T/ranges" recover 2> err) || rc=$?
[[ $rc == 0 && $out == recovered ]] ||
    rec_fail "crash recover: exit $rc, stdout '$out' (expected 0, 'recovered'); stderr: $(cat err)"
rec_check x.mpz --ranges ranges
c=x.mpz.check
rec_expect $c "range known_blocks" allocs 20
rec_expect $c "range after_recover" allocs 10
rec_expect $c "range after_recover" live_blocks 10
rec_expect $c end reason 0
echo "ok: sigsegv_recover"
