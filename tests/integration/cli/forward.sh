#!/usr/bin/env bash
# While the program runs: SIGTERM and SIGHUP sent to memprof reach the
# program; SIGINT and SIGQUIT sent to memprof alone do not stop memprof
# (like system(3)); a Ctrl-C to the whole process group kills the program
# and memprof reports it and dies the same way.
source "$(dirname "$0")/lib.sh"

# wait_file FILE: until FILE exists and is not empty (10 s at most).
wait_file() {
    for _ in $(seq 200); do
        [ -s "$1" ] && return 0
        sleep 0.05
    done
    fail "timed out waiting for $1"
}

# start ARGS...: memprof in the background with SIGINT/SIGQUIT at their
# defaults (a script's background jobs get them ignored otherwise, which
# would make the test meaningless); sets $mp_pid. The program writes its
# pid to $TMP/child.pid when it is ready.
start() {
    rm -f "$TMP/child.pid"
    env --default-signal=INT,QUIT "$@" >"$TMP/out" 2>"$TMP/err" &
    mp_pid=$!
    kill_on_exit+=("$mp_pid")
    wait_file "$TMP/child.pid"
    child_pid=$(cat "$TMP/child.pid")
    kill_on_exit+=("$child_pid")
}

finish() {
    set +e
    { wait "$mp_pid"; status=$?; } 2>/dev/null
    set -e
    # Both are reaped now; their pids may be reused by anything.
    kill_on_exit=()
}

env --default-signal=INT true 2>/dev/null ||
    { echo "SKIP: env --default-signal not supported"; exit 77; }

what="memprof run -- bash (sleeping), sent SIGTERM to memprof"
start "$MEMPROF" run -- bash -c "echo \$\$ >$TMP/child.pid; while :; do sleep 0.05; done"
kill -TERM "$mp_pid"
finish
expect_status 143
expect_err_line "memprof: bash killed by signal 15 (SIGTERM)"
# The report on the log comes before memprof dies the program's death.
expect_err_has "memprof: log memprof.bash."

what="memprof run -- bash (sleeping), sent SIGHUP to memprof"
start "$MEMPROF" run -- bash -c "echo \$\$ >$TMP/child.pid; while :; do sleep 0.05; done"
kill -HUP "$mp_pid"
finish
expect_status 129
expect_err_line "memprof: bash killed by signal 1 (SIGHUP)"

what="memprof run -- bash (trapping TERM), sent SIGTERM to memprof"
start "$MEMPROF" run -- bash -c "trap 'exit 9' TERM; echo \$\$ >$TMP/child.pid; while :; do sleep 0.05; done"
kill -TERM "$mp_pid"
finish
expect_status 9
expect_err_lacks "killed by signal"
expect_err_has "memprof: log memprof.bash."

what="memprof run -- bash, sent SIGINT and SIGQUIT to memprof alone"
start "$MEMPROF" run -- bash -c "trap 'exit 5' USR1; echo \$\$ >$TMP/child.pid; while :; do sleep 0.05; done"
kill -INT "$mp_pid"
kill -QUIT "$mp_pid"
sleep 0.2
kill -0 "$mp_pid" 2>/dev/null || fail "memprof died of a SIGINT/SIGQUIT meant for its program"
kill -USR1 "$child_pid"
finish
expect_status 5

# The program gets SIGINT at its default even though memprof ignores it.
what="memprof run -- bash, sent SIGINT to the program"
start "$MEMPROF" run -- bash -c "echo \$\$ >$TMP/child.pid; exec sleep 30"
kill -INT "$child_pid"
finish
expect_status 130
expect_err_line "memprof: bash killed by signal 2 (SIGINT)"

# Ctrl-C: the terminal signals the whole foreground process group. setsid
# gives memprof and its program a group of their own to signal.
if command -v setsid >/dev/null; then
    what="setsid memprof run -- sleep, SIGINT to the process group"
    start setsid "$MEMPROF" run -- bash -c "echo \$\$ >$TMP/child.pid; exec sleep 30"
    pgid=$(awk '{print $5}' "/proc/$mp_pid/stat") # field 5 of stat is the pgrp
    [ "$pgid" = "$mp_pid" ] || fail "setsid did not make memprof a group leader (pgid $pgid)"
    kill -INT -- "-$pgid"
    finish
    expect_status 130
    expect_err_line "memprof: bash killed by signal 2 (SIGINT)"
fi
pass
