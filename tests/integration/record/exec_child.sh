# integration.record.exec_child: a program allocates, then execs
# (1) exec_target, a small program of ours that allocates known blocks, and
# (2) /bin/echo. The exec'd image is recorded too (same pid, the shim
# preloaded again): its log — <log>.<pid>, since <log> is the first image's,
# or memprof.<exe>.<pid>.mpz — exists, passes the checker with END, and
# holds exactly the new image's allocations. The first image's log must
# decode and pass the checker with --allow-cut.
#
# NOTE (exec handling in progress in the shim): until the shim flushes and
# writes END (reason exec) before execve, the first image's log may lack END
# and the events after its last periodic flush — hence --allow-cut, and the
# blocks allocated just before exec are reported as a NOTE, not a failure.
# Once exec handling lands, drop --allow-cut and make the NOTE a failure.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"

# image_log LOG PID EXE: the exec'd image's log under either name.
image_log() {
    local found=()
    [[ -e $1.$2 ]] && found+=("$1.$2")
    [[ -e memprof.$3.$2.mpz ]] && found+=("memprof.$3.$2.mpz")
    (( ${#found[@]} == 1 )) || rec_fail "expected one log for the exec'd $3 (pid $2): found [${found[*]}] among: $(ls)"
    echo "${found[0]}"
}

# first_image LOG: the checks on the log of the image that called exec.
first_image() {
    rec_check "$1" --allow-cut --ranges ranges
    local c=$1.check
    if grep -q '^end reason' "$c"; then
        rec_expect "$c" end reason 2  # END of an exec says so
    else
        echo "NOTE: $1 (the image that called exec) has no END record"
    fi
    local a
    a=$(rec_val "$c" "range before_exec" allocs)
    [[ $a == 25 ]] || echo "NOTE: $1 holds $a of the 25 blocks allocated just before exec"
}

# (1) exec_target
out=$(rec_run mode=full:log=$T/x.mpz "$BINDIR/exec_child" "$T/ranges" "$BINDIR/exec_target" "$T/ranges2")
[[ $out =~ ^pid=([0-9]+)$'\n'target\ pid=([0-9]+)$ ]] || rec_fail "exec_child printed '$out'"
pid=${BASH_REMATCH[1]}
[[ ${BASH_REMATCH[2]} == "$pid" ]] || rec_fail "the exec'd program has another pid: '$out'"
first_image x.mpz

tlog=$(image_log "$T/x.mpz" $pid exec_target)
rec_check "$tlog" --ranges ranges2
c=$tlog.check
rec_expect $c process pid $pid
[[ $(rec_val $c process exe) == */exec_target ]] || rec_fail "exe of $tlog: $(rec_val $c process exe)"
rec_expect $c "range target_work" allocs 40
rec_expect $c "range target_work" top 40
rec_expect $c "range target_work" frees 15
rec_expect $c "range target_work" live_blocks 25
rec_expect $c "range target_work" live_bytes 2000
rec_expect $c end reason 0
rec_dump "$tlog" || rec_fail "memprof dump of $tlog exited $?: $(cat "$tlog.dump.err")"

# (2) /bin/echo
[[ -x /bin/echo ]] || rec_skip "/bin/echo is missing"
out=$(rec_run mode=full:log=$T/y.mpz "$BINDIR/exec_child" "$T/ranges" /bin/echo hello from echo)
[[ $out =~ ^pid=([0-9]+)$'\n'hello\ from\ echo$ ]] || rec_fail "exec_child | echo printed '$out'"
pid=${BASH_REMATCH[1]}
first_image y.mpz
elog=$(image_log "$T/y.mpz" $pid echo)
rec_check "$elog"
rec_expect "$elog.check" process pid $pid
[[ $(rec_val "$elog.check" process exe) == */echo ]] || rec_fail "exe of $elog: $(rec_val "$elog.check" process exe)"
rec_expect "$elog.check" end reason 0
rec_dump "$elog" || rec_fail "memprof dump of $elog exited $?: $(cat "$elog.dump.err")"
echo "ok: exec_child"
