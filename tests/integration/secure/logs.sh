#!/usr/bin/env bash
# integration.secure.logs — how the shim itself creates logs (memprof run
# checks -o before it starts anything: tests/integration/cli/output.sh;
# this is the shim's own open, which also serves LD_PRELOAD users, forked
# children and a file planted between memprof's check and the open):
#   - O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600 whatever the umask (000 here),
#     for the log and a forked child's <log>.<pid>;
#   - a symlink planted at the log path, dangling or not, is never followed:
#     its target is untouched / not created, the log goes to <log>.<pid>;
#   - an existing file is never overwritten: the same;
#   - a path through a symlinked directory: the kernel resolves the
#     directories, the log is created in the directory they lead to;
#   - and nowhere else: after each case the scratch directory holds exactly
#     the files expected.
# secure_prog is linked against libmemprof.so; MEMPROF_OPTIONS asks it to
# record (mode=full:log=PATH).
# Usage: logs.sh MEMPROF SECURE_PROG
set -euo pipefail
MEMPROF=$(readlink -f -- "$1")
PROG=$(readlink -f -- "$2")
D=$(mktemp -d "${TMPDIR:-/tmp}/memprof-logs.XXXXXX")
trap 'rm -rf -- "$D"' EXIT
cd "$D"
unset LD_PRELOAD MEMPROF_OPTIONS
fail=0
FAIL() { echo "FAIL: $*"; fail=1; }

# rec LOG [ARGS]: run secure_prog recording into LOG with umask 000; sets PID.
rec() {
    local log=$1
    shift
    (umask 000 && MEMPROF_OPTIONS="mode=full:log=$log" exec "$PROG" "$@") > out 2> err ||
        FAIL "secure_prog exited $?: $(head -c 300 err)"
    PID=$(sed -n 's/.* pid=\([0-9]*\)$/\1/p' out)
    [ -n "$PID" ] || FAIL "secure_prog printed no pid: $(cat out)"
}

# is_log FILE: a log of mode 0600 that decodes.
is_log() {
    if [ ! -f "$1" ] || [ -L "$1" ]; then
        FAIL "$1: no log there"
        return
    fi
    [ "$(stat -c %a "$1")" = 600 ] || FAIL "$1: mode $(stat -c %a "$1"), want 600 (umask 000)"
    "$MEMPROF" dump "$1" > /dev/null 2> dump.err || FAIL "$1 does not decode: $(head -c 200 dump.err)"
}

# only FILE...: the scratch directory holds exactly these (and out, err).
only() {
    local want have
    want=$(printf '%s\n' "$@" dump.err err out | sort -u)
    have=$(find . -mindepth 1 \( -type f -o -type l \) | sed 's|^\./||' | sort)
    [ "$have" = "$want" ] || FAIL "expected exactly: $(echo $want); found: $(echo $have)"
}

echo "-- umask 000: the log and a forked child's, mode 0600"
rec "$D/a.mpz" fork
is_log a.mpz
child=$(ls | grep '^a\.mpz\.' || true)
[ "$(echo "$child" | wc -w)" = 1 ] || FAIL "expected one child log a.mpz.<pid>, found: $child"
[ -n "$child" ] && is_log "$child"
only a.mpz $child
rm -f a.mpz*

echo "-- a symlink planted at the log path"
echo target > target
touch -d '2001-01-01 00:00:00' target
ln -s target b.mpz
rec "$D/b.mpz"
[ "$(cat target)" = target ] || FAIL "the symlink's target was written"
[ "$(stat -c %Y target)" = "$(date -d '2001-01-01 00:00:00' +%s)" ] || FAIL "the symlink's target was touched"
[ -L b.mpz ] || FAIL "the symlink was replaced"
is_log "b.mpz.$PID"
only target b.mpz "b.mpz.$PID"
rm -f b.mpz* target

echo "-- a dangling symlink at the log path"
ln -s nowhere c.mpz
rec "$D/c.mpz"
[ ! -e nowhere ] || FAIL "the dangling symlink's target was created"
is_log "c.mpz.$PID"
only c.mpz "c.mpz.$PID"
rm -f c.mpz*

echo "-- an existing file at the log path"
echo precious > d.mpz
chmod 644 d.mpz
rec "$D/d.mpz"
[ "$(cat d.mpz)" = precious ] || FAIL "the existing file was overwritten"
[ "$(stat -c %a d.mpz)" = 644 ] || FAIL "the existing file's mode changed"
is_log "d.mpz.$PID"
only d.mpz "d.mpz.$PID"
rm -f d.mpz*

echo "-- a path through a symlinked directory"
mkdir realdir
ln -s realdir linkdir
rec "$D/linkdir/e.mpz"
is_log realdir/e.mpz
only linkdir realdir/e.mpz
rm -rf realdir linkdir

[ $fail = 0 ] && echo "PASS: logs created new, never through a final symlink, never over a file, mode 0600"
exit $fail
