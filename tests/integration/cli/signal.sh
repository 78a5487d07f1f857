#!/usr/bin/env bash
# A program killed by a signal: memprof says so and dies of the same signal,
# so the shell sees 128+N and a parent that looks at the wait status sees a
# signal death, not an exit.
source "$(dirname "$0")/lib.sh"

check_death() { # SIGNAME NUMBER
    local name=$1 num=$2

    mp run -- bash -c "kill -$name \$\$"
    expect_status $((128 + num))
    expect_err_line "memprof: bash killed by signal $num (SIG$name)"

    # Not an exit(128+N): the wait status must say "signaled".
    if command -v python3 >/dev/null; then
        local rc
        rc=$(python3 -c 'import subprocess, sys
r = subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL)
print(r.returncode)' "$MEMPROF" run -- bash -c "kill -$name \$\$")
        [ "$rc" = "-$num" ] || fail "memprof should die of SIG$name itself (python saw returncode $rc, want -$num)"
    fi
}

check_death SEGV 11
check_death TERM 15
check_death ABRT 6
check_death KILL 9
check_death USR1 10

# memprof must not leave a core file of its own behind.
cd "$TMP"
mp run -- bash -c 'kill -SEGV $$'
expect_status 139
! ls "$TMP" | grep -q '^core' || fail "a core file appeared in $TMP"
pass
