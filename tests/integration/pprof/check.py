#!/usr/bin/env python3
"""check.py MEMPROF GO LOG PROFILE — integration.pprof (see ../pprof.cmake):
reads PROFILE (`memprof pprof LOG`'s output) with `go tool pprof` and checks
that it says what `memprof report --json --top 0 LOG` says, exactly:

  -top -sample_index=T   each function's flat value is the sum over the
                         report's stacks whose innermost frame it is, for
                         inuse_space/inuse_objects (the leaks list: bytes,
                         blocks) and alloc_space/alloc_objects (the
                         allocation list: bytes, allocations);
  -traces                each sample's stack (function names, leaf first)
                         and inuse_space are a leak of the report.

Prints the first mismatch and exits 1."""
import json
import os
import subprocess
import sys
from collections import Counter

MEMPROF, GO, LOG, PROFILE = sys.argv[1:5]


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail("%s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr))
    return p.stdout


def name(frame):
    """A frame's name as memprof names it (mp_frame_name)."""
    if frame["function"]:
        return frame["function"]
    return "%s+0x%x" % (os.path.basename(frame["module"]), frame["module_offset"])


def pprof(*args):
    return run(GO, "tool", "pprof", "-unit=B", *args, PROFILE)


def bare(fn):
    """A function as pprof prints it, without the " (inline)" or
    " (partial-inline)" it adds (inlined everywhere, or somewhere)."""
    for tag in (" (inline)", " (partial-inline)"):
        if fn.endswith(tag):
            return fn[:-len(tag)]
    return fn


def flat(text):
    """{function: flat value} of -top's non-zero rows."""
    rows, body = {}, False
    for line in text.splitlines():
        if line.split()[:2] == ["flat", "flat%"]:
            body = True
            continue
        if body and line.strip():
            f = line.split(None, 5)
            v = int(f[0].rstrip("B"))
            if v:
                rows[bare(f[5])] = rows.get(bare(f[5]), 0) + v
    if not body:
        fail("no table in go tool pprof -top's output:\n" + text)
    return rows


def traces(text):
    """Counter of (value, (functions, leaf first)) of -traces' samples."""
    out, cur, started = Counter(), None, False
    for line in text.splitlines():
        if line.startswith("-----------+"):
            started = True
            if cur:
                out[(cur[0], tuple(cur[1]))] += 1
            cur = None
        elif not started:
            continue  # the header: File, Type, Time...
        elif cur is None and line[:11].strip():
            cur = [int(line[:11].strip().rstrip("B")), [bare(line[11:].strip())]]
        elif cur is not None and line.strip():
            cur[1].append(bare(line.strip()))
    if cur:
        out[(cur[0], tuple(cur[1]))] += 1
    return out


report = json.loads(run(MEMPROF, "report", "--json", "--top", "0", LOG))
checks = [("inuse_space", "leaks", "bytes"), ("inuse_objects", "leaks", "blocks"),
          ("alloc_space", "top_allocations", "bytes"),
          ("alloc_objects", "top_allocations", "allocations")]
for index, lst, key in checks:
    want = {}
    for e in report[lst]:
        leaf = name(e["stack"][0]) if e["stack"] else "[no stack]"
        want[leaf] = want.get(leaf, 0) + e[key]
    want = {k: v for k, v in want.items() if v}
    got = flat(pprof("-top", "-nodecount=100000", "-nodefraction=0", "-sample_index=" + index))
    if got != want:
        fail("%s: go tool pprof -top says %s, memprof report's %s %s say %s"
             % (index, sorted(got.items()), lst, key, sorted(want.items())))
    print("%s: %d functions, %d in all, as memprof report says"
          % (index, len(got), sum(got.values())))

want = Counter((e["bytes"], tuple(name(f) for f in e["stack"]) or ("[no stack]",))
               for e in report["leaks"])
got = traces(pprof("-traces", "-sample_index=inuse_space"))
got = Counter({k: v for k, v in got.items() if k[0]})
if got != want:
    fail("go tool pprof -traces' stacks differ from memprof report's leaks:\n  pprof:  %s\n"
         "  report: %s" % (sorted(got.items()), sorted(want.items())))
print("inuse_space: %d stacks, each as memprof report's leaks" % sum(got.values()))
