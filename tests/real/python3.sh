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

rr_case python3 --supp "$RR_HERE/python3.supp" --supp "$RR_HERE/glibc.supp" -- \
    "$PY" -s "$RR_HERE/stdlib_workload.py"
rr_done
