#!/usr/bin/env bash
# integration.secure.reveal — what a log holds (docs/security.md, "What a
# log reveals"), checked on the raw bytes: secure_prog fills heap blocks
# (freed ones, and large ones live at exit that the shim's hollow scan
# reads) with a marker and the value of an environment variable. Every zstd
# frame of the log is decompressed as it is stored (not through memprof's
# reader, which would only show the fields it decodes): neither the marker,
# nor the variable's value, nor its name appear. The command line does
# (argv is recorded, on purpose: the check shows it is there, so the test
# can see into the frames at all), and so does the executable's path.
# Usage: reveal.sh MEMPROF SECURE_PROG
set -euo pipefail
MEMPROF=$(readlink -f -- "$1")
PROG=$(readlink -f -- "$2")
if ! command -v zstd > /dev/null || ! command -v python3 > /dev/null; then
    echo "SKIP: needs zstd and python3 to read the log's frames raw"
    exit 77
fi
D=$(mktemp -d "${TMPDIR:-/tmp}/memprof-reveal.XXXXXX")
trap 'rm -rf -- "$D"' EXIT
cd "$D"
unset LD_PRELOAD MEMPROF_OPTIONS
fail=0
FAIL() { echo "FAIL: $*"; fail=1; }

SECRET=env-value-$$-e5b1c0de
MP_TEST_SECRET=$SECRET MEMPROF_OPTIONS="mode=full:log=$D/s.mpz" \
    "$PROG" secret argv-marker-7f3a > out
"$MEMPROF" dump s.mpz > dump.txt || FAIL "the log does not decode"
grep -q '^HOLLOW' dump.txt || FAIL "no HOLLOW record: the large blocks were not scanned"

# The raw records: every chunk's frame decompressed by zstd itself.
python3 - s.mpz > raw.bin <<'PY' || FAIL "cannot split the log into frames"
import struct, subprocess, sys
data = open(sys.argv[1], "rb").read()
off, n = 16, 0
while off + 16 <= len(data):
    magic, csize, rsize, seq = struct.unpack_from("<4sIII", data, off)
    assert magic == b"MPCK", (off, magic)
    frame = data[off + 16:off + 16 + csize]
    raw = subprocess.run(["zstd", "-dcq"], input=frame, stdout=subprocess.PIPE, check=True).stdout
    assert len(raw) == rsize, (seq, len(raw), rsize)
    sys.stdout.buffer.write(raw)
    off += 16 + csize
    n += 1
assert off == len(data) and n > 0, (off, len(data), n)
print("%d chunks" % n, file=sys.stderr)
PY
echo "log: $(stat -c %s s.mpz) bytes, $(stat -c %s raw.bin) bytes of records"
grep -aq 'argv-marker-7f3a' raw.bin || FAIL "the command line is not in the records: is this test reading them?"
grep -aq "$PROG" raw.bin || FAIL "the executable's path is not in the records"
for what in MEMPROF-HEAP-SECRET "$SECRET" MP_TEST_SECRET; do
    if grep -aq -- "$what" raw.bin; then
        FAIL "'$what' (heap contents or the environment) is in the log"
    fi
done
[ $fail = 0 ] && echo "PASS: the log holds the command line and paths, no heap contents, no environment"
exit $fail
