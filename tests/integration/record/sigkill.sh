# integration.record.sigkill: a program allocating and freeing without end
# is SIGKILLed after ~0.5 s of recording. Nothing in the process can react,
# so the log is whatever chunks the writer had written: it must decode up to
# its last whole chunk — `memprof dump` exits 0, or 1 naming the byte
# offset where a partial chunk starts — pass the checker with --allow-cut
# (no END, nothing damaged, ordering intact) and hold the events of the
# run. A copy cut in the middle of its last chunk must do the same (dump
# exit 1 with the offset; checker passes with --allow-cut only).
source "$(dirname "$0")/lib.sh"
rec_setup "$@"

# A simple command, so that $! is the program itself (env execs it).
env LD_PRELOAD="$SHIM" MEMPROF_OPTIONS=mode=full:log=$T/x.mpz \
    "$BINDIR/churn_forever" "$T/ranges" > out 2> err &
pid=$!
trap 'kill -KILL $pid 2> /dev/null || true' ERR
for _ in $(seq 100); do
    [[ -s out ]] && break
    kill -0 $pid 2> /dev/null || break
    sleep 0.05
done
[[ $(cat out) == running ]] || { kill -KILL $pid 2> /dev/null || true; rec_fail "churn_forever did not start: $(cat out err)"; }
sleep 0.5
kill -KILL $pid
rc=0
wait $pid || rc=$?
[[ $rc == 137 ]] || rec_fail "churn_forever ended with $rc, not SIGKILL (137)"

# dump_cut LOG: memprof dump exits 0, or 1 with a byte offset on stderr.
dump_cut() {
    local rc=0
    rec_dump "$1" || rc=$?
    case $rc in
    0) ;;
    1) grep -Eq 'byte [0-9]+' "$1.dump.err" ||
           rec_fail "memprof dump $1 exited 1 without a byte offset: $(cat "$1.dump.err")" ;;
    *) rec_fail "memprof dump $1 exited $rc: $(cat "$1.dump.err")" ;;
    esac
    echo $rc
}

drc=$(dump_cut x.mpz)
rec_check x.mpz --allow-cut --ranges ranges
c=x.mpz.check
grep -qx 'end none' $c || rec_fail "the log of a killed process has END: $(grep '^end' $c)"
rec_expect_ge $c "range churn" allocs 10000
rec_expect_ge $c "range churn" frees 9000
rec_expect_ge $c "range churn" live_blocks 10

# The same log cut inside its last chunk.
size=$(stat -c %s x.mpz)
(( size > 4096 )) || rec_fail "the log is only $size bytes"
head -c $((size - 1000)) x.mpz > cut.mpz
[[ $(dump_cut cut.mpz) == 1 ]] || rec_fail "memprof dump of a log cut mid-chunk exited 0"
rec_check cut.mpz --allow-cut --ranges ranges
grep -q '^cut chunk=' cut.mpz.check || rec_fail "checklog did not report the cut"
rec_expect_ge cut.mpz.check "range churn" allocs 1
if "$CHECKLOG" cut.mpz > /dev/null 2>&1; then
    rec_fail "checklog passed a cut log without --allow-cut"
fi
echo "ok: sigkill (dump exit $drc, $(rec_val $c events total) events)"
