#!/usr/bin/env bash
# After `cmake --install` to any prefix, the installed memprof finds the
# installed shim relative to itself: run from another directory, through a
# symlink, and after the whole prefix is moved.
source "$(dirname "$0")/lib.sh"
cmake=$1
build=$2

prefix="$TMP/prefix"
what="cmake --install $build --prefix $prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log" >&2; fail "cmake --install failed"; }

[ -x "$prefix/bin/memprof" ] || fail "no bin/memprof under $prefix"
shim=$(find "$prefix" -name libmemprof.so -type f | head -1)
[ -n "$shim" ] || fail "no libmemprof.so installed under $prefix"

check() { # MEMPROF-PATH EXPECTED-SHIM
    local bin=$1 want=$2
    run_cmd "$bin" run -- bash -c 'echo "$LD_PRELOAD"; grep -F "$LD_PRELOAD" /proc/$$/maps | awk "{print \$6}" | sort -u'
    expect_status 0
    expect_out "$want
$want"
}

mkdir "$TMP/elsewhere"
cd "$TMP/elsewhere"
check "$prefix/bin/memprof" "$(realpath "$shim")"

# Through a symlink in another directory: /proc/self/exe is the real file.
mkdir "$TMP/links"
ln -s "$prefix/bin/memprof" "$TMP/links/memprof"
check "$TMP/links/memprof" "$(realpath "$shim")"
PATH="$TMP/links:$PATH" check memprof "$(realpath "$shim")"

# The prefix moved as a whole: still found, at its new place.
mv "$prefix" "$TMP/moved"
check "$TMP/moved/bin/memprof" "$(realpath "$TMP/moved/${shim#"$prefix/"}")"

# A prefix whose path LD_PRELOAD cannot express (ld.so splits it on spaces
# and colons): a clear refusal, not a program run without the shim.
mv "$TMP/moved" "$TMP/with space"
run_cmd "$TMP/with space/bin/memprof" run -- true
expect_status 1
expect_err_has "contains a ':' or a space, which LD_PRELOAD cannot express"
pass
