# integration.record.checklog: the checker itself, on synthetic logs that
# mkbad.c writes through the real encoder: it must pass a right log whose
# order only a watermark merge and the tie rule get right (with the exact
# totals), and fail each wrong one with the matching message. A checker
# that passes everything would make every other integration.record test
# worthless.
source "$(dirname "$0")/lib.sh"
rec_setup "$@"
MKBAD=$BINDIR/mkbad

"$MKBAD" good good.mpz
rec_check good.mpz --module-range mod=libmod
c=good.mpz.check
rec_expect $c totals allocs 5
rec_expect $c totals frees 3
rec_expect $c totals reallocs 2
rec_expect $c totals unknown_frees 1
rec_expect $c totals unknown_realloc_olds 1
rec_expect $c totals live_blocks 3
rec_expect $c totals xthread_reused 1
rec_expect $c "range mod" live_blocks 1
rec_expect $c "range mod" gone_ts 90
rec_expect $c end events 11

# expect_fail SCENARIO PATTERN [CHECKLOG OPTIONS...]: checklog exits 1 and
# says PATTERN.
expect_fail() {
    local s=$1 pat=$2
    shift 2
    "$MKBAD" "$s" "$s.mpz"
    local rc=0
    "$CHECKLOG" "$@" "$s.mpz" > "$s.out" 2> "$s.err" || rc=$?
    [[ $rc == 1 ]] || rec_fail "$s: checklog exited $rc, expected 1: $(cat "$s.err")"
    grep -q "FAIL: .*$pat" "$s.err" || rec_fail "$s: no failure matching '$pat': $(cat "$s.err")"
}

expect_fail no_end "no END record"
"$MKBAD" no_end no_end.mpz
rec_check no_end.mpz --allow-cut
expect_fail free_before_alloc "FREE at ts 10 by tid 2 frees 0x10000, which is not live"
expect_fail double_alloc "ALLOC at ts 20 by tid 2 allocates 0x10000, which is already live"
expect_fail double_free "FREE at ts 30 by tid 1 frees 0x10000, which is not live"
expect_fail tie_double_alloc "allocates 0x10000, which is already live"
expect_fail late_event "at ts 50 by tid 2 comes after a watermark at 100"
expect_fail undefined_stack "uses stack 7, not defined"
expect_fail deep_stack "STACK 3 has 3 frames, more than max_depth 2"
expect_fail dup_module "MODULE id 1 defined twice"
expect_fail end_count "END counts 12 events; the log holds 11"
expect_fail bad_snapshot "mapped 1048576 != in_use 8192 + idle 0 + released 0"
expect_fail bad_span "SPAN op 1 at ts 5 with class 0"
expect_fail after_gone "allocated at ts 60 from a module already gone at ts 50" --module-range mod=libmod

# Not a log at all: exit 2.
echo "not a log" > text.mpz
rc=0
"$CHECKLOG" text.mpz > /dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || rec_fail "checklog on a text file exited $rc, expected 2"
echo "ok: checklog"
