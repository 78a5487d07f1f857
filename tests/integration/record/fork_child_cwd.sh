# integration.record.fork_child_cwd: as fork_child, but the program runs in
# a directory where nothing can be created (/proc), with log= naming a file
# in a writable one — a daemon that chdir'ed to / or a service started in
# a read-only directory. The child's log must still exist: docs/recording.md
# says a forked child inherits log= and gets <log>.<pid>, next to its
# parent's log, and that is the only place it can be here.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"
[[ -d /proc/self ]] || rec_skip "no /proc to use as an unwritable directory"

out=$(cd /proc && env LD_PRELOAD="$SHIM" MEMPROF_OPTIONS=mode=full:log=$T/x.mpz \
        "$BINDIR/fork_child" "$T/ranges" 2> "$T/err")
[[ $out =~ ^parent=([0-9]+)\ child=([0-9]+)$ ]] || rec_fail "fork_child printed '$out'"
cpid=${BASH_REMATCH[2]}
rec_check x.mpz --ranges ranges
[[ -e x.mpz.$cpid ]] ||
    rec_fail "no log x.mpz.$cpid for the child (in $T: $(ls | tr '\n' ' ')); stderr: $(cat err)"
rec_check x.mpz.$cpid --ranges ranges
rec_expect x.mpz.$cpid.check process pid $cpid
rec_expect x.mpz.$cpid.check "range child_work" allocs 30
echo "ok: fork_child_cwd"
