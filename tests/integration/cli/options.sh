#!/usr/bin/env bash
# MEMPROF_OPTIONS: memprof's keys appended to the user's, colon-separated;
# the default mode (full) added only when nothing chose one; log= last, with
# the absolute path of the log, which holds the program's own pid.
source "$(dirname "$0")/lib.sh"

show='echo "$MEMPROF_OPTIONS"'

check() { # EXPECTED memprof-args...
    local want=$1
    shift
    mp run "$@" -- bash -c "$show"
    expect_status 0
    expect_out "$want"
}

# Recording: bash's $$ is the program's pid, so the default name is known.
check_rec() { # EXPECTED-BEFORE-LOG memprof-args...
    local want=$1
    shift
    mp run "$@" -- bash -c 'echo "$MEMPROF_OPTIONS"; echo $$'
    expect_status 0
    local pid
    pid=$(sed -n 2p "$TMP/out")
    [ "$(sed -n 1p "$TMP/out")" = "${want:+$want:}log=$TMP/memprof.bash.$pid.mpz" ] ||
        fail "expected MEMPROF_OPTIONS=${want:+$want:}log=$TMP/memprof.bash.$pid.mpz"
}

check_rec "mode=full"
check_rec "mode=full" --mode=full
check_rec "mode=full:depth=8" --depth=8
check_rec "mode=full:depth=256" --depth 1 --depth=256
check_rec "mode=full:follow_fork=0" --no-follow-fork
check_rec "mode=full:follow_exec=0" --no-follow-exec
check_rec "mode=full:sample=524288" --sample=512k
check_rec "mode=full:sample=524288" --mode=sample
check_rec "mode=full:sample=3" --sample=3
check_rec "mode=full:sample=2097152" --sample 2M
check_rec "mode=full:sample=1073741824" --sample=1g --mode=sample
check_rec "mode=full:depth=4:follow_fork=0:follow_exec=0:stats=1:scavenge_delay_ms=0" \
    --stats --no-follow-exec --scavenge-delay=0 --no-follow-fork --depth=4
check_rec "mode=full:stats=1" --stats

# --mode=off: no log, no log= key.
check "mode=off" --mode=off
check "mode=off" --mode off
check "mode=off:stats=1" --mode=off --stats
check "mode=off:scavenge_delay_ms=250" --mode=off --scavenge-delay=250
check "mode=off:scavenge_delay_ms=0" --mode=off --scavenge-delay 0
check "mode=off:stats=1:scavenge_delay_ms=3600000" --mode=off --scavenge-delay=3600000 --stats
check "mode=off:stats=1:scavenge_delay_ms=20" --mode=off --scavenge-delay=10 --stats --scavenge-delay=20
check "mode=off" --mode=full --mode=off

# The user's MEMPROF_OPTIONS comes first; memprof's flags come later and win.
export MEMPROF_OPTIONS="verbose=1:background_thread=0"
check "verbose=1:background_thread=0:mode=off" --mode=off
check "verbose=1:background_thread=0:mode=off:stats=1" --stats --mode=off
check_rec "verbose=1:background_thread=0:mode=full"

# The user chose a mode: no default is added, an explicit flag still is.
export MEMPROF_OPTIONS="mode=off:verbose=1"
check "mode=off:verbose=1"
check "mode=off:verbose=1:mode=off" --mode=off
check_rec "mode=off:verbose=1:mode=full" --mode=full
export MEMPROF_OPTIONS="verbose=1:mode=off"
check "verbose=1:mode=off:stats=1" --stats
export MEMPROF_OPTIONS="verbose=1:mode=full"
check_rec "verbose=1:mode=full"
# A bad value does not count: the shim ignores it and keeps the earlier one.
export MEMPROF_OPTIONS="mode=off:mode=bogus"
check "mode=off:mode=bogus"

# A key that merely starts with "mode" is not the mode.
export MEMPROF_OPTIONS="modes=1"
check_rec "modes=1:mode=full"
check "modes=1:mode=off" --mode=off

# Empty or colon-terminated: no empty entries.
export MEMPROF_OPTIONS=""
check "mode=off" --mode=off
export MEMPROF_OPTIONS="verbose=1:"
check "verbose=1:mode=off" --mode=off
unset MEMPROF_OPTIONS

# memprof's own environment is what the program gets otherwise.
FOO_FOR_TEST="a b" mp run --mode=off -- bash -c 'echo "$FOO_FOR_TEST"'
expect_out "a b"
pass
