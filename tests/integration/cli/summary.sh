#!/usr/bin/env bash
# After the program ends, memprof run says on stderr where the log is, its
# size, how many events it holds — the same number memprof dump counts —
# and how to read it; a log cut short says so; no log is reported as such;
# --mode=off writes no log and says nothing.
source "$(dirname "$0")/lib.sh"
example=$1

# A real program with a lot of events: the count is END's, and dump agrees.
mp run -o churn.mpz -- "$example"
expect_status 0
expect_out_has "example_churn: churned 200000 short-lived strings"
grep -Eq '^memprof: log churn\.mpz: [0-9.]+ (KiB|MiB), [0-9]+ events \([0-9.]+ bytes/event\), [0-9.]+ s$' "$TMP/err" ||
    fail "the summary line is not 'memprof: log churn.mpz: SIZE, N events (B bytes/event), T s'"
n=$(summary_events)
[ "$n" -gt 100000 ] || fail "example_churn's log holds only $n events"
d=$(dump_events churn.mpz)
[ "$n" = "$d" ] || fail "memprof run counted $n events, memprof dump $d"
grep -q '^END .* events='"$n"'$' "$TMP/dump" || fail "the END record does not say events=$n"

# The size is the file's, in the unit shown.
size=$(stat -c %s churn.mpz)
shown=$(sed -n 's/^memprof: log churn\.mpz: \([0-9.]*\) \(KiB\|MiB\),.*/\1 \2/p' "$TMP/err")
want=$(awk -v s="$size" 'BEGIN { if (s < 1048576) printf "%.1f KiB", s / 1024; else printf "%.1f MiB", s / 1048576 }')
[ "$shown" = "$want" ] || fail "the size shown is $shown, the file's is $want ($size bytes)"

# The command it names reads the log.
expect_err_line "memprof: read it with: $MEMPROF report churn.mpz"
"$MEMPROF" report churn.mpz >/dev/null || fail "'memprof report churn.mpz' failed"

# memprof found on PATH is named as "memprof", so the line can be pasted.
mkdir bin
ln -s "$MEMPROF" bin/memprof
PATH="$TMP/bin:$PATH" run_cmd memprof run -o path.mpz -- true
expect_status 0
expect_err_line "memprof: read it with: memprof report path.mpz"

# Killed before the end: no END record; the BATCH events are counted, and
# dump counts the same. The loop allocates; the sleep lets the writer
# (every 20 ms) flush them before the kill.
mp run -o killed.mpz -- bash -c 'for i in $(seq 3000); do x="$x.$i"; done; sleep 0.3; kill -KILL $$'
expect_status 137
expect_err_line "memprof: bash killed by signal 9 (SIGKILL)"
expect_err_has "(log cut short: no END record)"
n=$(summary_events)
d=$(dump_events killed.mpz)
[ "$n" = "$d" ] || fail "memprof run counted $n events in a cut log, memprof dump $d"
[ "$n" -gt 0 ] || fail "no events were flushed before the kill"
# The report comes before memprof dies the same death.
[ "$(grep -n 'killed by signal' "$TMP/err" | cut -d: -f1)" -lt "$(grep -n '^memprof: log ' "$TMP/err" | cut -d: -f1)" ] ||
    fail "the log summary should follow the 'killed by signal' line"

# The log disappeared (here the program removed it): said clearly, and
# the exit status is still the program's.
mp run -- bash -c 'rm -f memprof.bash.$$.mpz; exit 3'
expect_status 3
grep -Eq '^memprof: no log was written to memprof\.bash\.[0-9]+\.mpz: the shim did not record' "$TMP/err" ||
    fail "a missing log is not reported"
expect_err_lacks "read it with"

# The program never started: no log, and the shell's status.
mp run -- memprof-no-such-command-xyz
expect_status 127
expect_err_line "memprof: cannot run 'memprof-no-such-command-xyz': No such file or directory"
expect_err_line "memprof: no log was written: the program did not start"
[ -z "$(ls | grep 'memprof-no-such')" ] || fail "a log was written for a program that never ran"

# --mode=off: the allocator only, no log, nothing said.
mkdir off
cd off
mp run --mode=off -- bash -c 'echo $(seq 100) >/dev/null; (echo sub)'
expect_status 0
expect_err_empty
[ -z "$(ls)" ] || fail "--mode=off wrote: $(ls)"
cd "$TMP"

# MEMPROF_OPTIONS=mode=off without a flag: the same.
mkdir off2
cd off2
MEMPROF_OPTIONS=mode=off mp run -- true
expect_status 0
expect_err_empty
[ -z "$(ls)" ] || fail "mode=off in MEMPROF_OPTIONS wrote: $(ls)"
pass
