#!/usr/bin/env bash
# integration.secure.hostile_paths — the symbolizer opens the module paths a
# log names (and debug files found from them) only when they are regular
# files: a log is anyone's, and opening a FIFO blocks for ever, a device may
# act on open. A log of secure_prog is recorded, then the executable's path
# is replaced by a FIFO, by a symlink to a FIFO and by a symlink to
# /dev/zero: memprof report must finish (it used to block on the FIFO)
# and say the module could not be read.
# Usage: hostile_paths.sh MEMPROF SECURE_PROG
set -euo pipefail
MEMPROF=$(readlink -f -- "$1")
PROG=$(readlink -f -- "$2")
D=$(mktemp -d "${TMPDIR:-/tmp}/memprof-paths.XXXXXX")
trap 'rm -rf -- "$D"' EXIT
cd "$D"
unset LD_PRELOAD MEMPROF_OPTIONS
fail=0
FAIL() { echo "FAIL: $*"; fail=1; }

cp "$PROG" prog
MEMPROF_OPTIONS="mode=full:log=$D/prog.mpz" ./prog > /dev/null
"$MEMPROF" report prog.mpz > before.txt || FAIL "memprof report of the intact log failed"

for kind in fifo fifo_link dev_zero; do
    rm -f prog fifo
    case $kind in
    fifo) mkfifo prog ;;
    fifo_link) mkfifo fifo && ln -s fifo prog ;;
    dev_zero) ln -s /dev/zero prog ;;
    esac
    st=0
    timeout 20 "$MEMPROF" report prog.mpz > "$kind.txt" 2> "$kind.err" || st=$?
    if [ $st = 124 ]; then
        FAIL "$kind: memprof report blocked opening $D/prog (killed after 20 s)"
    elif [ $st != 0 ]; then
        FAIL "$kind: memprof report exited $st: $(head -c 300 "$kind.err")"
    elif ! grep -q "$D/prog: .*not an ELF file" "$kind.txt"; then
        FAIL "$kind: the report does not say $D/prog could not be read: $(grep -A3 '^Symbols' "$kind.txt")"
    else
        echo "$kind: $(grep "$D/prog: " "$kind.txt" | head -n 1)"
    fi
done
[ $fail = 0 ] && echo "PASS: no module path from the log opened unless it is a regular file"
exit $fail
