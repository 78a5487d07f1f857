#!/usr/bin/env bash
# check_kinds.sh MEMPROF BINDIR PYTHON3 — `memprof check` and leak kinds
# (../leakkinds.cmake): which kinds count (--kinds, default definite and
# indirect), the text naming each leak's kind, the leak summary, the JSON,
# a log without the scan (--no-leak-scan: every block counts, and it says
# why), and a bad --kinds.
set -euo pipefail

MEMPROF=$(realpath "$1")
BINDIR=$(realpath "$2")
PY=$3

NAME=kinds
# shellcheck source=tests/integration/check/lib.sh
. "$(dirname "$0")/../check/lib.sh"

# The list and the cycle: definitely and indirectly lost count by default.
check 3 -- "$BINDIR/indirect"
grep -q '368 bytes in 7 blocks leaked from 3 stacks' err || fail "indirect: not 368 bytes"
grep -q '#1  240 bytes in 5 blocks: 48 bytes in 1 block definitely lost, 192 bytes in 4 blocks indirectly lost' err ||
    fail "indirect: the list's kinds not named"
grep -q '^    definitely lost: 112 bytes in 2 blocks$' err || fail "summary: definite"
grep -q '^    indirectly lost: 256 bytes in 5 blocks$' err || fail "summary: indirect"
grep -q '^      possibly lost: 0 bytes in 0 blocks (not counted)$' err || fail "summary: possible"
grep -q 'counted: definite,indirect' err || fail "summary: counted kinds"
# Only definite: the 4 list nodes and half the cycle no longer count.
check 3 --kinds=definite -- "$BINDIR/indirect"
grep -q '112 bytes in 2 blocks leaked from 2 stacks' err || fail "--kinds=definite: not 112 bytes"

# Still reachable blocks pass by default, fail with --kinds=all or reachable.
check 0 -- "$BINDIR/reachable"
grep -q 'no leaks' err || fail "reachable: not clean"
grep -q '^    still reachable: 40384 bytes in 6 blocks (not counted)$' err ||
    fail "reachable: summary"
check 3 --kinds=all --json -- "$BINDIR/reachable"
grep -q '#1  40000 bytes in 1 block still reachable' err || fail "reachable: kind not named"
"$PY" - out <<'PY' || fail "reachable: JSON"
import json, sys
d = json.load(open(sys.argv[1]))
k = d["kinds"]
assert k["counted"] == ["definite", "indirect", "possible", "reachable"], k
assert k["unavailable"] is None, k
assert k["summary"]["reachable"] == {"bytes": 40384, "blocks": 6}, k
assert d["leaked"] == {"bytes": 40384, "blocks": 6, "stacks": 3}, d["leaked"]
for leak in d["leaks"]:
    assert leak["kinds"]["reachable"]["bytes"] == leak["bytes"], leak
PY

# Possibly lost counts when asked.
check 0 -- "$BINDIR/possible"
check 3 --kinds=possible -- "$BINDIR/possible"
grep -q '192 bytes in 2 blocks leaked from 2 stacks' err || fail "possible: not 192 bytes"
grep -q 'possibly lost' err || fail "possible: kind not named"

# Without the scan there are no kinds: every block counts, and it says why.
check 3 --no-leak-scan -- "$BINDIR/reachable"
grep -q 'leak kinds unavailable: the log has no leak scan' err || fail "no scan: not said"
grep -q '40384 bytes in 6 blocks leaked' err || fail "no scan: not every block"
"$MEMPROF" run --no-leak-scan -o noscan.mpz -- "$BINDIR/definite" >/dev/null 2>&1
"$MEMPROF" dump noscan.mpz | grep -q LEAKSCAN && fail "--no-leak-scan: the log has a LEAKSCAN"
check 3 --json noscan.mpz
"$PY" - out <<'PY' || fail "no scan: JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kinds"]["summary"] is None and "no leak scan" in d["kinds"]["unavailable"], d["kinds"]
assert all(leak["kinds"] is None for leak in d["leaks"])
PY
# Sampled mode has no scan either.
"$MEMPROF" run --sample=1 -o sampled.mpz -- "$BINDIR/definite" >/dev/null 2>&1
check 3 sampled.mpz
grep -q 'leak kinds unavailable: the log was recorded in sampled mode' err || fail "sampled: not said"

# Bad values name what is wrong.
check 2 --kinds=definite,lost -- "$BINDIR/definite"
grep -q "bad value 'definite,lost' for --kinds: 'lost' is no kind" err || fail "bad --kinds"
check 2 --kinds= -- "$BINDIR/definite"
"$MEMPROF" check --help | grep -q -- '--kinds=LIST' || fail "--kinds not in --help"
"$MEMPROF" run --help | grep -q -- '--no-leak-scan' || fail "--no-leak-scan not in run --help"
echo "PASS"
