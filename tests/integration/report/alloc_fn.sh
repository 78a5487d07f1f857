#!/usr/bin/env bash
# integration.report.alloc_fn: example_churn allocates everything through
# xmalloc. Without --alloc-fn its findings are "at xmalloc"; with
# --alloc-fn=xmalloc (and a glob, x*alloc) every stack starts at a caller of
# xmalloc, and the stacks' figures do not change.
set -euo pipefail
MEMPROF=$1 PROG=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$MEMPROF" run -o "$T/c.mpz" -- "$PROG" > /dev/null 2> "$T/run.err" || fail "run: $(cat "$T/run.err")"
"$MEMPROF" report --json "$T/c.mpz" > "$T/plain.json"
"$MEMPROF" report --json --alloc-fn=xmalloc "$T/c.mpz" > "$T/wrapped.json"
"$MEMPROF" report --json --alloc-fn='x*alloc' "$T/c.mpz" > "$T/glob.json"
python3 - "$T/plain.json" "$T/wrapped.json" "$T/glob.json" <<'PY'
import json, sys
plain, wrapped, glob = (json.load(open(p)) for p in sys.argv[1:4])
def tops(d):
    return [f["stack"][0]["function"] for f in d["findings"] if f.get("stack")]
assert plain["findings"], "no findings at all"
assert "xmalloc" in tops(plain), "without --alloc-fn the findings should be at xmalloc: %r" % tops(plain)
for name, d in (("--alloc-fn=xmalloc", wrapped), ("--alloc-fn='x*alloc'", glob)):
    t = tops(d)
    assert t and "xmalloc" not in t, "%s: still at xmalloc: %r" % (name, t)
    assert set(t) <= {"table_put", "table_grow", "churn_one", "main", "make_entry"}, \
        "%s: unexpected callers %r" % (name, t)
    assert [f["bytes"] for f in d["findings"]] == [f["bytes"] for f in plain["findings"]], \
        "%s changed the findings' bytes" % name
    assert d["summary"] == plain["summary"], "%s changed the summary" % name
print("ok: alloc_fn", tops(wrapped))
PY
