# integration.record.fork_child: a parent (with a thread allocating all the
# time) forks a child that allocates and exits. The child gets a log of its
# own — <log>.<pid>, since <log> is the parent's, or memprof.<exe>.<pid>.mpz
# in the working directory; both names are looked for — that passes the
# checker with exactly the child's allocations: none of the parent's
# (whatever was in the parent's buffers at fork time stays the parent's),
# the parent's blocks it frees counted as unknown (allocated before its
# log). The parent's log has none of the child's. With follow_fork=0 no
# child log is made at all.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"

# child_log LOG PID: the child's log, if one exists under either name.
child_log() {
    local found=()
    [[ -e $1.$2 ]] && found+=("$1.$2")
    [[ -e memprof.fork_child.$2.mpz ]] && found+=("memprof.fork_child.$2.mpz")
    (( ${#found[@]} <= 1 )) || rec_fail "two logs for the child: ${found[*]}"
    echo "${found[@]}"
}

out=$(rec_run mode=full:log=$T/x.mpz "$BINDIR/fork_child" "$T/ranges")
[[ $out =~ ^parent=([0-9]+)\ child=([0-9]+)$ ]] || rec_fail "fork_child printed '$out'"
ppid=${BASH_REMATCH[1]} cpid=${BASH_REMATCH[2]}

rec_check x.mpz --ranges ranges
c=x.mpz.check
rec_expect $c process pid $ppid
rec_expect $c "range parent_work" allocs 20
rec_expect $c "range parent_work" live_blocks 20
rec_expect $c "range child_work" allocs 0
rec_expect_ge $c "range busy_work" allocs 1

clog=$(child_log "$T/x.mpz" $cpid)
[[ -n $clog ]] || rec_fail "no log for the child $cpid (neither x.mpz.$cpid nor memprof.fork_child.$cpid.mpz): $(ls)"
rec_check "$clog" --ranges ranges
c=$clog.check
rec_expect $c process pid $cpid
rec_expect $c process ppid $ppid
rec_expect $c "range child_work" allocs 30
rec_expect $c "range child_work" top 30
rec_expect $c "range child_work" frees 10
rec_expect $c "range child_work" live_blocks 20
rec_expect $c "range child_work" live_bytes 4000
rec_expect $c "range parent_work" allocs 0
rec_expect $c "range busy_work" allocs 0
rec_expect_ge $c totals unknown_frees 5
rec_expect $c end reason 0
rec_dump "$clog" || rec_fail "memprof dump of the child's log exited $?: $(cat "$clog.dump.err")"

# follow_fork=0: the child runs unrecorded.
out=$(rec_run mode=full:follow_fork=0:log=$T/y.mpz "$BINDIR/fork_child" "$T/ranges")
[[ $out =~ ^parent=([0-9]+)\ child=([0-9]+)$ ]] || rec_fail "fork_child printed '$out'"
cpid=${BASH_REMATCH[2]}
clog=$(child_log "$T/y.mpz" $cpid)
[[ -z $clog ]] || rec_fail "follow_fork=0, yet the child has a log: $clog"
rec_check y.mpz --ranges ranges
rec_expect y.mpz.check "range parent_work" allocs 20
rec_expect y.mpz.check "range child_work" allocs 0
echo "ok: fork_child"
