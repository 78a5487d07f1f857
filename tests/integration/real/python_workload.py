"""Workload for integration.real.python3 (run by python3.sh, plain and with
the memprof shim preloaded). Stdlib only; every printed line is deterministic
(PYTHONHASHSEED=0 is set by the driver, threads report in a fixed order), so
the two runs must print exactly the same thing.

It allocates and frees on the order of 10^6 objects of many sizes: dicts,
lists, strings, big integers, bytes; grows and shrinks containers (realloc);
builds reference cycles for the garbage collector; runs worker threads
that allocate in one thread and free in another through queue.Queue; and
forks (a bare child, then a fork-based multiprocessing pool whose handler
threads are running when the workers are forked).
"""

import bisect
import collections
import gc
import hashlib
import heapq
import io
import itertools
import json
import math
import multiprocessing
import os
import random
import re
import struct
import sys
import threading
import queue
import zlib


def digest(obj):
    """Short stable hash of a value's repr (or bytes)."""
    data = obj if isinstance(obj, (bytes, bytearray)) else repr(obj).encode()
    return hashlib.sha256(data).hexdigest()[:16]


def out(name, value):
    print(f"{name}: {value}", flush=True)


def allocator_name():
    try:
        import _testcapi
        return _testcapi.pymem_getallocatorsname()
    except Exception:  # not built with _testcapi: still deterministic
        return "unknown"


def records(rng, n):
    cities = ["Oslo", "Lima", "Kyiv", "Rome", "Pune", "Cork", "Baku", "Nice"]
    return [
        {
            "id": i,
            "name": "user-%06d" % rng.randrange(10**6),
            "city": cities[rng.randrange(len(cities))],
            "score": rng.randrange(10**5) / 7.0,
            "tags": [rng.choice("abcdefghij") * rng.randrange(1, 6) for _ in range(rng.randrange(4))],
        }
        for i in range(n)
    ]


def section_dicts_lists(rng):
    recs = records(rng, 120_000)
    by_city = collections.defaultdict(list)
    for r in recs:
        by_city[r["city"]].append(r)
    out("cities", sorted((c, len(v)) for c, v in by_city.items()))
    recs.sort(key=lambda r: (r["city"], -r["score"], r["id"]))
    out("sorted.head", [r["id"] for r in recs[:8]])
    out("sorted.digest", digest([r["id"] for r in recs]))
    index = {r["name"] + "/" + str(r["id"]): r for r in recs}
    for k in list(index)[::3]:
        del index[k]
    out("index.left", len(index))
    tags = collections.Counter(t for r in recs for t in r["tags"])
    out("tags.top", tags.most_common(5))
    od = collections.OrderedDict((r["id"], r["score"]) for r in recs[:20000])
    for _ in range(5000):
        k, v = od.popitem(last=False)
        od[k] = v * 2
    out("ordered", (len(od), next(iter(od)), round(sum(od.values()), 3)))
    return recs


def section_json(recs):
    text = json.dumps(recs[:60_000], sort_keys=True)
    back = json.loads(text)
    out("json.len", len(text))
    out("json.digest", digest(text.encode()))
    out("json.roundtrip", back == recs[:60_000])
    pretty = json.dumps(back[:2000], indent=2, sort_keys=True)
    out("json.pretty.lines", pretty.count("\n"))


def section_text(rng):
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    buf = io.StringIO()
    for i in range(150_000):
        buf.write(f"{words[rng.randrange(8)]}-{rng.randrange(10**6)} ")
        if i % 13 == 0:
            buf.write("mail%d@example.org\n" % i)
    text = buf.getvalue()
    out("text.len", len(text))
    mails = re.findall(r"\bmail(\d+)@example\.org\b", text)
    out("re.mails", (len(mails), mails[:3], mails[-1]))
    counts = collections.Counter(re.findall(r"([a-z]+)-(\d)", text))
    out("re.pairs", sorted(counts.items())[:6])
    swapped = re.sub(r"(\w+)-(\d+)", r"\2:\1", text)
    out("re.sub", digest(swapped.encode()))
    parts = text.split()
    out("split", (len(parts), digest(" ".join(sorted(set(parts))[:5000]))))
    up = "".join(p.upper()[::-1] for p in parts[:50_000])
    out("upper", digest(up))


def section_numbers(rng):
    nums = [rng.randrange(-10**9, 10**9) for _ in range(400_000)]
    s = sorted(nums)
    out("ints.sorted", (s[0], s[len(s) // 2], s[-1]))
    out("ints.bisect", [bisect.bisect_left(s, x) for x in (-10**8, 0, 10**8)])
    out("heap.nsmallest", heapq.nsmallest(5, nums))
    h = []
    for x in nums[:100_000]:
        heapq.heappush(h, x)
        if len(h) > 1000:
            heapq.heappop(h)
    out("heap.kept", (len(h), h[0]))
    f = math.factorial(6000)
    # hex(): str() of a huge int is capped by sys.set_int_max_str_digits
    # in recent Pythons; hex() is not, and is as allocation-heavy.
    out("bigint.hex", (len(hex(f)), f.bit_length()))
    out("bigint.mod", f % (10**9 + 7))
    p = 1
    for k in range(1, 3000):
        p = p * (2 * k + 1) // math.gcd(p, k)
    out("bigint.p", p % 1_000_003)
    floats = [rng.random() for _ in range(200_000)]
    out("fsum", round(math.fsum(floats), 9))
    packed = struct.pack("<%dd" % len(floats), *floats)
    out("struct", digest(packed))


def section_bytes(rng):
    data = bytearray()
    for i in range(20_000):
        data += bytes([i % 251]) * rng.randrange(1, 200)
    out("bytearray.len", len(data))
    z = zlib.compress(bytes(data), 6)
    out("zlib", (len(z), zlib.decompress(z) == data))
    del data[::2]
    out("bytearray.shrunk", (len(data), digest(data)))
    h = hashlib.sha1()
    for chunk in itertools.islice(itertools.cycle([b"x" * 100, b"y" * 10_000, b"z" * 100_000]), 300):
        h.update(chunk)
    out("sha1", h.hexdigest())


class Node:
    __slots__ = ("value", "next", "__weakref__")

    def __init__(self, value):
        self.value = value
        self.next = None


def section_cycles():
    gc.collect()
    nodes = []
    for i in range(60_000):
        a, b = Node(i), Node(-i)
        a.next, b.next = b, a  # a cycle only the collector can free
        nodes.append(a)
    total = sum(n.value + n.next.value for n in nodes[:1000])
    del nodes
    freed = gc.collect()
    out("gc.cycles", (total, freed >= 110_000))
    d = {}
    for i in range(200_000):
        d[i] = [i] * (i % 5)
    for i in range(0, 200_000, 2):
        del d[i]
    out("dict.sparse", (len(d), sum(len(v) for v in d.values())))


def worker(wid, jobs, results):
    rng = random.Random(1000 + wid)
    acc = hashlib.sha256()
    count = 0
    while True:
        item = jobs.get()
        if item is None:
            break
        # item was allocated by the main thread; the result by this one and
        # freed by the main thread.
        words = [w * (1 + rng.randrange(3)) for w in item]
        acc.update(" ".join(sorted(words)).encode())
        results.put((wid, count, {w: len(w) for w in words}))
        count += 1
    results.put((wid, -1, (count, acc.hexdigest()[:16])))


def section_threads():
    nworkers = 4
    queues = [queue.Queue(maxsize=64) for _ in range(nworkers)]
    results = queue.Queue()
    threads = [threading.Thread(target=worker, args=(w, queues[w], results)) for w in range(nworkers)]
    for t in threads:
        t.start()
    rng = random.Random(7)
    for i in range(8000):
        item = ["w%d_%d" % (i, rng.randrange(1000)) for _ in range(1 + i % 20)]
        queues[i % nworkers].put(item)
    for q in queues:
        q.put(None)
    summary, sizes = {}, collections.Counter()
    done = 0
    while done < nworkers:
        wid, seq, payload = results.get()
        if seq == -1:
            summary[wid] = payload
            done += 1
        else:
            sizes[wid] += sum(payload.values())
    for t in threads:
        t.join()
    for wid in sorted(summary):
        out("thread.%d" % wid, (summary[wid], sizes[wid]))


def square_words(chunk):
    """Runs in a forked pool worker: allocates, returns a small summary."""
    words = ["%x" % (v * v) for v in chunk]
    return len(words), sum(len(w) for w in words), digest(" ".join(sorted(words)))


def section_fork():
    # A plain fork: the child allocates and frees, exits with a status
    # computed from what it built; os._exit skips interpreter teardown.
    pid = os.fork()
    if pid == 0:
        try:
            d = {i: str(i) * 3 for i in range(50_000)}
            status = 10 + len(d) % 7
        finally:
            os._exit(locals().get("status", 99))
    _, st = os.waitpid(pid, 0)
    out("fork.child", os.WEXITSTATUS(st) if os.WIFEXITED(st) else "signal %d" % os.WTERMSIG(st))
    # A fork-based pool: its handler threads run in the parent while the
    # workers are forked, so a lock held at fork time must not leak into a
    # child.
    ctx = multiprocessing.get_context("fork")
    data = list(range(200_000))
    chunks = [data[i:i + 5000] for i in range(0, len(data), 5000)]
    with ctx.Pool(2) as pool:
        res = pool.map(square_words, chunks)
    out("pool", (len(res), sum(r[0] for r in res), sum(r[1] for r in res), digest([r[2] for r in res])))


def main():
    out("python", "%d.%d" % sys.version_info[:2])
    out("allocator", allocator_name())
    rng = random.Random(12345)
    recs = section_dicts_lists(rng)
    section_json(recs)
    del recs
    section_text(rng)
    section_numbers(rng)
    section_bytes(rng)
    section_cycles()
    section_threads()
    section_fork()
    out("done", True)


if __name__ == "__main__":
    main()
