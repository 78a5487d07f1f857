#!/usr/bin/env python3
"""check_log.py [--known KIND@FUNCTION@EXE]... REPORT.json... — the checks
lib.sh makes on `memprof report --json` of each log a real program wrote. Prints one line per log;
exits 1 if any check failed.

A log must be complete (read to its END record, not damaged), have no lost
events, and carry no finding but "leak": the programs of tests/real are
healthy, so a bucket, span or idle retention finding on them is a false
one. Leaks are blocks still allocated at exit, which these programs do
have (interpreters and libraries keep one-time state); what must not
happen is a block reported leaked that the program freed. The log carries
the allocator's exact counters at the end (its CLASSES/SNAPSHOT records:
`classes[].live_objects`, `heap.large_objects`), independent of the event
stream; the replay of the events may find fewer live blocks (the shim's own
start-up allocations and anything allocated before recording began are not
events) but never more: more would be frees the log lost.

--known names a false finding memprof is known to make on this program
(the test script says why and what it is): that finding is printed as
KNOWN rather than failing the test, and the test fails if it no longer
appears, so that the exception is removed with the bug.
"""
import json
import os
import sys

ok = True


def fail(log, msg):
    global ok
    ok = False
    print("  FAIL %s: %s" % (log, msg))


args = sys.argv[1:]
known = {}
while len(args) >= 2 and args[0] == "--known":
    known[tuple(args[1].split("@"))] = 0
    args = args[2:]

for path in args:
    with open(path) as f:
        r = json.load(f)
    log = os.path.basename(r["log"])
    s = r["summary"]
    if not r["complete"] or r["partial"] is not None:
        fail(log, "incomplete log: %r" % (r["partial"],))
    end = r["end"] or {}
    if end.get("reason") not in ("exit", "exec"):
        fail(log, "the log ends with %r, not an exit or exec" % (end,))
    if s["lost_events"]:
        fail(log, "%d events lost" % s["lost_events"])
    others = [f for f in r["findings"] if f["kind"] != "leak"]
    exe = os.path.basename(r["process"]["exe"])
    for f in others:
        where = f["stack"][0]["function"] if f["stack"] else None
        if (f["kind"], where, exe) in known:
            known[(f["kind"], where, exe)] += 1
            print("  KNOWN %s: %s at %s (a known false finding, see the test script): %s"
                  % (log, f["kind"], where, f["evidence"]))
            continue
        fail(log, "false %s finding (%d bytes, %d blocks, at %s): %s"
             % (f["kind"], f["bytes"], f["blocks"], where, f["evidence"]))
    live = sum(c["live_objects"] for c in r["classes"])
    heap = r["heap"]
    if heap is None or heap["large_objects"] is None:
        fail(log, "no allocator counters at the end of the log")
    else:
        live += heap["large_objects"]
        if s["leaked_blocks"] > live:
            fail(log, "%d blocks reported leaked, but the allocator had only %d live at the end"
                 % (s["leaked_blocks"], live))
    leaks = sum(1 for f in r["findings"] if f["kind"] == "leak")
    print("  %s: %s, %d events, peak %d B, leaked %d B in %d blocks (allocator: %d live), "
          "%d leak findings, %d other"
          % (log, exe, s["events"], s["peak_bytes"],
             s["leaked_bytes"], s["leaked_blocks"], live, leaks, len(others)))

for k, n in known.items():
    if n == 0:
        fail("-", "the known false finding %s no longer appears: remove --known from the test"
             % "@".join(k))

sys.exit(0 if ok else 1)
