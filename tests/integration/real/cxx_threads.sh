#!/usr/bin/env bash
# integration.real.cxx_threads — a threaded C++ program (cxx_threads.cpp:
# std::thread, containers, shared_ptr across a mutex/condition_variable
# queue, exceptions, a failing huge new, short-lived threads) run plain and
# preloaded; output and exit status compared (see lib.sh). Run three times
# per side: thread interleavings differ from run to run, the output must not.
# Usage: cxx_threads.sh /path/to/libmemprof.so /path/to/mp_real_cxx_threads
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
mp_real_init "${1-}"
PROG=${2:?usage: cxx_threads.sh SHIM PROGRAM}
if [ ! -x "$PROG" ]; then
    echo "FAIL: test program not built: $PROG" >&2
    exit 1
fi

workload() {
    mp_step "$PROG"
    mp_step "$PROG"
    mp_step "$PROG"
}
mp_compare workload
