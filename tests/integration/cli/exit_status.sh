#!/usr/bin/env bash
# memprof run exits with the program's exit status, exactly, and passes the
# program its arguments untouched.
source "$(dirname "$0")/lib.sh"

# Recording (the default) or not, the status is the program's; without a
# log memprof has nothing to say.
for code in 0 3 42 255; do
    mp run -- bash -c "exit $code"
    expect_status "$code"
    expect_err_has "memprof: log memprof.bash."
    mp run --mode=off -- bash -c "exit $code"
    expect_status "$code"
    expect_err_empty
done

# No '--': options end at the first non-option; the rest belongs to it.
mp run true
expect_status 0
mp run printf '%s|' --stats -h --mode=full -- 'two words' ''
expect_status 0
expect_out "--stats|-h|--mode=full|--|two words||"

# '--' ends memprof's options even before something that looks like one.
mp run --stats -- printf '%s|' --help
expect_status 0
expect_out "--help|"

# PATH search, as execvp does.
mkdir "$TMP/bin"
printf '#!/bin/sh\necho "found on PATH: $*"\nexit 7\n' >"$TMP/bin/mp-test-prog"
chmod +x "$TMP/bin/mp-test-prog"
PATH="$TMP/bin:$PATH" mp run mp-test-prog a b
expect_status 7
expect_out "found on PATH: a b"

# stdin reaches the program.
what="echo hello | memprof run -- cat"
set +e
echo hello | "$MEMPROF" run -- cat >"$TMP/out" 2>"$TMP/err"
status=$?
set -e
expect_status 0
expect_out "hello"

# --stats: the counters come out however the program ends, _exit included
# (it runs no destructors), once, and the status is still the program's.
cd "$TMP"
printf 'import os\nos._exit(3)\n' >"$TMP/exit3.py"
PY=$(python3 -c 'import sys; print(sys.executable)')
mp run --stats -o stats.mpz -- "$PY" "$TMP/exit3.py"
expect_status 3
[ "$(grep -c '^memprof: heap: mapped ' "$TMP/err")" = 1 ] ||
    fail "--stats with _exit: expected the counters once, got: $(cat "$TMP/err")"
mp run --stats -o stats2.mpz -- true
expect_status 0
[ "$(grep -c '^memprof: heap: mapped ' "$TMP/err")" = 1 ] ||
    fail "--stats with exit: expected the counters once, got: $(cat "$TMP/err")"
pass
