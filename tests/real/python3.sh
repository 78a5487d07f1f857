#!/usr/bin/env bash
# real.python3 — CPython running stdlib_workload.py (json, re, sqlite3,
# threading, collections, hashlib, zlib, csv, decimal, gc of cycles),
# plain, under memprof run and under memprof check (lib.sh says what is
# compared). The output is deterministic (PYTHONHASHSEED=0): byte for byte.
# Run with PYTHONMALLOC=malloc, so that every Python object comes from
# memprof's malloc rather than from pymalloc's arenas (mmap'd directly):
# the harder case for the shim and the recorder.
#
# python3 on PATH may be a wrapper script (pyenv); the interpreter it runs
# (sys.executable) is what runs under memprof.
# Usage: python3.sh MEMPROF
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
rr_init "$@"
rr_need python3
if ! PY=$(python3 -c 'import sys, sqlite3; print(sys.executable)' 2> "$RR_TMP/py.err") || [ ! -x "$PY" ]; then
    echo "SKIP: python3 with its sqlite3 module does not run here: $(head -c 300 "$RR_TMP/py.err")"
    exit 77
fi
echo "python: $PY $("$PY" -c 'import sys; print(sys.version.split()[0])')"
unset PYTHONSTARTUP PYTHONPATH PYTHONHOME PYTHONDEVMODE PYTHONTRACEMALLOC PYTHONMALLOCSTATS
export PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1 PYTHONMALLOC=malloc

# python3.supp names CPython's functions, so memprof must be able to name
# them: the interpreter (or the libpython it links) needs its debug info.
# pyenv builds have it; Debian's /usr/bin/python3.11 is stripped (its
# symbols are in a separate dbgsym package). Without it the interpreter's
# own start-up and import state cannot be told apart from a leak by
# function, and memprof check must then fail on exactly what the logs hold.
debug=0
for f in "$PY" $(ldd "$PY" 2> /dev/null | grep -o '/[^ ]*libpython[^ ]*' || true); do
    if readelf -S "$f" 2> /dev/null | grep -q '\.debug_info'; then
        debug=1
    fi
done
if [ $debug = 1 ]; then
    rr_case python3 --supp "$RR_HERE/python3.supp" --supp "$RR_HERE/glibc.supp" -- \
        "$PY" -s "$RR_HERE/stdlib_workload.py"
else
    echo "note: $PY has no debug info: python3.supp's rules cannot match"
    rr_case python3 --supp "$RR_HERE/glibc.supp" \
        --leaky "CPython keeps its start-up and import state until exit (no debug info to suppress it by function)" \
        -- "$PY" -s "$RR_HERE/stdlib_workload.py"
fi
rr_done
