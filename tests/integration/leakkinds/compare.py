#!/usr/bin/env python3
"""compare.py MEMPROF WORKDIR PROGRAM [ARGS...] — one leak-kind case.

Runs PROGRAM under `memprof run`, reads `memprof report --json --top=0`,
and sums, per leak kind, the blocks and bytes of the stacks that go
through the test programs' allocation helper `block` (common.h): blocks
the C library makes for itself (a thread's DTV, say) are left out, since
their sizes depend on how many libraries are loaded, which differs under
valgrind. Checks the sums against the figures this file expects, then runs
the same program under `valgrind --leak-check=full --show-leak-kinds=all`
and checks that memcheck's loss records through `block` give the same
blocks and bytes per kind. Exit 77 (ctest SKIP) when valgrind is missing,
after memprof's own figures were checked."""
import json
import os
import re
import shutil
import subprocess
import sys

KINDS = ("definite", "indirect", "possible", "reachable")

# Per program: kind -> (blocks, bytes), as its comment states.
EXPECT = {
    "definite": {"definite": (3, 600)},
    "indirect": {"definite": (2, 48 + 64), "indirect": (5, 4 * 48 + 64)},
    "possible": {"possible": (2, 64 + 128)},
    "reachable": {"reachable": (6, 256 + 40000 + 4 * 32)},
    "thread_exited": {"definite": (2, 500 + 700), "reachable": (1, 900)},
    "thread_live": {"reachable": (2, 600 + 400)},
    "dlopen": {"definite": (1, 111), "reachable": (1, 222)},
    "overflow": {"definite": (1, 24), "indirect": (2, 48),
                 "reachable": (1100001, 1100000 * 16 + 1100000 * 8)},
}

# Too many blocks for memcheck within a test's time: checked against the
# figures only, and the scan must say its mark stack overflowed.
NO_MEMCHECK = {"overflow": 2}  # MP_LEAKSCAN_OVERFLOW


def full(d):
    return {k: d.get(k, (0, 0)) for k in KINDS}


def memprof_kinds(memprof, workdir, name, argv):
    log = os.path.join(workdir, name + ".mpz")
    if os.path.exists(log):
        os.remove(log)
    run = subprocess.run([memprof, "run", "-o", log, "--"] + argv,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if run.returncode != 0:
        sys.exit("memprof run %s: exit %d\n%s" % (name, run.returncode, run.stderr))
    rep = subprocess.run([memprof, "report", "--json", "--top=0", log],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    data = json.loads(rep.stdout)
    if data["summary"]["leak_kinds"] is None:
        sys.exit("%s: the log has no leak scan" % name)
    got = {k: [0, 0] for k in KINDS}
    for leak in data["leaks"]:
        if not any(f.get("function") == "block" for f in leak["stack"]):
            continue
        for k in KINDS:
            got[k][0] += leak["kinds"][k]["blocks"]
            got[k][1] += leak["kinds"][k]["bytes"]
    dump = subprocess.run([memprof, "dump", log], stdout=subprocess.PIPE, text=True, check=True)
    flags = [int(m.group(1), 16) for m in re.finditer(r"^LEAKSCAN .* flags=0x([0-9a-f]+) ",
                                                      dump.stdout, re.M)]
    return {k: tuple(v) for k, v in got.items()}, data["summary"]["leak_kinds"], flags


RECORD = re.compile(r"^==\d+== ([\d,]+)(?: \(([\d,]+) direct, ([\d,]+) indirect\))? bytes in "
                    r"([\d,]+) blocks are (definitely lost|indirectly lost|possibly lost|"
                    r"still reachable) in loss record")
VG_KIND = {"definitely lost": "definite", "indirectly lost": "indirect",
           "possibly lost": "possible", "still reachable": "reachable"}


def num(s):
    return int(s.replace(",", ""))


def memcheck_kinds(argv):
    vg = subprocess.run(["valgrind", "--leak-check=full", "--show-leak-kinds=all",
                         "--num-callers=12"] + argv,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    got = {k: [0, 0] for k in KINDS}
    lines = vg.stderr.splitlines()
    summary = [l for l in lines if "LEAK SUMMARY" in l or re.search(r"(lost|reachable):", l)]
    for i, line in enumerate(lines):
        m = RECORD.match(line)
        if not m:
            continue
        frames = []
        for nxt in lines[i + 1:]:
            if not re.match(r"^==\d+==    (at|by) ", nxt):
                break
            frames.append(nxt)
        if not any(re.search(r": block \(", f) for f in frames):
            continue
        k = VG_KIND[m.group(5)]
        nbytes = num(m.group(2)) if m.group(2) else num(m.group(1))
        got[k][0] += num(m.group(4))
        got[k][1] += nbytes
    return {k: tuple(v) for k, v in got.items()}, "\n".join(summary)


def show(d):
    return ", ".join("%s %d blocks %d bytes" % (k, d[k][0], d[k][1]) for k in KINDS)


def main():
    memprof, workdir, prog = sys.argv[1], sys.argv[2], sys.argv[3]
    argv = sys.argv[3:]
    name = os.path.basename(prog)
    want = full(EXPECT[name])
    mine, mine_all, flags = memprof_kinds(memprof, workdir, name, argv)
    print("memprof : " + show(mine))
    print("memprof, every block: " + json.dumps(mine_all))
    if mine != want:
        sys.exit("FAIL %s: memprof found %s; expected %s" % (name, show(mine), show(want)))
    if name in NO_MEMCHECK:
        if not flags or not all(f & NO_MEMCHECK[name] for f in flags):
            sys.exit("FAIL %s: LEAKSCAN flags %s, expected bit %d" % (name, flags, NO_MEMCHECK[name]))
        print("PASS %s: the expected kinds (not run under memcheck: too slow)" % name)
        return
    if not shutil.which("valgrind"):
        print("SKIP: valgrind is not installed (scripts/deps.sh installs it); memprof's "
              "figures were checked")
        sys.exit(77)
    vg, summary = memcheck_kinds(argv)
    print("memcheck: " + show(vg))
    print(summary)
    if vg != mine:
        sys.exit("FAIL %s: memcheck %s; memprof %s" % (name, show(vg), show(mine)))
    print("PASS %s: the same kinds, blocks and bytes as memcheck" % name)


main()
