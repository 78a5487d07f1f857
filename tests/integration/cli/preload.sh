#!/usr/bin/env bash
# The shim is really loaded into the program: LD_PRELOAD names it by its
# absolute path, first, and the program's own memory map contains it.
source "$(dirname "$0")/lib.sh"

# bash is the program; $$ is its own pid, so these read its own map.
mp run -- bash -c 'echo "$LD_PRELOAD"'
expect_status 0
expect_out "$SHIM"

mp run -- bash -c 'grep -F -- "$(echo "$LD_PRELOAD" | cut -d: -f1)" /proc/$$/maps | awk "{print \$6}" | sort -u'
expect_status 0
expect_out "$SHIM"

# Also from another directory, with a relative command path.
mkdir "$TMP/work"
cp "$(type -P true)" "$TMP/work/mytrue"
(cd "$TMP/work" && mp run ./mytrue; expect_status 0)

# An existing LD_PRELOAD is kept, after the shim (ld.so may warn that the
# made-up library cannot be loaded; that is on stderr and harmless).
LD_PRELOAD=/nonexistent/libother.so mp run -- bash -c 'echo "$LD_PRELOAD"'
expect_status 0
expect_out "$SHIM:/nonexistent/libother.so"

LD_PRELOAD= mp run -- bash -c 'echo "$LD_PRELOAD"'
expect_status 0
expect_out "$SHIM"

# Grandchildren inherit it: the path is absolute and survives a chdir.
mp run -- bash -c 'cd / && bash -c "grep -c libmemprof /proc/\$\$/maps"'
expect_status 0
[ "$(cat "$TMP/out")" -ge 1 ] || fail "a grandchild in / does not map the shim"
pass
