# integration.static.warning: `memprof run` on a statically linked program
# (docs/recording.md, "What is not seen"; cli/run_static.h). The shim is
# never loaded into such a program, so memprof must say so — one line,
# before the program runs — then run it anyway, pass its exit status (or
# its death by signal) through, print no log summary, and leave no log.
# Dynamically linked programs, scripts and the dynamic loader run directly
# are unaffected.
#
#     bash static.sh MEMPROF SHIM CC
#
# The static program is built here with CC -static, which needs the libc's
# static archive (libc.a: Debian's libc6-dev): if that link fails the test
# says so and is skipped (exit 77). static-pie and `ld.so PROGRAM` are
# checked when the toolchain can build / readelf can name them.
source "$(dirname "$0")/../cli/lib.sh"
CC=$1
SRC=$(dirname "$0")/static_prog.c

mkdir -p "$TMP/bin"
if ! "$CC" -static -o "$TMP/bin/static_prog" "$SRC" 2>"$TMP/cc.err"; then
    echo "SKIP: cannot link a static program here ($CC -static failed; libc.a missing?):"
    sed 's/^/    | /' "$TMP/cc.err"
    exit 77
fi
"$CC" -o "$TMP/bin/dynamic_prog" "$SRC" || fail "cannot build the dynamic program"

warning() {
    echo "memprof: $1 is statically linked: the preloaded shim cannot see its allocations; no log will be written"
}

# no_logs: the run left no log in the current directory.
no_logs() {
    local logs
    logs=$(ls -A | grep '\.mpz' || true)
    [ -z "$logs" ] || fail "a log was written: $logs"
}

# expect_static_run CMD STATUS: stdout is the program's, stderr exactly the
# warning naming CMD (as given), nothing else; no log.
expect_static_run() {
    expect_status "$2"
    expect_out "ran"
    [ "$(cat "$TMP/err")" = "$(warning "$1")" ] ||
        fail "expected stderr to be exactly the one warning line for $1"
    no_logs
}

# A path, exit status 3 passed through.
mp run -- "$TMP/bin/static_prog" 3
expect_static_run "$TMP/bin/static_prog" 3

# Found on PATH, named as given; status 0.
PATH="$TMP/bin:$PATH" mp run static_prog 0
expect_static_run static_prog 0

# A relative path; sampled mode; -o: the chosen log is not created either.
mkdir sub
cd sub
mp run --sample=64k -o chosen.mpz -- ../bin/static_prog 42
expect_static_run ../bin/static_prog 42
[ ! -e chosen.mpz ] || fail "-o chosen.mpz was created"
cd ..

# Death by signal is passed through as usual, after the one warning.
mp run -- "$TMP/bin/static_prog" signal
expect_status 143
expect_err_line "$(warning "$TMP/bin/static_prog")"
expect_err_line "memprof: $TMP/bin/static_prog killed by signal 15 (SIGTERM)"
[ "$(grep -c 'memprof:' "$TMP/err")" = 2 ] || fail "expected exactly two memprof: lines"
no_logs

# --mode=off writes no log anyway: nothing to warn about.
mp run --mode=off -- "$TMP/bin/static_prog" 0
expect_status 0
expect_err_empty

# static-pie (ET_DYN, no PT_INTERP), when the toolchain can link one.
if "$CC" -static-pie -o "$TMP/bin/static_pie" "$SRC" 2>/dev/null; then
    mp run -- "$TMP/bin/static_pie" 5
    expect_static_run "$TMP/bin/static_pie" 5
else
    echo "note: $CC -static-pie failed: static-pie not checked"
fi

# A dynamically linked program: recorded, summary, no warning.
mp run -- "$TMP/bin/dynamic_prog" 4
expect_status 4
expect_err_lacks "statically linked"
expect_err_has "memprof: log memprof.dynamic_prog."
rm -f memprof.*.mpz

# A script (its interpreter is dynamic): no warning, a log.
printf '#!/bin/sh\nexit 6\n' > "$TMP/bin/script.sh"
chmod +x "$TMP/bin/script.sh"
mp run -- "$TMP/bin/script.sh"
expect_status 6
expect_err_lacks "statically linked"
expect_err_has "memprof: log memprof.script.sh."
rm -f memprof.*.mpz

# The dynamic loader run directly has no PT_INTERP either, but it is a
# shared object (DT_SONAME) that reads LD_PRELOAD: no warning, a log.
interp=$(readelf -l "$TMP/bin/dynamic_prog" 2>/dev/null |
         sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p' || true)
if [ -n "$interp" ] && [ -x "$interp" ]; then
    mp run -- "$interp" "$TMP/bin/dynamic_prog" 8
    expect_status 8
    expect_out "ran"
    expect_err_lacks "statically linked"
    expect_err_has "memprof: log memprof."
    rm -f memprof.*.mpz
else
    echo "note: no readelf or no interpreter found: 'ld.so PROGRAM' not checked"
fi
pass
