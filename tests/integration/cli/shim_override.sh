#!/usr/bin/env bash
# MEMPROF_SHIM chooses the shim; a missing shim is an error that names
# every path tried.
source "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/alt"
cp "$SHIM" "$TMP/alt/libmemprof.so"

MEMPROF_SHIM="$TMP/alt/libmemprof.so" mp run -- bash -c 'echo "$LD_PRELOAD"; grep -c "$LD_PRELOAD" /proc/$$/maps >/dev/null && echo mapped'
expect_status 0
expect_out "$TMP/alt/libmemprof.so
mapped"

# A relative MEMPROF_SHIM is made absolute (the program may chdir).
(cd "$TMP" && MEMPROF_SHIM=alt/libmemprof.so mp run -- bash -c 'echo "$LD_PRELOAD"' &&
    expect_status 0 && expect_out "$TMP/alt/libmemprof.so")

# A wrong MEMPROF_SHIM is an error, not a silent fallback.
MEMPROF_SHIM="$TMP/nope/libmemprof.so" mp run -- true
expect_status 1
expect_err_line "memprof: cannot find the shim libmemprof.so; tried:"
expect_err_line "  $TMP/nope/libmemprof.so (from MEMPROF_SHIM) (No such file or directory)"
expect_err_has "MEMPROF_SHIM"

MEMPROF_SHIM="$TMP/alt" mp run -- true
expect_status 1
expect_err_line "  $TMP/alt (from MEMPROF_SHIM) (Is a directory)"

printf 'not a library\n' >"$TMP/alt/fake.so"
MEMPROF_SHIM="$TMP/alt/fake.so" mp run -- true
expect_status 1
expect_err_line "  $TMP/alt/fake.so (from MEMPROF_SHIM) (Exec format error)"

# Empty MEMPROF_SHIM means unset.
MEMPROF_SHIM= mp run -- bash -c 'echo "$LD_PRELOAD"'
expect_status 0
expect_out "$SHIM"

# memprof copied somewhere without its lib directory: names what it tried.
mkdir -p "$TMP/lonely/bin"
cp "$MEMPROF" "$TMP/lonely/bin/memprof"
run_cmd "$TMP/lonely/bin/memprof" run -- true
expect_status 1
expect_err_line "memprof: cannot find the shim libmemprof.so; tried:"
grep -Eq "^  $TMP/lonely/bin/[^ ]*libmemprof.so \(No such file or directory\)$" "$TMP/err" ||
    fail "the error does not name the path tried next to the copied binary"

# ...and works again once the shim is where it looks (bin/../lib here; the
# build tree's layout).
mkdir -p "$TMP/lonely/lib"
cp "$SHIM" "$TMP/lonely/lib/libmemprof.so"
run_cmd "$TMP/lonely/bin/memprof" run -- bash -c 'echo "$LD_PRELOAD"'
expect_status 0
expect_out "$TMP/lonely/lib/libmemprof.so"
pass
