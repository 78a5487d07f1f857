#!/usr/bin/env bash
# integration.real.python3[_malloc] — CPython with the shim as its malloc.
#
# Runs python_workload.py (dicts, lists, json, re, collections, hashlib,
# zlib, big ints, sorting ~10^5-10^6 objects, GC cycles, worker threads)
# plain and preloaded and compares output and exit status (see lib.sh).
#
# python3 here may be a pyenv shim (a bash script); the real interpreter is
# resolved first (sys.executable) and preloaded directly, so the shim serves
# Python itself, not a wrapper shell.
#
# Usage: python3.sh /path/to/libmemprof.so [--pythonmalloc=malloc]
#   --pythonmalloc=malloc: PYTHONMALLOC=malloc, so every Python object, not
#   only the big ones and pymalloc's arenas, comes from the shim's malloc.
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
mp_real_init "${1-}"
shift || true
PYMALLOC=
for a in "$@"; do
    case $a in
    --pythonmalloc=*) PYMALLOC=${a#--pythonmalloc=} ;;
    *) echo "python3.sh: unknown argument: $a" >&2; exit 2 ;;
    esac
done
mp_need python3

# Resolve the interpreter through any wrapper (pyenv shims are scripts).
if ! PY=$(env -u PYTHONMALLOC python3 -c 'import sys; print(sys.executable)' 2>"$MP_TMP/resolve.err") || [ -z "$PY" ]; then
    echo "SKIP: python3 is installed but does not run:"
    cat "$MP_TMP/resolve.err"
    exit 77
fi
if [ ! -x "$PY" ]; then
    echo "SKIP: python3 reports sys.executable '$PY', which is not executable"
    exit 77
fi
if [ "$(head -c 4 "$PY" | od -An -c | tr -d ' ')" != '177ELF' ]; then
    echo "note: $PY is not an ELF binary; preloading into it anyway"
fi
echo "python:  $PY ($("$PY" -c 'import sys; print(sys.version.split()[0])'))"

export PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
unset PYTHONSTARTUP PYTHONPATH PYTHONHOME PYTHONMALLOCSTATS PYTHONDEVMODE PYTHONTRACEMALLOC
if [ -n "$PYMALLOC" ]; then
    export PYTHONMALLOC=$PYMALLOC
    echo "PYTHONMALLOC=$PYMALLOC"
else
    unset PYTHONMALLOC
fi
PYTHON3=$(command -v python3)
SMALL='import json, sys
d = {str(i): [i] * (i % 7) for i in range(20000)}
print(json.dumps(sorted(d.items())[-3:]), len(json.dumps(d)), sys.version_info[0])'
WORKLOAD=$(cd -- "$(dirname -- "$0")" && pwd)/python_workload.py

workload() {
    # -s: no user site-packages. The script prints the allocator in use
    # ("malloc" or "pymalloc"), so a PYTHONMALLOC ignored by one run shows.
    mp_step "$PY" -s "$WORKLOAD"
    # And once through whatever "python3" is on PATH (here possibly the
    # pyenv wrapper: bash, pyenv, then the interpreter, all preloaded).
    mp_step "$PYTHON3" -c "$SMALL"
}
mp_compare workload
