#!/usr/bin/env bash
# dump.sh CASE MEMPROF MKLOG DIR — one integration.dump.CASE test (see
# ../dump.cmake and README.md). DIR is this directory (expected.txt,
# expected.zstd). Each case writes the synthetic log with MKLOG into a
# private temporary directory, runs `memprof dump` on it or on a damaged
# copy, and checks exit status, stdout and stderr.
set -euo pipefail

case_name=$1
MEMPROF=$(realpath "$2")
MKLOG=$(realpath "$3")
DIR=$(realpath "$4")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-dump-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

fail() {
    echo "FAIL: $*" >&2
    if [ -n "${what:-}" ]; then
        echo "  command: $what" >&2
        echo "  exit status: ${status:-?}" >&2
        echo "  stdout:" >&2; sed 's/^/    | /' "$TMP/out" >&2 || true
        echo "  stderr:" >&2; sed 's/^/    | /' "$TMP/err" >&2 || true
    fi
    exit 1
}

# dump ARGS...: runs memprof dump ARGS...; sets $status, $TMP/out, $TMP/err.
dump() {
    what="memprof dump $*"
    set +e
    "$MEMPROF" dump "$@" >"$TMP/out" 2>"$TMP/err"
    status=$?
    set -e
}

expect_status() {
    [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status"
}
expect_err_line() {
    grep -Fxq -- "$1" "$TMP/err" || fail "expected a stderr line exactly: $1"
}
expect_err_empty() {
    [ ! -s "$TMP/err" ] || fail "expected nothing on stderr"
}
expect_out_empty() {
    [ ! -s "$TMP/out" ] || fail "expected nothing on stdout"
}

# The synthetic log and its full dump (checked by the 'expected' case).
LOG=$TMP/synthetic.mpz
"$MKLOG" "$LOG"
"$MEMPROF" dump "$LOG" >"$TMP/full" 2>/dev/null || fail "dump of the synthetic log failed"

# chunk_field K FIELD: from the full dump's '# chunk K at byte N: C -> R bytes'
# line, N (FIELD=at) or C (FIELD=csize).
chunk_field() {
    local line
    line=$(grep -E "^# chunk $1 at byte " "$TMP/full") || fail "no chunk $1 in the full dump"
    case $2 in
    at) echo "$line" | sed -E 's/^# chunk [0-9]+ at byte ([0-9]+): .*/\1/' ;;
    csize) echo "$line" | sed -E 's/^.*: ([0-9]+) -> [0-9]+ bytes$/\1/' ;;
    esac
}

# lines_before K: the full dump up to (not including) chunk K's line.
lines_before() {
    sed -n "/^# chunk $1 at byte /q;p" "$TMP/full"
}

# expect_prefix K: stdout is the full dump up to chunk K, then one summary line.
expect_prefix() {
    local n
    lines_before "$1" >"$TMP/prefix"
    n=$(wc -l <"$TMP/prefix")
    head -n "$n" "$TMP/out" | cmp -s - "$TMP/prefix" ||
        fail "stdout does not hold the records of chunks 0..$(($1 - 1)) as the full dump shows them"
    [ "$(wc -l <"$TMP/out")" -eq $((n + 1)) ] ||
        fail "stdout should end with one summary line after chunk $(($1 - 1))'s records"
    tail -n 1 "$TMP/out" | grep -q '^# summary: ' || fail "the last line is not the summary"
}

# flip_byte FILE OFFSET: inverts every bit of one byte in place.
flip_byte() {
    local v
    v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf '%03o' $((v ^ 255)))" |
        dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

case $case_name in
expected)
    # Exact, record by record. The '# chunk' lines carry zstd's compressed
    # sizes and offsets, which only the libzstd that made expected.txt is
    # sure to reproduce; under another version they are compared by shape.
    dump "$LOG"
    expect_status 0
    expect_err_empty
    made_with=$(cat "$DIR/expected.zstd")
    have=$("$MKLOG" --zstd-version)
    if [ "$have" = "$made_with" ]; then
        diff -u "$DIR/expected.txt" "$TMP/out" >&2 ||
            fail "memprof dump output differs from expected.txt (diff above)"
    else
        mask='s/^# chunk ([0-9]+) at byte [0-9]+: [0-9]+ -> ([0-9]+) bytes$/# chunk \1 at byte N: C -> \2 bytes/'
        diff -u <(sed -E "$mask" "$DIR/expected.txt") <(sed -E "$mask" "$TMP/out") >&2 ||
            fail "memprof dump output differs from expected.txt (diff above)"
        echo "NOTE: libzstd $have, expected.txt was made with $made_with:" \
             "chunk offsets and compressed sizes not compared" >&2
    fi
    ;;

truncated)
    at=$(chunk_field 2 at)
    csize=$(chunk_field 2 csize)
    # Inside the last chunk's frame: chunks 0 and 1 are whole.
    cut=$((at + 16 + csize / 2))
    head -c "$cut" "$LOG" >"$TMP/cut.mpz"
    dump "$TMP/cut.mpz"
    expect_status 1
    expect_err_line "memprof: dump: $TMP/cut.mpz: decoding stopped at byte $at (chunk 2): the chunk header says $csize bytes of frame follow, the file has $((csize / 2))"
    expect_prefix 2
    # Inside the last chunk's header.
    head -c $((at + 5)) "$LOG" >"$TMP/cut.mpz"
    dump "$TMP/cut.mpz"
    expect_status 1
    expect_err_line "memprof: dump: $TMP/cut.mpz: decoding stopped at byte $at (chunk 2): truncated chunk header: 5 of 16 bytes"
    expect_prefix 2
    # Exactly at a chunk boundary: nothing is wrong with what is there, but
    # the log has no END (killed, or still being written).
    head -c "$at" "$LOG" >"$TMP/cut.mpz"
    dump "$TMP/cut.mpz"
    expect_status 0
    expect_err_empty
    grep -Fxq "# no END record: the process was killed, or the log is still being written" \
        "$TMP/out" || fail "no note that the log has no END record"
    # Inside the first chunk: nothing decodable at all.
    head -c 42 "$LOG" >"$TMP/cut.mpz"
    dump "$TMP/cut.mpz"
    expect_status 2
    expect_err_line "memprof: dump: $TMP/cut.mpz: decoding stopped at byte 16 (chunk 0): the chunk header says $(chunk_field 0 csize) bytes of frame follow, the file has 10"
    ;;

corrupt)
    # One byte inside chunk 1's frame: zstd or its checksum catches it.
    at=$(chunk_field 1 at)
    cp "$LOG" "$TMP/bad.mpz"
    flip_byte "$TMP/bad.mpz" $((at + 16 + $(chunk_field 1 csize) / 2))
    dump "$TMP/bad.mpz"
    expect_status 1
    grep -q "^memprof: dump: $TMP/bad.mpz: decoding stopped at byte $at (chunk 1): " "$TMP/err" ||
        fail "stderr does not say decoding stopped at byte $at (chunk 1)"
    expect_prefix 1
    # A chunk number out of sequence.
    cp "$LOG" "$TMP/bad.mpz"
    flip_byte "$TMP/bad.mpz" $((at + 12))
    dump "$TMP/bad.mpz"
    expect_status 1
    expect_err_line "memprof: dump: $TMP/bad.mpz: decoding stopped at byte $at (chunk 1): chunk number is 254, expected 1"
    expect_prefix 1
    ;;

not_a_log)
    dump "$DIR/dump.sh"
    expect_status 2
    expect_out_empty
    expect_err_line "memprof: dump: $DIR/dump.sh: not a memprof log (it starts with 23 21 2f 75 73 72 2f 62; a log starts with 89 4d 50 5a 0d 0a 1a 0a)"
    dump "$TMP"
    expect_status 2
    expect_err_line "memprof: dump: $TMP: is a directory, not a log file"
    dump "$TMP/missing.mpz"
    expect_status 2
    expect_err_line "memprof: dump: $TMP/missing.mpz: cannot open: No such file or directory"
    : >"$TMP/empty.mpz"
    dump "$TMP/empty.mpz"
    expect_status 2
    expect_err_line "memprof: dump: $TMP/empty.mpz: empty file, not a memprof log"
    head -c 12 "$LOG" >"$TMP/short.mpz"
    dump "$TMP/short.mpz"
    expect_status 2
    expect_err_line "memprof: dump: $TMP/short.mpz: truncated file header: 12 of 16 bytes"
    ;;

version)
    # Another major version: refused, naming both.
    { head -c 8 "$LOG"; printf '\002\000\003\000\000\000\000\000'; tail -c +17 "$LOG"; } \
        >"$TMP/v2.mpz"
    dump "$TMP/v2.mpz"
    expect_status 2
    expect_out_empty
    expect_err_line "memprof: dump: $TMP/v2.mpz: log format 2.3, this memprof reads 1.x (up to 1.1)"
    # A newer minor version of this major is read.
    { head -c 8 "$LOG"; printf '\001\000\007\000\000\000\000\000'; tail -c +17 "$LOG"; } \
        >"$TMP/v17.mpz"
    dump "$TMP/v17.mpz"
    expect_status 0
    expect_err_empty
    [ "$(head -n 1 "$TMP/out")" = "# log format 1.7, flags 0x0" ] || fail "version line"
    [ "$(tail -n +2 "$TMP/out")" = "$(tail -n +2 "$TMP/full")" ] ||
        fail "a 1.7 log with 1.1 records should dump like the 1.1 log"
    # What a newer minor version may add is skipped, and shown as skipped.
    "$MKLOG" --newer "$TMP/v11.mpz"
    dump "$TMP/v11.mpz"
    expect_status 0
    expect_err_empty
    for line in "# log format 1.2, flags 0x0" \
                "UNKNOWN type=0x40 len=6 (skipped)" \
                "HOLLOW +0.000000001 reason=exit page_size=4096 blocks=0 (+1 bytes of newer fields skipped)" \
                'THREAD +0.000000005 tid=7 name="t" (+3 bytes of newer fields skipped)' \
                "# summary: 5 records in 1 chunks (PROCESS 1, THREAD 1, HOLLOW 1, END 1, unknown 1); 0 events"; do
        grep -Fxq -- "$line" "$TMP/out" || fail "expected a stdout line exactly: $line"
    done
    grep -Eq '^PROCESS .* argv=\[\] \(\+3 bytes of newer fields skipped\)$' "$TMP/out" ||
        fail "PROCESS line should end with its skipped newer fields"
    ;;

help)
    for args in "--help" "-h"; do
        dump $args
        expect_status 0
        expect_err_empty
        grep -Fxq "Usage: memprof dump [options] LOG" "$TMP/out" || fail "no usage line"
        grep -Eq -- '^  -h, --help +[a-z]' "$TMP/out" || fail "no help line for -h, --help"
        grep -q '^Exit status: ' "$TMP/out" || fail "no exit statuses"
    done
    what="memprof help dump"
    set +e; "$MEMPROF" help dump >"$TMP/out" 2>"$TMP/err"; status=$?; set -e
    expect_status 0
    grep -Fxq "Usage: memprof dump [options] LOG" "$TMP/out" || fail "no usage line"
    what="memprof --help"
    set +e; "$MEMPROF" --help >"$TMP/out" 2>"$TMP/err"; status=$?; set -e
    grep -Eq '^  dump +[a-z]' "$TMP/out" || fail "memprof --help does not list dump"
    dump
    expect_status 2
    expect_err_line "memprof: dump: no log to dump (usage: memprof dump LOG; see memprof dump --help)"
    dump a.mpz b.mpz
    expect_status 2
    expect_err_line "memprof: dump: one log at a time (got 'b.mpz' after 'a.mpz')"
    dump --bogus "$LOG"
    expect_status 2
    expect_err_line "memprof: dump: unknown option '--bogus' (see memprof dump --help)"
    ;;

*)
    fail "unknown case '$case_name'"
    ;;
esac
echo "PASS: dump.$case_name"
