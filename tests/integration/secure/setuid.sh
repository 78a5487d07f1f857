#!/usr/bin/env bash
# integration.secure.setuid — the shim does nothing in a setuid or setgid
# program: it does not read MEMPROF_OPTIONS (an environment the caller
# chose), so it records nothing, creates no log, prints nothing (not even
# its own counters or a double free's address) and starts no thread; its
# heap still serves the program as a plain allocator.
#
# How: secure_prog is linked against libmemprof.so (glibc drops LD_PRELOAD
# paths in setuid programs but honours the executable's absolute RPATH).
# As root, copies of it are made setuid to nobody and setgid to nogroup,
# and run as another user (daemon, via setpriv) with
# MEMPROF_OPTIONS=mode=full:stats=1:verbose=1:log=<a writable directory>.
# The same binary without the set-id bits, run the same way, is the
# control: it must record a log, print its counters and report the double
# free — so the secure runs' silence means something.
# Skipped (77) when not root, without setpriv, or when the scratch
# filesystem is mounted nosuid (the kernel then sets no AT_SECURE).
# Usage: setuid.sh MEMPROF SECURE_PROG
set -euo pipefail
MEMPROF=$(readlink -f -- "$1")
PROG=$(readlink -f -- "$2")

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: making a setuid copy owned by another user needs root"
    exit 77
fi
if ! command -v setpriv > /dev/null || ! setpriv --reuid=1 --regid=1 --clear-groups true 2> /dev/null; then
    echo "SKIP: setpriv cannot run a command as another user here"
    exit 77
fi
NOGROUP=$(getent group nogroup | cut -d: -f3 || true)
NOGROUP=${NOGROUP:-65534}
D=$(mktemp -d "${TMPDIR:-/tmp}/memprof-secure.XXXXXX")
trap 'rm -rf -- "$D"' EXIT
chmod 755 "$D"
mkdir "$D/logs"
chmod 1777 "$D/logs"
as_daemon=(setpriv --reuid=1 --regid=1 --clear-groups)
if ! "${as_daemon[@]}" test -r "$PROG" || ! "${as_daemon[@]}" "$PROG" > /dev/null 2> "$D/err"; then
    echo "SKIP: user daemon cannot run $PROG here (a directory on its path or its libmemprof.so is not readable to others): $(head -c 200 "$D/err")"
    exit 77
fi

cp "$PROG" "$D/plain"
cp "$PROG" "$D/suid"
chown 65534 "$D/suid"
chmod 4755 "$D/suid"
cp "$PROG" "$D/sgid"
chgrp "$NOGROUP" "$D/sgid"
chmod 2755 "$D/sgid"

fail=0
FAIL() { echo "FAIL: $*"; fail=1; }

# run NAME: runs $D/NAME as daemon with recording asked for; out/err/status.
run() {
    local st=0
    (cd "$D/logs" && exec env MEMPROF_OPTIONS="mode=full:stats=1:verbose=1:log=$D/logs/$1.mpz" \
        "${as_daemon[@]}" "$D/$1" fork doublefree) > "$D/$1.out" 2> "$D/$1.err" || st=$?
    echo "$st" > "$D/$1.status"
    echo "$1: exit $st: $(cat "$D/$1.out"); $(wc -l < "$D/$1.err") line(s) on stderr;" \
        "logs: $(cd "$D/logs" && ls | grep "^$1" | tr '\n' ' ')"
}

# The control: recording works for this binary and this user.
run plain
grep -Eq '^secure=0 heap=1 mapped=yes threads=([2-9]|[1-9][0-9]+) ' "$D/plain.out" ||
    FAIL "plain: $(cat "$D/plain.out") (want secure=0, memprof's heap, its writer thread)"
[ "$(cat "$D/plain.status")" = 0 ] || FAIL "plain: exit $(cat "$D/plain.status")"
[ -f "$D/logs/plain.mpz" ] || FAIL "plain: no log written: the control does not record"
[ "$(ls "$D/logs" | grep -c '^plain\.mpz\.')" = 1 ] || FAIL "plain: the forked child wrote no log of its own"
grep -q '^memprof: heap: mapped' "$D/plain.err" || FAIL "plain: no counters on stderr (stats=1)"
grep -q '^memprof: double free' "$D/plain.err" || FAIL "plain: the double free was not reported: $(head -c 300 "$D/plain.err")"
if [ -f "$D/logs/plain.mpz" ]; then
    [ "$(stat -c %a "$D/logs/plain.mpz")" = 600 ] || FAIL "plain: the log's mode is $(stat -c %a "$D/logs/plain.mpz")"
    "$MEMPROF" dump "$D/logs/plain.mpz" > /dev/null || FAIL "plain: the log does not decode"
fi

for kind in suid sgid; do
    run "$kind"
    if grep -q '^secure=0 ' "$D/$kind.out"; then
        echo "SKIP: the $kind copy runs without AT_SECURE: $D is on a filesystem mounted nosuid"
        exit 77
    fi
    grep -q '^secure=1 heap=1 mapped=yes threads=1 ' "$D/$kind.out" ||
        FAIL "$kind: $(cat "$D/$kind.out") (want secure=1, memprof's heap serving, no thread of memprof's)"
    [ "$(cat "$D/$kind.status")" = 0 ] || FAIL "$kind: exit $(cat "$D/$kind.status")"
    [ ! -s "$D/$kind.err" ] || FAIL "$kind: the shim wrote on stderr: $(head -c 300 "$D/$kind.err")"
    if ls "$D/logs" | grep -q "^$kind"; then
        FAIL "$kind: a log was created: $(ls -l "$D/logs")"
    fi
done
[ $fail = 0 ] && echo "PASS: inert in setuid and setgid programs; the control recorded"
exit $fail
