#!/usr/bin/env bash
# MEMPROF_OPTIONS: memprof's keys appended to the user's, colon-separated;
# the default mode added only when nothing chose one.
source "$(dirname "$0")/lib.sh"

show='echo "$MEMPROF_OPTIONS"'

check() { # EXPECTED memprof-args...
    local want=$1
    shift
    mp run "$@" -- bash -c "$show"
    expect_status 0
    expect_out "$want"
}

check "mode=off"
check "mode=off" --mode=off
check "mode=off" --mode off
check "mode=off:stats=1" --stats
check "mode=off:scavenge_delay_ms=250" --scavenge-delay=250
check "mode=off:scavenge_delay_ms=0" --scavenge-delay 0
check "mode=off:stats=1:scavenge_delay_ms=3600000" --scavenge-delay=3600000 --stats
check "mode=off:stats=1:scavenge_delay_ms=20" --scavenge-delay=10 --stats --scavenge-delay=20

# The user's MEMPROF_OPTIONS comes first; memprof's flags come later and win.
export MEMPROF_OPTIONS="verbose=1:background_thread=0"
check "verbose=1:background_thread=0:mode=off"
check "verbose=1:background_thread=0:mode=off:stats=1" --stats

# The user chose a mode: no default is added, an explicit flag still is.
export MEMPROF_OPTIONS="mode=off:verbose=1"
check "mode=off:verbose=1"
check "mode=off:verbose=1:mode=off" --mode=off
export MEMPROF_OPTIONS="verbose=1:mode=off"
check "verbose=1:mode=off:stats=1" --stats

# A key that merely starts with "mode" is not the mode.
export MEMPROF_OPTIONS="modes=1"
check "modes=1:mode=off"

# Empty or colon-terminated: no empty entries.
export MEMPROF_OPTIONS=""
check "mode=off"
export MEMPROF_OPTIONS="verbose=1:"
check "verbose=1:mode=off"
unset MEMPROF_OPTIONS

# memprof's own environment is what the program gets otherwise.
FOO_FOR_TEST="a b" mp run -- bash -c 'echo "$FOO_FOR_TEST"'
expect_out "a b"
pass
