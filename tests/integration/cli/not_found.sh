#!/usr/bin/env bash
# A program that cannot be run: 127 if it does not exist, 126 if it exists
# but cannot be executed, as a shell does, with a message naming it.
source "$(dirname "$0")/lib.sh"

mp run -- memprof-no-such-command-xyz
expect_status 127
expect_err_line "memprof: cannot run 'memprof-no-such-command-xyz': No such file or directory"
[ ! -s "$TMP/out" ] || fail "nothing should be printed on stdout"

mp run -- "$TMP/missing/prog"
expect_status 127
expect_err_line "memprof: cannot run '$TMP/missing/prog': No such file or directory"

printf 'not a program\n' >"$TMP/data.txt"
chmod -x "$TMP/data.txt"
mp run -- "$TMP/data.txt"
expect_status 126
expect_err_line "memprof: cannot run '$TMP/data.txt': Permission denied"

mkdir "$TMP/dir"
mp run -- "$TMP/dir"
expect_status 126
expect_err_line "memprof: cannot run '$TMP/dir': Permission denied"
pass
