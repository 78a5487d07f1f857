#!/usr/bin/env bash
# check.sh CASE MEMPROF BINDIR PYTHON3 — one integration.check.CASE test
# (see ../check.cmake): runs a program of BINDIR under `memprof check` and
# checks its exit status and what it says.
set -euo pipefail

case_name=$1
MEMPROF=$(realpath "$2")
BINDIR=$(realpath "$3")
PY=${4:-}

NAME=check
# shellcheck source=tests/integration/check/lib.sh
. "$(dirname "$0")/lib.sh"

need_py() {
    if [ -z "$PY" ] || ! "$PY" -c 'import xml.etree.ElementTree, json' 2>/dev/null; then
        echo "skipped: no python3"
        exit 77
    fi
}

case $case_name in
clean)
    check 0 -- "$BINDIR/clean"
    grep -q 'no leaks' err || fail "no 'no leaks'"
    grep -q 'passed' err || fail "no 'passed'"
    ;;
leaky)
    check 3 -- "$BINDIR/leaky"
    grep -q '300 bytes in 3 blocks leaked from 1 stack' err || fail "no 300 bytes"
    grep -q 'leak_three (leaky.c:' err || fail "leak_three not named"
    grep -q 'FAILED' err || fail "no FAILED"
    # A log can be checked after the fact, with the same verdict.
    "$MEMPROF" run -o leaky.mpz -- "$BINDIR/leaky" >/dev/null 2>&1
    check 3 leaky.mpz
    grep -q 'leak_three (leaky.c:' err || fail "LOG: leak_three not named"
    # --error-exitcode chooses the status.
    check 9 --error-exitcode=9 -- "$BINDIR/leaky"
    ;;
suppressed)
    printf '# expected\n\n  leak:leak_three  \n' >supp.txt
    check 0 --suppressions supp.txt -- "$BINDIR/leaky"
    grep -q 'leak:leak_three (supp.txt:3): 300 bytes in 3 blocks' err ||
        fail "suppressed total not shown"
    # Without the built-in rules the stdio buffer is a leak, when still
    # reachable blocks count (its FILE points to it).
    check 0 --no-default-suppressions --suppressions supp.txt -- "$BINDIR/leaky"
    check 3 --kinds=all --no-default-suppressions --suppressions supp.txt -- "$BINDIR/leaky"
    grep -q '_IO_file_doallocate' err || fail "stdio buffer not shown"
    "$MEMPROF" check --print-suppressions >out
    grep -qx 'leak:^_IO_file_doallocate\$' out || fail "--print-suppressions"
    # A bad rule is a usage error, with FILE:LINE.
    printf 'leak:ok\nrace:foo\n' >bad.txt
    check 2 --suppressions bad.txt -- "$BINDIR/leaky"
    grep -q 'bad.txt:2: unknown suppression type' err || fail "bad line not reported"
    ;;
threshold)
    check 0 --max-leaked=1k -- "$BINDIR/leaky"
    grep -q 'within the thresholds' err || fail "no 'within the thresholds'"
    check 3 --max-leaked=299 -- "$BINDIR/leaky"
    check 0 --max-leaked-blocks=3 --max-leaked=1k -- "$BINDIR/leaky"
    check 3 --max-leaked-blocks=2 --max-leaked=1k -- "$BINDIR/leaky"
    check 2 --max-leaked=lots -- "$BINDIR/leaky"
    ;;
program_failed)
    check 4 -- "$BINDIR/fail4"
    grep -q 'the program exited with status 4' err || fail "no program-failed message"
    check 127 -- ./no-such-program
    check 2
    ;;
junit)
    need_py
    check 3 --junit report.xml -- "$BINDIR/leaky"
    "$PY" - report.xml <<'PYEOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = root.findall('testsuite')
assert len(suites) == 1 and suites[0].get('name') == 'memprof leak check', suites
cases = suites[0].findall('testcase')
assert len(cases) == 1, [c.get('name') for c in cases]
f = cases[0].find('failure')
assert f is not None and 'leak_three' in f.text and '300 bytes in 3 blocks' in f.get('message'), f.text
assert suites[0].get('failures') == '1'
PYEOF
    check 0 --junit clean.xml -- "$BINDIR/clean"
    "$PY" - clean.xml <<'PYEOF'
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find('testsuite')
cases = s.findall('testcase')
assert len(cases) == 1 and cases[0].find('failure') is None and s.get('failures') == '0'
PYEOF
    ;;
json)
    need_py
    check 3 --json -- "$BINDIR/leaky"
    "$PY" - out <<'PYEOF'
import sys, json
lines = open(sys.argv[1]).read()
doc = json.loads(lines[lines.index('{'):])   # the program printed first
assert doc['verdict'] == 'leaks' and doc['exit_status'] == 3, doc
assert doc['leaked'] == {'bytes': 300, 'blocks': 3, 'stacks': 1}, doc['leaked']
mine = [l for l in doc['leaks'] if l['suppressed_by'] is None]
assert mine[0]['frames'][0]['function'] == 'leak_three', mine[0]
assert mine[0]['suppression'] == 'leak:^leak_three$'
PYEOF
    ;;
gen)
    check 3 --gen-suppressions -- "$BINDIR/leaky"
    grep '^leak:' err >gen.txt || fail "no rule printed"
    grep -qx 'leak:^leak_three\$' gen.txt || fail "rule is not leak:^leak_three\$"
    check 0 --suppressions gen.txt -- "$BINDIR/leaky"
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "ok: $case_name"
