#!/usr/bin/env bash
# report.sh CASE MEMPROF MKREPORT DIR — one golden integration.report.CASE
# test (see ../report.cmake and README.md). DIR is this directory. The
# synthetic logs are written by MKREPORT into a private temporary
# directory, `memprof report` runs there (relative log names, TZ=UTC,
# memprof found on PATH as "memprof"), and its output is compared with
# expected/CASE... exactly.
#
# The logs' sizes and byte offsets depend on the libzstd version: when
# `mkreport --zstd-version` differs from expected/zstd-version, those
# numbers are replaced by N on both sides before comparing, and the test
# says so.
set -euo pipefail

case_name=$1
MEMPROF=$(realpath "$2")
MKREPORT=$(realpath "$3")
DIR=$(realpath "$4")
EXP=$DIR/expected

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-report-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/bin" "$TMP/logs"
ln -s "$MEMPROF" "$TMP/bin/memprof"
export PATH="$TMP/bin:$PATH" TZ=UTC
unset NO_COLOR
cd "$TMP/logs"
"$MKREPORT" .

fail() {
    echo "FAIL: $*" >&2
    if [ -n "${what:-}" ]; then
        echo "  command: $what" >&2
        echo "  exit status: ${status:-?}" >&2
        echo "  stderr:" >&2; sed 's/^/    | /' "$TMP/err" >&2 || true
    fi
    exit 1
}

# rep ARGS...: memprof report ARGS... in the logs' directory; sets $status,
# $TMP/out, $TMP/err.
rep() {
    what="memprof report $*"
    set +e
    memprof report "$@" >"$TMP/out" 2>"$TMP/err"
    status=$?
    set -e
}

expect_status() {
    [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status"
}
expect_err_empty() {
    [ ! -s "$TMP/err" ] || fail "expected nothing on stderr"
}
expect_err_line() {
    grep -Fxq -- "$1" "$TMP/err" || fail "expected a stderr line exactly: $1"
}
expect_out_has() {
    grep -Fq -- "$1" "$TMP/out" || fail "expected on stdout: $1"
}

same_zstd=1
[ "$("$MKREPORT" --zstd-version)" = "$(cat "$EXP/zstd-version")" ] || same_zstd=0

# Sizes and offsets that come from zstd's output, as N.
normalize() {
    sed -E -e 's/^(  log        [^ ]+) \([0-9.]+ (B|KiB)\)/\1 (N)/' \
        -e 's/"log_bytes": [0-9]+/"log_bytes": N/' \
        -e 's/ends at byte [0-9]+/ends at byte N/' \
        -e 's/"offset": [0-9]+/"offset": N/' \
        -e 's/(header says )[0-9]+( bytes of frame follow, the file has )[0-9]+/\1N\2N/' "$1"
}

# expect_out FILE: stdout is expected/FILE exactly. With MP_REPORT_REGEN=1
# in the environment, stdout becomes expected/FILE instead (README.md).
expect_out() {
    local want=$EXP/$1
    if [ "${MP_REPORT_REGEN:-0}" = 1 ]; then
        cp "$TMP/out" "$want"
        "$MKREPORT" --zstd-version > "$EXP/zstd-version"
        echo "regenerated expected/$1"
        return
    fi
    [ -f "$want" ] || fail "no expected file $want"
    if [ $same_zstd = 1 ]; then
        diff -u "$want" "$TMP/out" >"$TMP/diff" || {
            cat "$TMP/diff" >&2
            fail "stdout differs from expected/$1"
        }
    else
        diff -u <(normalize "$want") <(normalize "$TMP/out") >"$TMP/diff" || {
            cat "$TMP/diff" >&2
            fail "stdout differs from expected/$1 (sizes normalized: libzstd $("$MKREPORT" --zstd-version), expected made with $(cat "$EXP/zstd-version"))"
        }
        echo "note: libzstd differs from expected/zstd-version; log sizes and offsets not compared"
    fi
}

# valid_json: stdout parses as JSON (when python3 is there).
valid_json() {
    if command -v python3 >/dev/null; then
        python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$TMP/out" ||
            fail "stdout is not valid JSON"
    fi
}

case $case_name in
text)
    rep story.mpz
    expect_status 0
    expect_err_empty
    expect_out story.txt
    ;;
json)
    rep --json story.mpz
    expect_status 0
    expect_err_empty
    valid_json
    expect_out story.json
    ;;
top)
    rep --top 1 --depth=2 story.mpz
    expect_status 0
    expect_out story-top1.txt
    rep --top=0 --depth 0 story.mpz
    expect_status 0
    expect_out story-all.txt
    ;;
multi)
    rep story.mpz story.mpz.4343 story.mpz.4343.1
    expect_status 0
    expect_err_empty
    expect_out multi.txt
    rep --json --top 1 story.mpz story.mpz.4343 story.mpz.4343.1
    expect_status 0
    valid_json
    expect_out multi.json
    ;;
dir)
    echo "not a log" > notes.txt
    : > empty.mpz
    mkdir sub
    rep .
    expect_status 0
    expect_err_empty
    expect_out dir.txt
    # An empty directory: nothing to list.
    rep sub
    expect_status 2
    expect_err_line "memprof: report: no memprof log in sub"
    # --json does not list directories.
    rep --json .
    expect_status 2
    ;;
sampled)
    rep sampled.mpz
    expect_status 0
    expect_out sampled.txt
    ;;
cut)
    # Cut inside the last chunk: the first three are reported, marked partial.
    size=$(stat -c %s story.mpz)
    head -c $((size - 20)) story.mpz > cut.mpz
    rep cut.mpz
    expect_status 0
    expect_err_empty
    expect_out cut.txt
    rep --json cut.mpz
    expect_status 0
    valid_json
    expect_out_has '"complete": false,'
    expect_out_has '"damaged": true'
    ;;
errors)
    # Nothing usable: exit status 2 and why, on stderr.
    echo "hello" > text.mpz
    rep text.mpz
    expect_status 2
    expect_err_line "memprof: report: text.mpz: nothing to report: not a memprof log (it starts with 68 65 6c 6c 6f 0a; a log starts with 89 4d 50 5a 0d 0a 1a 0a)"
    [ ! -s "$TMP/out" ] || fail "something on stdout for a file that is not a log"
    head -c 16 story.mpz > header.mpz
    rep header.mpz
    expect_status 2
    grep -q "^memprof: report: header.mpz: nothing to report: " "$TMP/err" ||
        fail "no message for a log with only its header"
    head -c 40 story.mpz > short.mpz
    rep short.mpz
    expect_status 2
    grep -q "^memprof: report: short.mpz: nothing to report: decoding stopped at byte 16 (chunk 0): " "$TMP/err" ||
        fail "no byte offset for a log cut inside its first chunk"
    rep missing.mpz
    expect_status 2
    grep -q "^memprof: report: missing.mpz: nothing to report: .*No such file or directory" "$TMP/err" ||
        fail "no message for a missing file"
    # One bad log among good ones: the good ones are reported, status 2.
    rep story.mpz.4343.1 text.mpz sampled.mpz
    expect_status 2
    [ "$(grep -c '^memprof report: process ' "$TMP/out")" = 2 ] || fail "the good logs were not reported"
    rep --json story.mpz.4343.1 text.mpz
    expect_status 2
    valid_json
    ;;
color)
    rep --color=always story.mpz
    expect_status 0
    grep -q $'^\e\\[1mmemprof report: process 4242' "$TMP/out" || fail "no bold header with --color=always"
    grep -q $'\e\\[31m' "$TMP/out" || fail "no red leak sizes with --color=always"
    # Not a terminal: no colour by default, nor with NO_COLOR.
    rep story.mpz
    ! grep -q $'\e' "$TMP/out" || fail "escape codes in output to a file"
    NO_COLOR=1 rep --color=auto story.mpz
    ! grep -q $'\e' "$TMP/out" || fail "escape codes with NO_COLOR"
    # JSON never has colour; nor does progress appear when stderr is a file.
    rep --json --color=always story.mpz
    ! grep -q $'\e' "$TMP/out" || fail "escape codes in JSON"
    expect_err_empty
    rep --color=sometimes story.mpz
    expect_status 2
    expect_err_line "memprof: report: bad value 'sometimes' for --color (expected --color=auto|always|never)"
    ;;
help)
    rep --help
    expect_status 0
    expect_err_empty
    expect_out_has "Usage: memprof report [options] LOG..."
    for opt in '--top=N' '--depth=N' '--json' '--color=WHEN' '--debug-dir=DIR' '--sysroot=DIR' '-h, --help'; do
        grep -Eq -- "^  $opt +[a-z]" "$TMP/out" || fail "no help line for $opt"
    done
    expect_out_has "Exit status: 0"
    memprof help report >"$TMP/out2" || fail "memprof help report failed"
    cmp -s "$TMP/out" "$TMP/out2" || fail "memprof help report differs from memprof report --help"
    memprof --help | grep -Eq '^  report +[a-z]' || fail "memprof --help does not list report"
    rep
    expect_status 2
    expect_err_line "memprof: report: no log to report on (usage: memprof report LOG...; see memprof report --help)"
    rep --top=many story.mpz
    expect_status 2
    expect_err_line "memprof: report: bad value 'many' for --top (expected --top=N, a whole number from 0 to 1000000)"
    rep --frobnicate story.mpz
    expect_status 2
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "ok: integration.report.$case_name"
