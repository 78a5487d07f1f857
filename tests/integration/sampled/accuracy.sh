# integration.sampled.accuracy: sampled mode's per-stack estimates against
# the truth, end to end (shim → log → replay), on sample_workload's 2.3·10⁶
# allocations (see sample_workload.c and sampled_check.c for the numbers
# and the confidence).
#
#     bash accuracy.sh SHIM SAMPLED_CHECK SAMPLE_WORKLOAD
#
# 1. full mode: the replay must attribute to each function exactly what it
#    did (allocations, bytes, frees, blocks and bytes live at the end) — so
#    that in step 2 an attribution mistake cannot pass for sampling noise;
# 2. sampled mode, T = 512 KiB: bytes and counts per function within 6σ of
#    the truth, and within 5% for the functions whose 5% is at least 6σ;
# 3. the heap's own counters are not sampled: the live objects at the last
#    SNAPSHOT (small and large together; a sampled small block has a span
#    of its own, so the split differs) are the same in both runs.
set -euo pipefail
SHIM=$1 CHECK=$2 PROG=$3
for f in "$SHIM" "$CHECK" "$PROG"; do
    [[ -e $f ]] || { echo "FAIL: $f does not exist"; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/mp-sampled.XXXXXX")
trap 'rc=$?; if [[ $rc == 0 ]]; then rm -rf "$T"; else echo "(files kept in $T)"; fi' EXIT
cd "$T"
INTERVAL=524288

fail() {
    echo "FAIL: $*"
    exit 1
}

# run MODE_OPTIONS NAME: the workload with the shim; NAME.mpz, NAME.truth.
run() {
    local out
    out=$(env LD_PRELOAD="$SHIM" MEMPROF_OPTIONS="$1:log=$T/$2.mpz" \
          "$PROG" "$INTERVAL" "$T/$2.truth")
    [[ $out == done ]] || fail "sample_workload ($2) printed '$out'"
    [[ -s $2.mpz ]] || fail "no log $2.mpz"
}

# check exact|sampled NAME: mp_sampled_check's table on stdout, its output
# kept in NAME.check.
check() {
    local rc=0
    "$CHECK" "$1" "$2.truth" "$2.mpz" > "$2.check" 2>&1 || rc=$?
    cat "$2.check"
    [[ $rc == 0 ]] || fail "mp_sampled_check $1 exited $rc"
}

start=$SECONDS
run mode=full full
echo "== full mode ($((SECONDS - start)) s so far)"
check exact full

run mode=full:sample=$INTERVAL sampled
echo "== sampled mode, sample=$INTERVAL ($((SECONDS - start)) s so far)"
check sampled sampled

f=$(grep -m1 '^heap ' full.check) || fail "no heap line for full mode"
s=$(grep -m1 '^heap ' sampled.check) || fail "no heap line for sampled mode"
[[ ${f%% *} == heap && $f =~ live_objects=([0-9]+) ]] && fo=${BASH_REMATCH[1]}
[[ $s =~ live_objects=([0-9]+) ]] && so=${BASH_REMATCH[1]}
[[ -n ${fo:-} && -n ${so:-} ]] || fail "no live_objects= in '$f' / '$s'"
[[ $fo == "$so" ]] || fail "live objects at the last SNAPSHOT: $fo in full mode, $so sampled"
echo "ok: the heap's live objects at the last SNAPSHOT: $fo in both modes"
echo "ok: sampled accuracy ($((SECONDS - start)) s)"
