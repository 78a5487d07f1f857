#!/usr/bin/env bash
# diff.sh MEMPROF PROGRAM PYTHON3 — integration.diff.leaks (see
# ../diff.cmake): records PROGRAM (../pprof/leaks.c, which leaks N more
# blocks of 100 bytes at main -> e for an argument N) three times under
# `memprof run -o` — N = 50, 80 and 0 — and checks `memprof diff` between
# them with exact figures: 50 -> 80 changes one stack by 3000 bytes and 30
# allocations and nothing else, although each run loads at other
# addresses; 0 -> 80 has e new in B and d's block no longer live at the
# peak. Exit 77 (skipped) without python3.
set -euo pipefail

MEMPROF=$(realpath "$1")
PROG=$(realpath "$2")
PY=${3:-}

if [ -z "$PY" ] || ! "$PY" -c 'import json' 2>/dev/null; then
    echo "skipped: no python3"
    exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memprof-diff.XXXXXX")
trap 'rc=$?; if [ $rc = 0 ]; then rm -rf "$TMP"; else echo "(files kept in $TMP)"; fi' EXIT
cd "$TMP"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

for n in 50 80 0; do
    "$MEMPROF" run -o n$n.mpz -- "$PROG" $n >prog.out 2>run.err ||
        { cat prog.out run.err >&2; fail "memprof run $PROG $n failed"; }
done

"$MEMPROF" diff --json n50.mpz n80.mpz >grow.json 2>err || { cat err >&2; fail "memprof diff --json failed"; }
[ ! -s err ] || fail "memprof diff printed on stderr: $(cat err)"
"$MEMPROF" diff --json --sort=leaked n0.mpz --top 0 n80.mpz >new.json 2>/dev/null ||
    fail "memprof diff --json --sort=leaked (options between the logs) failed"

"$PY" - grow.json new.json <<'PYEOF' || fail "memprof diff --json: wrong figures"
import json, sys

grow, new = (json.load(open(f)) for f in sys.argv[1:3])
errors = []

def check(what, got, want):
    if got != want:
        errors.append("%s: got %r, want %r" % (what, got, want))

def fig(a, b):
    return {"a": a, "b": b, "change": b - a}

def funcs(row):
    return [f["function"] for f in row["stack"]]

# 50 -> 80: the leak at e grew by 30 blocks of 100 bytes; nothing else moved.
check("format", (grow["format"], grow["version"], grow["sort"]), ("memprof-diff", 1, "peak"))
t = grow["totals"]
check("totals peak", t["peak_bytes"], fig(3500 + 5000, 3500 + 8000))
check("totals leaked", t["leaked_bytes"], fig(3500 + 5000, 3500 + 8000))
check("totals allocated", t["bytes_allocated"], fig(11692 + 5000, 11692 + 8000))
check("totals allocations", t["allocations"], fig(6 + 50, 6 + 80))
check("stacks changed", t["stacks_changed"], 1)
check("stacks unchanged", t["stacks_unchanged"], 3)  # grab/b/a, c, and d (two call sites: one stack)
check("rows", len(grow["stacks"]), 1)
if grow["stacks"]:
    r = grow["stacks"][0]
    check("e peak", r["peak_bytes"], fig(5000, 8000))
    check("e leaked", r["leaked_bytes"], fig(5000, 8000))
    check("e allocated", r["bytes_allocated"], fig(5000, 8000))
    check("e allocations", r["allocations"], fig(50, 80))
    check("e matched", (r["a_stacks"], r["b_stacks"]), (1, 1))
    check("e stack", funcs(r)[:2], ["e", "main"])
    check("e file", r["stack"][0]["file"].endswith("leaks.c"), True)

# 0 -> 80, by leaked: e is new in B; d's 4096 bytes made A's peak, not B's.
t = new["totals"]
check("new totals peak", t["peak_bytes"], fig(3500 + 4096, 3500 + 8000))
check("new sort", new["sort"], "leaked")
rows = new["stacks"]
check("new first", funcs(rows[0])[:2] if rows else None, ["e", "main"])
if rows:
    check("new e", (rows[0]["a_stacks"], rows[0]["b_stacks"], rows[0]["leaked_bytes"]),
          (0, 1, fig(0, 8000)))
d = [r for r in rows if funcs(r)[:1] == ["d"]]
check("new d rows", len(d), 1)
if d:
    check("new d peak", d[0]["peak_bytes"], fig(4096, 0))
    check("new d allocated", d[0]["bytes_allocated"], fig(8192, 8192))  # both calls of d
    check("new d matched", (d[0]["a_stacks"], d[0]["b_stacks"]), (2, 2))
check("new last", funcs(rows[-1])[:1] if rows else None, ["d"])  # shrinkage last
if errors:
    print("\n".join(errors))
    sys.exit(1)
PYEOF

# Text: the totals and the stack, in human units.
"$MEMPROF" diff n50.mpz n80.mpz >grow.txt 2>err || { cat err >&2; fail "memprof diff failed"; }
grep -Eq '^  leaked +8.3 KiB +11.2 KiB +\+2.9 KiB$' grow.txt || fail "no leaked totals line: $(cat grow.txt)"
grep -Eq '^  allocations +56 +86 +\+30$' grow.txt || fail "no allocations totals line: $(cat grow.txt)"
grep -q '1 changed, 3 unchanged' grow.txt || fail "no count of changed stacks: $(cat grow.txt)"
grep -Eq '^ +\+2.9 KiB +\+2.9 KiB +\+2.9 KiB +\+30$' grow.txt || fail "no row for e: $(cat grow.txt)"
grep -Eq '^      e \(leaks.c\)$' grow.txt || fail "no frame e (leaks.c): $(cat grow.txt)"
"$MEMPROF" diff n0.mpz n80.mpz --top 1 >top.txt 2>/dev/null || fail "memprof diff --top 1 failed"
grep -q 'new in B' top.txt || fail "e not said new in B: $(cat top.txt)"
grep -q '(top 1 shown)' top.txt || fail "--top 1 not said: $(cat top.txt)"

# Bad command lines exit 2.
for args in "n50.mpz" "n50.mpz n80.mpz n0.mpz" "--sort=bogus n50.mpz n80.mpz" \
            "--top=x n50.mpz n80.mpz" "n50.mpz /dev/null"; do
    status=0
    # shellcheck disable=SC2086
    "$MEMPROF" diff $args >/dev/null 2>&1 || status=$?
    [ $status = 2 ] || fail "memprof diff $args exited $status, expected 2"
done
