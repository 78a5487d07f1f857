# integration.record.dlopen_attrib: a program dlopens librec_dlib.so, calls
# a function in it that allocates N blocks it never frees, dlcloses it and
# exits — with no pause. The log must name the library in a MODULE record
# (its exact path) and in a MODULE_GONE, and the N leaked blocks must be
# attributable after the library is gone: their stacks lie in that
# module's executable segments as the MODULE record gives them (bias +
# vaddr), they were allocated before the MODULE_GONE's ts (checklog fails
# otherwise), and their innermost frame is inside dlib_leak itself.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"
LIB=${EXTRA[0]}
[[ -e $LIB ]] || rec_fail "no library $LIB"

N=37
out=$(rec_run mode=full:log=$T/x.mpz "$BINDIR/dlopen_attrib" "$LIB" "$T/ranges" $N)
[[ $out == unloaded ]] || rec_fail "dlopen_attrib printed '$out'"

rec_check x.mpz --ranges ranges --module-range dlib=librec_dlib
c=x.mpz.check
mods=$(grep -c "^module id=[0-9]* gone=[01] path=$LIB\$" $c || true)
[[ $mods == 1 ]] || rec_fail "expected one MODULE record with path=$LIB, found $mods: $(grep '^module' $c)"
grep -q "^module id=[0-9]* gone=1 path=$LIB\$" $c ||
    rec_fail "no MODULE_GONE for $LIB: $(grep "path=$LIB" $c)"
rec_expect $c "range dlib" allocs $N
rec_expect $c "range dlib" live_blocks $N
rec_expect $c "range dlib" live_bytes $((N * 48))
[[ $(rec_val $c "range dlib" gone_ts) != none ]] || rec_fail "the module has no gone_ts"
rec_expect $c "range dlib_fn" allocs $N
rec_expect $c "range dlib_fn" top $N
rec_expect $c end reason 0
rec_dump x.mpz || rec_fail "memprof dump exited $?: $(cat x.mpz.dump.err)"
echo "ok: dlopen_attrib"
