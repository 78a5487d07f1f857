#!/usr/bin/env bash
# real.cxx_threads — the threaded C++ program of integration.real
# (tests/integration/real/cxx_threads.cpp: std::thread, std::map,
# std::string, shared_ptr handed between threads through mutex/condvar
# queues, exceptions, a failing huge new, 64 short-lived threads), plain,
# under memprof run and under memprof check (lib.sh says what is compared).
# Its output is deterministic whatever the scheduling: byte for byte. It
# frees everything it allocates, so memprof check must pass with only the
# C and C++ runtimes' one-time allocations suppressed.
# Usage: cxx_threads.sh MEMPROF PROGRAM
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
rr_init "${1-}"
PROG=$(readlink -f -- "${2:?usage: cxx_threads.sh MEMPROF PROGRAM}")
if [ ! -x "$PROG" ]; then
    echo "FAIL: test program not built: $PROG"
    exit 1
fi
rr_case cxx_threads --supp "$RR_HERE/glibc.supp" -- "$PROG"
rr_done
