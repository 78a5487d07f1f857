#!/usr/bin/env bash
# --help and --version: on stdout, exit 0, every option and command listed.
source "$(dirname "$0")/lib.sh"
version=$1

mp --version
expect_status 0
expect_out "memprof $version"

for args in "--help" "-h" "help"; do
    mp $args
    expect_status 0
    expect_out_has "Usage: memprof COMMAND"
    grep -Eq '^  run +' "$TMP/out" || fail "'memprof $args' does not list the run command"
    grep -Eq '^  help +' "$TMP/out" || fail "'memprof $args' does not list the help command"
    expect_out_has "--version"
done

for args in "run --help" "run -h" "help run" "run --stats --help"; do
    mp $args
    expect_status 0
    expect_err_empty
    expect_out_has "Usage: memprof run [options] [--] command [args...]"
    for opt in '-o, --output=FILE' '--mode=MODE' '--depth=N' '--sample=SIZE' \
               '--no-follow-fork' '--no-follow-exec' '--stats' '--scavenge-delay=MS' \
               '-h, --help'; do
        grep -Eq -- "^  $opt +[a-z]" "$TMP/out" ||
            fail "'memprof $args' has no help line for $opt"
    done
    for mode in off full sample; do
        grep -Eq -- "^  $mode +[a-z]" "$TMP/out" ||
            fail "'memprof $args' does not describe mode $mode"
    done
    expect_out_has "Modes (default: full):"
    expect_out_has "memprof.<command>.<pid>.mpz"
    ! grep -q "not available yet" "$TMP/out" ||
        fail "'memprof $args' lists a mode as not available"
done

# A failed write of the help is an error, not silence.
if [ -w /dev/full ]; then
    set +e
    "$MEMPROF" --help >/dev/full 2>"$TMP/err"
    status=$?
    set -e
    [ "$status" -ne 0 ] || fail "memprof --help >/dev/full should fail"
fi
pass
