#!/usr/bin/env bash
# baseline.sh CASE MEMPROF BINDIR SCHEMADIR [PYTHON3] — one
# integration.check.baseline_CASE test (../check_baseline.cmake): runs of
# grower (LEAKS x 100 bytes from leak_some, a SPIKE_KB KiB spike freed)
# checked against a baseline run of it: exact growth, tolerances, errors.
set -euo pipefail

case_name=$1
MEMPROF=$(realpath "$2")
BINDIR=$(realpath "$3")
SCHEMAS=$(realpath "$4")
PY=${5:-}
G=$BINDIR/grower

NAME=baseline
# shellcheck source=tests/integration/check/lib.sh
. "$(dirname "$0")/../check/lib.sh"

# The baseline: 2 x 100 bytes leaked, a 64 KiB spike.
"$MEMPROF" run -o base.mpz -- "$G" 2 64 >/dev/null 2>&1
line=$(grep -n 'kept\[i\] = malloc(100)' "$(dirname "$0")/grower.c" | cut -d: -f1)

case $case_name in
grown)
    # The same run: the baseline's leaks pass, nothing grew.
    check 0 --baseline base.mpz -- "$G" 2 64
    grep -q '200 bytes in 2 blocks leaked from 1 stack$' err || fail "leaks not listed"
    grep -q 'against the baseline base.mpz (tolerance 0): nothing grew beyond it' err ||
        fail "no 'nothing grew'"
    # One more block: 100 bytes more, named with before and after.
    check 3 --baseline base.mpz -- "$G" 3 64
    grep -q "^  grew: 200 -> 300 bytes leaked (+100 bytes, +50.0%) at leak_some (grower.c:$line) in pid [0-9]* grower$" err ||
        fail "growth of leak_some not named with 200 -> 300"
    grep -q '1 stack and 0 peaks grew beyond it' err || fail "count of what grew"
    grep -q 'FAILED: grew beyond the baseline (--tolerance=0); exit status 3' err ||
        fail "no FAILED line"
    # A stack the baseline did not have grew from 0.
    "$MEMPROF" run -o none.mpz -- "$G" 0 64 >/dev/null 2>&1
    check 3 --baseline none.mpz -- "$G" 1 64
    grep -q "^  grew: 0 -> 100 bytes leaked (+100 bytes, new) at leak_some" err || fail "new stack"
    # A LOG against the baseline; --max-leaked still applies when given.
    "$MEMPROF" run -o now.mpz -- "$G" 3 64 >/dev/null 2>&1
    check 3 --baseline base.mpz now.mpz
    grep -q 'grew: 200 -> 300 bytes' err || fail "LOG: no growth"
    check 3 --baseline base.mpz --max-leaked=100 -- "$G" 2 64
    grep -q 'FAILED: leaks above the thresholds (--max-leaked=100)' err || fail "--max-leaked ignored"
    ;;
tolerance)
    check 0 --baseline base.mpz --tolerance=50% -- "$G" 3 64
    check 3 --baseline base.mpz --tolerance=49% -- "$G" 3 64
    check 0 --baseline base.mpz --tolerance=100 -- "$G" 3 64
    check 3 --baseline base.mpz --tolerance=99 -- "$G" 3 64
    # The peak: a 128 KiB spike is exactly 65536 bytes over the 64 KiB one.
    check 3 --baseline base.mpz -- "$G" 2 128
    grep -q '^  peak heap of grower: [0-9]* -> [0-9]* bytes (+65536 bytes, +[0-9.]*%), GREW beyond the tolerance$' err ||
        fail "peak growth of 65536 bytes not named"
    grep -q '^    most at the peak: spike (grower.c:' err || fail "peak stack not named"
    grep -q '0 stacks and 1 peak grew beyond it' err || fail "count of what grew"
    check 0 --baseline base.mpz --tolerance=64k -- "$G" 2 128
    check 3 --baseline base.mpz --tolerance=65535 -- "$G" 2 128
    # Bad values: said clearly, the "could not check" status, nothing run.
    check 2 --baseline base.mpz --tolerance=five -- "$G" 3 64
    grep -q "bad value 'five' for --tolerance" err || fail "bad --tolerance not explained"
    check 2 --baseline base.mpz --tolerance=5%% -- "$G" 3 64
    check 2 --tolerance=5% -- "$G" 3 64
    grep -q -- '--tolerance needs --baseline' err || fail "--tolerance without --baseline"
    check 2 --baseline missing.mpz -- "$G" 3 64
    grep -q -- '--baseline missing.mpz: No such file' err || fail "missing baseline"
    ;;
outputs)
    [ -n "$PY" ] && "$PY" -c 'import json' 2>/dev/null || { echo "skipped: no python3"; exit 77; }
    check 3 --baseline base.mpz --json --junit r.xml --sarif r.sarif -- "$G" 3 64
    "$PY" - out r.xml r.sarif "$line" <<'PYEOF'
import json, sys, xml.etree.ElementTree as ET
doc = json.load(open(sys.argv[1]))
assert doc["verdict"] == "regression" and doc["exit_status"] == 3, doc["verdict"]
b = doc["baseline"]
assert b["log"] == "base.mpz" and b["tolerance"] == "0", b
g = b["grown"]
assert len(g) == 1 and (g[0]["before"], g[0]["after"]) == (200, 300), g
assert g[0]["function"] == "leak_some" and g[0]["line"] == int(sys.argv[4]), g
assert [p["grew"] for p in b["peaks"]] == [False], b["peaks"]
assert doc["thresholds"]["max_leaked"] is None
suite = ET.parse(sys.argv[2]).getroot().find("testsuite")
fails = [c for c in suite.findall("testcase") if c.find("failure") is not None]
assert len(fails) == 1 and fails[0].get("classname") == "memprof.baseline", \
    [c.get("name") for c in suite.findall("testcase")]
f = fails[0].find("failure")
assert f.get("type") == "regression" and f.get("message") == \
    "200 -> 300 bytes leaked (+100 bytes, +50.0%)", f.attrib
assert suite.get("failures") == "1", suite.attrib
run = json.load(open(sys.argv[3]))["runs"][0]
grown = [r for r in run["results"] if r["ruleId"] == "leak-growth"]
assert len(grown) == 1 and grown[0]["level"] == "error", run["results"]
assert grown[0]["message"]["text"] == "300 bytes leaked (never freed), allocated by " \
    "leak_some, 200 bytes in the baseline base.mpz (+100 bytes, +50.0%)", grown[0]["message"]
assert grown[0]["properties"]["before"] == 200 and grown[0]["properties"]["bytes"] == 300
# the stack's kinds are results of their own
assert [(r["ruleId"], r["properties"]["bytes"]) for r in run["results"]
        if r["ruleId"] != "leak-growth"] == [("definitely-lost", 300)], run["results"]
PYEOF
    # The peak as a SARIF result of its own.
    check 3 --baseline base.mpz --sarif p.sarif -- "$G" 2 128
    "$PY" - p.sarif <<'PYEOF'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
peak = [r for r in run["results"] if r["ruleId"] == "peak-growth"]
assert len(peak) == 1 and peak[0]["level"] == "error", run["results"]
p = peak[0]["properties"]
assert p["after"] - p["before"] == 65536, p
assert peak[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "spike"
# the leak did not grow: a warning, not an error
assert [r["level"] for r in run["results"] if r["ruleId"] == "definitely-lost"] == ["warning"]
PYEOF
    # Both files against their schemas, when the validators are there.
    for p in "$PY" /usr/bin/python3; do
        if "$p" -c 'import jsonschema' 2>/dev/null; then
            "$p" -c '
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
for f in sys.argv[2:]:
    v.validate(json.load(open(f)))
' "$SCHEMAS/sarif-2.1.0.json" r.sarif p.sarif
            validated=1
            break
        fi
    done
    [ -n "${validated:-}" ] || echo "note: SARIF not validated (no jsonschema)"
    if command -v xmllint >/dev/null; then
        xmllint --noout --schema "$SCHEMAS/jenkins-junit.xsd" r.xml
    fi
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "ok: $case_name"
