#!/usr/bin/env python3
"""Regenerates fuzz/corpus/ (docs/hardening.md): the seed inputs of the
fuzz targets. Run from the source tree after a build:

    fuzz/mkseeds.py BUILD_DIR

fuzz_log: small real logs that memprof run recorded from test programs
(threads, fork, dlopen, realloc, leaks, sampled mode) and the dump test's
synthetic log with every record type; each also truncated (in the file
header, in a chunk header, in a frame), with a chunk header field changed,
and in the records form fuzz_log.c describes (decompressed chunks joined by
"MPCK", which the harness recompresses), once as is and once with bytes of
a record changed. Needs the zstd command (Debian: zstd) to decompress.
fuzz_options and fuzz_suppress: written out below.
"""
import os, struct, subprocess, sys, tempfile

src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(src, "build"))
memprof = os.path.join(build, "bin", "memprof")
T = os.path.join(build, "tests", "integration")
out = os.path.join(src, "fuzz", "corpus")

def write(target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def chunks(log):
    """(offset, header, frame) of each whole chunk."""
    at, res = 16, []
    while at + 16 <= len(log):
        magic, csize, rsize, seq = struct.unpack_from("<4sIII", log, at)
        if magic != b"MPCK" or at + 16 + csize > len(log):
            break
        res.append((at, log[at:at + 16], log[at + 16:at + 16 + csize]))
        at += 16 + csize
    return res

def records_form(log):
    parts = []
    for _, _, frame in chunks(log):
        parts.append(subprocess.run(["zstd", "-d", "-c", "-q"], input=frame,
                                    stdout=subprocess.PIPE, check=True).stdout)
    return b"MPCK".join(parts)

def log_seeds(name, log):
    write("fuzz_log", name, log)
    cs = chunks(log)
    write("fuzz_log", name + ".cut-header", log[:10])
    if cs:
        at = cs[-1][0]
        write("fuzz_log", name + ".cut-chunk-header", log[:at + 9])
        write("fuzz_log", name + ".cut-frame", log[:at + 16 + len(cs[-1][2]) // 2])
        bad = bytearray(log)
        bad[at + 12] ^= 0x01          # the last chunk's seq
        write("fuzz_log", name + ".bad-seq", bytes(bad))
    rec = records_form(log)
    write("fuzz_log", name + ".records", rec)
    bad = bytearray(rec)
    for k in range(1, 6):             # a few bytes well inside the records
        bad[len(bad) * k // 6] ^= 0x40
    write("fuzz_log", name + ".records-flipped", bytes(bad))

with tempfile.TemporaryDirectory() as tmp:
    runs = {
        "chains": ["flamegraph/chains"],
        "threads": ["record/thread_exit"],
        "xthread": ["record/xthread_order"],
        "apimix": ["record/api_mix"],
        "dlopen": ["record/dlopen_attrib"],
        "leaky": ["check/leaky"],
        "fork": ["report/fork_prog"],
    }
    for name, argv in runs.items():
        log = os.path.join(tmp, name + ".mpz")
        subprocess.run([memprof, "run", "-o", log, "--", os.path.join(T, argv[0])] + argv[1:],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       cwd=os.path.join(T, os.path.dirname(argv[0])))
        with open(log, "rb") as f:
            log_seeds(name, f.read())
    log = os.path.join(tmp, "sampled.mpz")
    subprocess.run([memprof, "run", "--sample=4k", "-o", log, "--",
                    os.path.join(T, "sampled/sample_workload")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(log, "rb") as f:
        log_seeds("sampled", f.read())
    log = os.path.join(tmp, "mklog.mpz")
    subprocess.run([os.path.join(T, "dump", "mklog"), log], check=True,
                   stdout=subprocess.DEVNULL)
    with open(log, "rb") as f:
        log_seeds("every-record", f.read())

options = {
    "shim-all": "mode=full:stats=1:scavenge_delay_ms=250:background_thread=0:verbose=1:depth=16:"
                "flush_ms=5:snapshot_ms=100:follow_fork=0:follow_exec=0:hollow_min=4096:"
                "hollow_signal=10:sample=524288:log=/tmp/x.mpz",
    "shim-bad": "mode=sample:depth=0:depth=257:flush_ms=:log=:stats=2:unknown=1::=:sample=99999999999",
    "shim-empty-items": "::::mode=off:",
    "argv-run": "--mode=full\x00-o\x00out.mpz\x00--top\x00010\x00--max-leaked=2m\x00--\x00prog\x00-l",
    "argv-short": "-q\x00-ofile\x00-o\x00--json\x00LOG\x00--top=5\x00extra",
    "argv-bad": "--json=1\x00--help=x\x00--nope\x00-z\x00--top",
    "argv-help": "--max-leaked\x001g\x00-h\x00--max-leaked=99999999999999999999k",
    "argv-sizes": "--max-leaked=0\x00--max-leaked=1K\x00--max-leaked=1024G\x00--max-leaked=7x\x00"
                  "--max-leaked=-1\x00--max-leaked=\x00LOG",
}
for name, text in options.items():
    write("fuzz_options", name, text)

supps = {
    "lsan-style": "# a comment\nleak:libfoo.so\nleak:^_IO_\nleak:my_alloc$\n\n  leak:  spaced  \n",
    "wildcards": "leak:*\nleak:^*$\nleak:a*b*c\nleak:^main$\nleak:leaky.c\n",
    "bad-lines": "leak:\nleak:^\nleak:$\nleak:^$\nrace:foo\nnot a rule\n:\nleak",
    "crlf": "leak:foo\r\n\tleak:bar\t\r\n# x\r\n",
    "pairs": "a*b\naxxb\n^ab$\nab\nx$\naxx\n*a*\nbab\n",
}
for name, text in supps.items():
    write("fuzz_suppress", name, text)
