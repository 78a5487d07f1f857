# lib.sh — what the `memprof check` test scripts share (sourced after they
# set MEMPROF and NAME): a scratch directory that is kept when the test
# fails, fail, and check.

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-$NAME-test.XXXXXX")
trap 'rc=$?; if [ $rc = 0 ]; then rm -rf "$TMP"; else echo "(files kept in $TMP)"; fi' EXIT
cd "$TMP"

# fail MESSAGE: says why, shows the last command's out and err, exits 1.
fail() {
    echo "FAIL: $*" >&2
    for f in out err; do [ -f $f ] && { echo "--- $f"; cat $f; } >&2; done
    exit 1
}

# check EXPECTED ARGS...: memprof check ARGS... > out 2> err, exits EXPECTED.
check() {
    local want=$1 status=0
    shift
    "$MEMPROF" check "$@" >out 2>err || status=$?
    [ "$status" = "$want" ] || fail "memprof check $* exited $status, expected $want"
}
