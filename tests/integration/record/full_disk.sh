# integration.record.full_disk: the log cannot be written past a point
# (RLIMIT_FSIZE, as on a full disk). docs/recording.md: recording stops with
# one "memprof:" message and the program runs on, unharmed. alloc_lot's
# stdout and exit status must equal a plain run's, its stderr must be the
# plain run's plus exactly one "memprof:" line, about the log, and the log
# must still decode up to where it stopped. Three places for the limit:
#   mid-run   ulimit -f 64: the writer thread hits it while the program runs
#   at start  ulimit -f 0: the very first write (the file header, written
#             while the shim starts, before main)
#   at exit   alloc_lot tail lowers its own limit just above the log's size,
#             then makes a burst of events and exits: the last flush, made
#             at exit on the program's own thread, is the write that fails
source "$(dirname "$0")/lib.sh"
rec_setup "$@"
P=$BINDIR/alloc_lot

prc=0
"$P" > plain.out 2> plain.err || prc=$?
[[ $prc == 3 ]] || rec_fail "plain alloc_lot exited $prc"

# limited NAME ULIMIT_F [ARGS...]: runs alloc_lot with the shim under
# ulimit -f ULIMIT_F (or none: "-") into NAME.mpz and compares with the
# plain run.
limited() {
    local name=$1 lim=$2
    shift 2
    # The limit applies to every file the process writes, so its stdout and
    # stderr go through pipes to cat, which runs without it.
    { (
        [[ $lim == - ]] || ulimit -f "$lim"
        exec env LD_PRELOAD="$SHIM" MEMPROF_OPTIONS=mode=full:flush_ms=100:log=$T/$name.mpz \
            "$P" "$@"
    ) 2>&1 1>&3 3>&- | cat > $name.err; echo "${PIPESTATUS[0]}" > $name.rc; } 3>&1 | cat > $name.out
    local rc
    rc=$(cat $name.rc)
    [[ $rc == "$prc" ]] ||
        rec_fail "$name: alloc_lot exited $rc, the plain run $prc (153 is SIGXFSZ); stderr: $(cat $name.err)"
    cmp -s plain.out $name.out || rec_fail "$name: stdout differs from the plain run's: $(diff plain.out $name.out)"
    grep -v '^memprof:' $name.err > $name.err.prog || true
    cmp -s plain.err $name.err.prog || rec_fail "$name: stderr differs: $(diff plain.err $name.err.prog)"
    local n
    n=$(grep -c '^memprof:' $name.err || true)
    [[ $n == 1 ]] || rec_fail "$name: $n 'memprof:' lines on stderr, expected one: $(cat $name.err)"
    grep '^memprof:' $name.err | grep -q "$T/$name.mpz" ||
        rec_fail "$name: the memprof: line does not name the log: $(grep '^memprof:' $name.err)"
}

# Each case runs in a subshell so that all three are reported; the test
# fails if any does. (set -e does not apply inside them: every check there
# ends in rec_fail.)
failed=()
(
    limited midrun 64
    size=$(stat -c %s midrun.mpz)
    (( size <= 64 * 1024 )) || rec_fail "midrun.mpz is $size bytes, above the limit"
    rec_check midrun.mpz --allow-cut # (its first chunk of events may be the one cut)
) || failed+=(mid-run)
( limited atstart 0 ) || failed+=(at-start)
(
    limited atexit - tail
    rec_check atexit.mpz --allow-cut
) || failed+=(at-exit)
(( ${#failed[@]} == 0 )) || rec_fail "full_disk: failed with the limit hit ${failed[*]}"
echo "ok: full_disk"
