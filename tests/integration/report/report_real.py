#!/usr/bin/env python3
"""report_real.py CASE JSON [ARGS] — checks `memprof report --json` of the
programs in this directory against what they did (report_real.sh runs it).

A stack's place is the function of its innermost frame (shim frames are
already dropped by the report). Each check names what it expected and what
the report said; the exit status is 1 on the first failure.
"""
import json
import os
import sys


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def top_function(entry):
    stack = entry["stack"]
    return stack[0]["function"] if stack else None


def by_function(entries):
    """Entries keyed by their innermost function; several stacks of one
    function (two call sites) are summed."""
    out = {}
    for e in entries:
        out.setdefault(top_function(e), []).append(e)
    return out


def expect(what, got, want):
    if got != want:
        fail("%s: the report says %r, expected %r" % (what, got, want))


def check_frames(report):
    """Every frame has the documented keys; no frame is memprof's own."""
    keys = {"function", "file", "line", "module", "module_offset", "inlined"}
    for lst in ("findings", "leaks", "peak", "top_allocations", "top_temporary"):
        for e in report[lst]:
            for f in e["stack"]:
                if set(f) != keys:
                    fail("frame keys %s, expected %s" % (sorted(f), sorted(keys)))
                if f["module"] and "libmemprof" in os.path.basename(f["module"]):
                    fail("a shim frame in %s: %r" % (lst, f))


def leaks(report, dlib):
    check_frames(report)
    s = report["summary"]
    expect("complete", report["complete"], True)
    expect("end", report["end"], {"reason": "exit", "status": 0})
    findings = [f for f in report["findings"] if f["kind"] == "leak"]
    got = by_function(findings)
    # function -> (bytes, blocks)
    want = {
        "main": (4 * 24, 4),
        "leak_in_callee": (7 * 40, 7),
        "leak_by_realloc": (3000, 1),
        "dl_leak": (5 * 72, 5),
    }
    for fn, (nbytes, nblocks) in want.items():
        if fn not in got:
            fail("no leak finding at %s; findings at %s" % (fn, sorted(map(str, got))))
        expect("leak bytes at " + fn, sum(f["bytes"] for f in got[fn]), nbytes)
        expect("leak blocks at " + fn, sum(f["blocks"] for f in got[fn]), nblocks)
        for f in got[fn]:
            if not f["evidence"] or not f["advice"]:
                fail("a finding at %s without evidence or advice" % fn)
    # The library's frame names the library, with a source line.
    dl = got["dl_leak"][0]["stack"][0]
    expect("dl_leak's module", os.path.realpath(dl["module"]), os.path.realpath(dlib))
    expect("dl_leak's file", os.path.basename(dl["file"] or ""), "report_dl.c")
    if not dl["line"]:
        fail("dl_leak's frame has no line")
    # The leaks list agrees with the findings.
    lk = by_function(report["leaks"])
    for fn, (nbytes, nblocks) in want.items():
        expect("leaks list bytes at " + fn, sum(e["bytes"] for e in lk.get(fn, [])), nbytes)
        expect("leaks list blocks at " + fn, sum(e["blocks"] for e in lk.get(fn, [])), nblocks)
    # Our blocks are lost (kept[] is cleared before exit); the leak scan
    # names the kind, and a stack whose blocks all stay reachable (the
    # dynamic loader's table) is in the list but is not a leak finding.
    if report["summary"].get("leak_kinds") is not None:
        for fn in want:
            for e in lk[fn]:
                expect("leak kinds at " + fn, e["kinds"]["definite"]["blocks"], e["blocks"])
        reach_only = [e for e in report["leaks"]
                      if e.get("kinds") and e["kinds"]["reachable"]["blocks"] == e["blocks"]]
        if not reach_only:
            fail("no stack that is only still reachable (the loader's own table): %r"
                 % [e.get("kinds") for e in report["leaks"]])
        for e in reach_only:
            if any(f["stack"] == e["stack"] for f in findings):
                fail("a still reachable stack is a leak finding: %r" % e["stack"][:2])
    # Whatever else leaks (the dynamic loader's own blocks after dlclose)
    # is in the summary too, never less than ours.
    ours = sum(b for b, _ in want.values())
    if s["leaked_bytes"] < ours:
        fail("summary leaked_bytes %d < the program's own %d" % (s["leaked_bytes"], ours))

    # The peak: the 100 blocks of peak_phase on top of the leaks before it.
    expect("peak_bytes", s["peak_bytes"], 1000000 + 96 + 280 + 3000)
    expect("peak_blocks", s["peak_blocks"], 100 + 4 + 7 + 1)
    peak = by_function(report["peak"])
    expect("peak_phase's share of the peak", sum(e["bytes"] for e in peak.get("peak_phase", [])), 1000000)
    expect("peak_phase's blocks at the peak", sum(e["blocks"] for e in peak.get("peak_phase", [])), 100)
    expect("the first peak contributor", top_function(report["peak"][0]), "peak_phase")

    # Temporaries: 300 in temporaries(), the biggest number of any stack.
    tmp = by_function(report["top_temporary"])
    expect("temporary allocations in temporaries",
           sum(e["temporary"] for e in tmp.get("temporaries", [])), 300)
    expect("the first temporary stack", top_function(report["top_temporary"][0]), "temporaries")
    if s["temporary_allocations"] < 300:
        fail("summary temporary_allocations %d < 300" % s["temporary_allocations"])
    top = by_function(report["top_allocations"])
    expect("allocations in temporaries", sum(e["allocations"] for e in top.get("temporaries", [])), 300)

    # The size classes: documented keys, and retained >= live in each.
    for c in report["classes"]:
        for k in ("size", "live_objects", "live_bytes", "retained_bytes", "released_bytes"):
            if k not in c:
                fail("class without %s: %r" % (k, c))
        expect("class %d live_bytes" % c["size"], c["live_bytes"], c["live_objects"] * c["size"])
    if not report["classes"]:
        fail("no size class in the report")
    if s["rss_peak_bytes"] is None or s["rss_peak_bytes"] <= 0:
        fail("no RSS peak")
    if not (s["allocations"] >= 4 + 7 + 3 + 100 + 300 + 5 and s["frees"] >= 100 + 300):
        fail("allocations %d / frees %d too few" % (s["allocations"], s["frees"]))
    print("ok: leaks at main, leak_in_callee, leak_by_realloc, dl_leak; peak %d; 300 temporaries"
          % s["peak_bytes"])


def clean(report):
    check_frames(report)
    expect("findings", report["findings"], [])
    expect("leaks", report["leaks"], [])
    expect("leaked_bytes", report["summary"]["leaked_bytes"], 0)
    expect("leaked_blocks", report["summary"]["leaked_blocks"], 0)
    if report["summary"]["allocations"] < 128:
        fail("the clean program's allocations are missing")
    print("ok: nothing flagged on a clean program")


def fork(reports):
    if not isinstance(reports, list) or len(reports) != 2:
        fail("expected a JSON array of 2 reports")
    parent, child = reports
    expect("the child's ppid", child["process"]["ppid"], parent["process"]["pid"])
    for rep, fn, nbytes, nblocks in ((parent, "parent_leak", 88, 2), (child, "child_leak", 99, 3)):
        check_frames(rep)
        got = by_function(rep["findings"])
        if fn not in got:
            fail("no leak at %s in %s" % (fn, rep["log"]))
        expect(fn + " bytes", sum(f["bytes"] for f in got[fn]), nbytes)
        expect(fn + " blocks", sum(f["blocks"] for f in got[fn]), nblocks)
    if "child_leak" in by_function(parent["findings"]):
        fail("the child's leak is in the parent's report")
    print("ok: parent and child reported together")


def partial(report):
    expect("complete", report["complete"], False)
    p = report["partial"]
    if not p or not p["damaged"] or p["offset"] <= 0 or not p["reason"]:
        fail("partial: %r" % (p,))
    print("ok: partial at byte %d: %s" % (p["offset"], p["reason"]))


def main():
    case, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        data = json.load(f)
    if case == "leaks":
        leaks(data, sys.argv[3])
    elif case == "clean":
        clean(data)
    elif case == "fork":
        fork(data)
    elif case == "partial":
        partial(data)
    else:
        fail("unknown case " + case)


if __name__ == "__main__":
    main()
