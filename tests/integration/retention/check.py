#!/usr/bin/env python3
"""check.py CASE REPORT_JSON PROGRAM_OUTPUT KINDS — checks `memprof report
--json` of one retention example against what the program says it did
(retention.sh runs it; see ../retention.cmake).

The examples print their own figures as "# tag name=value ..." lines
(examples/gomap.c: the heap it uses after the inserts and after the
deletes, its peak, the bucket array's size; examples/fragment.c: the
survivors). A stack's place is the function of its first frame that is not
inlined into another (the shim's frames are already dropped by the report).

Two blocks per case:
  1. what the report has today: peak, leaks, stacks, size classes;
  2. the retention findings (docs/retention.md). Enforced for a kind once
     memprof knows it (KINDS: the *_retention names in its executable, plus
     any kind of that form in this report); until then the block prints
     "SKIP: ..." and passes. The healthy programs are held to "no finding
     whose kind ends in retention" as soon as any retention kind exists.

Exit status 1 on the first failure, with what was expected and what the
report said.
"""
import json
import sys

TOLERANCE = 0.05  # "within 5%" of the program's own figures


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def note(msg):
    print(msg)


def mib(n):
    return "%.1f MiB" % (n / 1048576.0)


def functions(stack):
    return [f["function"] for f in stack]


def place(stack):
    """The innermost function that is not inlined into another: the
    allocating function (xcalloc [inlined] -> table_put gives table_put)."""
    for f in stack:
        if not f["inlined"]:
            return f["function"]
    return stack[0]["function"] if stack else None


def at(entries, fn):
    """Entries whose place or innermost frame is fn."""
    return [e for e in entries
            if e["stack"] and (place(e["stack"]) == fn or e["stack"][0]["function"] == fn)]


def near(what, got, want):
    if want == 0 or abs(got - want) > TOLERANCE * want:
        fail("%s: the report says %d (%s), the program %d (%s): not within %d%%"
             % (what, got, mib(got), want, mib(want), TOLERANCE * 100))
    note("ok: %s %s, the program's own figure %s" % (what, mib(got), mib(want)))


def program_figures(path):
    """{tag: {name: int}} from the program's "# tag name=value" lines."""
    out = {}
    with open(path) as fh:
        for line in fh:
            if not line.startswith("# "):
                continue
            words = line[2:].split()
            if not words:
                continue
            vals = {}
            for w in words[1:] if "=" not in words[0] else words:
                if "=" in w:
                    k, v = w.split("=", 1)
                    vals[k] = int(v)
            out[words[0] if "=" not in words[0] else ""] = vals
    return out


def common(report):
    if not report["complete"]:
        fail("the log is not complete: %r" % report["partial"])
    if report["end"] != {"reason": "exit", "status": 0}:
        fail("the program did not exit 0: %r" % report["end"])
    if report["summary"]["lost_events"]:
        fail("%d events lost" % report["summary"]["lost_events"])


def retention_findings(report):
    return [f for f in report["findings"] if f["kind"].endswith("retention")]


def show(f):
    return "%s, %s at %s: %s" % (f["kind"], mib(f["bytes"]), place(f["stack"]), f["evidence"])


def finding_mentions(f, fn):
    """A finding names fn: in its stack, in a list of stacks it may carry
    (span retention names the survivors' stacks), or in its evidence."""
    if fn in functions(f["stack"]):
        return True
    for key in ("stacks", "survivors", "sites"):
        for e in f.get(key) or []:
            if isinstance(e, dict) and fn in functions(e.get("stack") or []):
                return True
    return fn in (f.get("evidence") or "")


def finding_class(f):
    """The size class a finding is about, if it says so as a member."""
    for key in ("class", "size_class", "class_size"):
        v = f.get(key)
        if isinstance(v, int):
            return v
        if isinstance(v, dict) and isinstance(v.get("size"), int):
            return v["size"]
    return None


# ---- gomap -----------------------------------------------------------------

def gomap(report, figs, kinds, variant):
    common(report)
    s = report["summary"]
    ins, dele = figs.get("insert"), figs.get("delete")
    if not ins or not dele:
        fail("the program did not print its '# insert' and '# delete' figures")
    array = dele["buckets_bytes"]

    # Block 1: what the report has today.
    near("peak heap", s["peak_bytes"], ins["peak"])
    near("leaked at exit (the map after deleting everything)", s["leaked_bytes"], dele["in_use"])
    leaks = at(report["leaks"], "make_bucket_array")
    if not leaks:
        fail("no leak at make_bucket_array; leaks at %s"
             % [place(e["stack"]) for e in report["leaks"]])
    got = sum(e["bytes"] for e in leaks)
    if got != array:
        fail("the bucket array left at exit: the report says %d at make_bucket_array, "
             "the program's array is %d bytes" % (got, array))
    note("ok: %s leaked at make_bucket_array (the bucket array, %d bytes)" % (mib(got), got))
    if report["leaks"][0] not in leaks:
        fail("the first leak is at %s, not make_bucket_array" % place(report["leaks"][0]["stack"]))
    peak = at(report["peak"], "make_bucket_array")
    if not peak:
        fail("make_bucket_array is not among the peak contributors: %s"
             % [place(e["stack"]) for e in report["peak"]])
    note("ok: %s of the peak at make_bucket_array" % mib(sum(e["bytes"] for e in peak)))
    if variant == "pointers":
        values = at(report["peak"], "new_value")
        if not values:
            fail("new_value (the values) is not among the peak contributors")
        note("ok: %s of the peak at new_value (the separately allocated values)"
             % mib(sum(e["bytes"] for e in values)))
        if at(report["leaks"], "new_value"):
            fail("values left at exit: every value was freed by its delete")

    # Block 2: the retention finding.
    note("-- retention findings --")
    if "bucket_retention" not in kinds:
        note("SKIP: memprof has no bucket_retention finding yet (kinds known: %s)"
             % (", ".join(sorted(kinds)) or "none"))
        return
    found = [f for f in report["findings"] if f["kind"] == "bucket_retention"]
    for f in found:
        note("finding: " + show(f))
    mine = [f for f in found if "make_bucket_array" in functions(f["stack"])]
    if not mine:
        fail("no bucket_retention finding at make_bucket_array; bucket_retention at %s"
             % [place(f["stack"]) for f in found])
    if not any(f["bytes"] <= s["leaked_bytes"] * (1 + TOLERANCE) and
               f["bytes"] >= array * 0.5 for f in mine):
        fail("the bucket_retention finding at make_bucket_array is about %s, "
             "the retained array is %s" % ([mib(f["bytes"]) for f in mine], mib(array)))
    note("ok: bucket_retention at make_bucket_array, %s" % mib(mine[0]["bytes"]))


# ---- fragment --------------------------------------------------------------

OBJECT_SIZE = 48


def fragment(report, figs, kinds):
    common(report)
    s = report["summary"]
    sv = figs.get("")
    if not sv or "survivor_bytes" not in sv:
        fail("the program did not print its '# survivors=' line")
    want_bytes, want_blocks = sv["survivor_bytes"], sv["survivors"]

    # Block 1: what the report has today.
    kept = at(report["leaks"], "keep_survivor")
    if not kept:
        fail("no leak at keep_survivor; leaks at %s" % [place(e["stack"]) for e in report["leaks"]])
    got = sum(e["bytes"] for e in kept), sum(e["blocks"] for e in kept)
    if got != (want_bytes, want_blocks):
        fail("live at exit at keep_survivor: the report says %d bytes in %d blocks, "
             "the program kept %d in %d" % (got[0], got[1], want_bytes, want_blocks))
    if s["leaked_bytes"] != want_bytes:
        fail("live at exit: the report says %d bytes, the survivors are %d"
             % (s["leaked_bytes"], want_bytes))
    note("ok: live at exit = the survivors, %d bytes in %d blocks" % got)
    if at(report["leaks"], "make_temporary"):
        fail("blocks of make_temporary live at exit: they were all freed")
    cls = [c for c in report["classes"] if c["size"] == OBJECT_SIZE]
    if not cls:
        fail("no %d-byte class in the report's classes" % OBJECT_SIZE)
    c = cls[0]
    if c["live_bytes"] < want_bytes or c["retained_bytes"] < 10 * c["live_bytes"]:
        fail("class %d: %d live bytes in %d retained: expected the survivors' spans "
             "to retain at least 10 times what is live" % (OBJECT_SIZE, c["live_bytes"],
                                                          c["retained_bytes"]))
    note("ok: class %d retains %s for %s live (%.1fx)" % (OBJECT_SIZE, mib(c["retained_bytes"]),
                                                        mib(c["live_bytes"]),
                                                        c["retained_bytes"] / c["live_bytes"]))

    # Block 2: the retention finding.
    note("-- retention findings --")
    if "span_retention" not in kinds:
        note("SKIP: memprof has no span_retention finding yet (kinds known: %s)"
             % (", ".join(sorted(kinds)) or "none"))
        return
    found = [f for f in report["findings"] if f["kind"] == "span_retention"]
    for f in found:
        note("finding: " + show(f))
    if not found:
        fail("no span_retention finding")
    mine = [f for f in found
            if (finding_class(f) == OBJECT_SIZE or
                (finding_class(f) is None and
                 ("%d-byte" % OBJECT_SIZE in f["evidence"] or
                  "class %d" % OBJECT_SIZE in f["evidence"])))]
    if not mine:
        fail("no span_retention finding at the %d-byte class: %s"
             % (OBJECT_SIZE, [show(f) for f in found]))
    if not any(finding_mentions(f, "keep_survivor") for f in mine):
        fail("the span_retention finding of class %d does not name keep_survivor, "
             "the survivors' function: %s" % (OBJECT_SIZE, [show(f) for f in mine]))
    if any(finding_mentions(f, "make_temporary") and not finding_mentions(f, "keep_survivor")
           for f in mine):
        fail("the span_retention finding blames make_temporary, whose objects were all freed")
    note("ok: span_retention at class %d naming keep_survivor" % OBJECT_SIZE)


# ---- healthy ---------------------------------------------------------------

LIBC_BUFFERS = ("_IO_file_doallocate",)  # stdio's buffer, kept to exit


def healthy(report, figs, kinds):
    common(report)
    s = report["summary"]

    # Block 1: nothing left at exit but the C library's own buffers.
    for e in report["leaks"]:
        if not any(fn in LIBC_BUFFERS for fn in functions(e["stack"])):
            fail("%s (%d blocks) live at exit at %s: a healthy example frees everything"
                 % (mib(e["bytes"]), e["blocks"], " <- ".join(map(str, functions(e["stack"])[:4]))))
    if s["leaked_bytes"] > 4096:
        fail("%d bytes live at exit" % s["leaked_bytes"])
    note("ok: %d bytes live at exit, peak %s" % (s["leaked_bytes"], mib(s["peak_bytes"])))
    bad = [f for f in report["findings"] if f["kind"] == "leak" and
           not any(fn in LIBC_BUFFERS for fn in functions(f["stack"]))]
    if bad:
        fail("leak findings: %s" % [show(f) for f in bad])

    # Block 2: no retention finding at all.
    note("-- retention findings --")
    if not kinds:
        note("SKIP: memprof has no retention finding kinds yet")
        return
    found = retention_findings(report)
    if found:
        fail("retention reported for a healthy program: %s" % [show(f) for f in found])
    note("ok: no retention finding (kinds known: %s)" % ", ".join(sorted(kinds)))


def main():
    if len(sys.argv) != 5:
        fail("usage: check.py CASE REPORT_JSON PROGRAM_OUTPUT KINDS")
    case, path, out, kinds_arg = sys.argv[1:]
    with open(path) as fh:
        report = json.load(fh)
    figs = program_figures(out)
    kinds = set(kinds_arg.split())
    kinds |= {f["kind"] for f in retention_findings(report)}
    if case == "gomap_inline":
        gomap(report, figs, kinds, "inline")
    elif case == "gomap_pointers":
        gomap(report, figs, kinds, "pointers")
    elif case == "fragment":
        fragment(report, figs, kinds)
    elif case.startswith("healthy_"):
        healthy(report, figs, kinds)
    else:
        fail("unknown case " + case)
    print("PASS: " + case)


if __name__ == "__main__":
    main()
