"""stdlib_workload.py — a Python program that leans on the standard library
(json, re, sqlite3, threading, collections, hashlib, zlib, csv, decimal,
datetime, heapq, struct, dataclasses), for real.python3 (python3.sh).

Everything it prints is deterministic (PYTHONHASHSEED=0 is set by the
test, and nothing depends on time or thread scheduling), so the output is
compared byte for byte with the plain run's.
"""
import collections
import csv
import dataclasses
import datetime
import decimal
import hashlib
import heapq
import io
import itertools
import json
import queue
import re
import sqlite3
import struct
import sys
import threading
import zlib


@dataclasses.dataclass(order=True)
class Order:
    total: decimal.Decimal
    id: int
    customer: str
    items: list = dataclasses.field(default_factory=list)


def make_orders(n):
    out = []
    for i in range(n):
        items = [("sku-%04d" % ((i * 31 + k) % 997), (i + k) % 5 + 1) for k in range(i % 6)]
        total = sum(decimal.Decimal(q) * decimal.Decimal("%d.%02d" % (len(s), i % 100)) for s, q in items)
        out.append(Order(total, i, "cust-%03d" % (i * 7 % 400), items))
    return out


def section(name):
    print("== " + name)


# 1. json: a nested document out and back, pretty and compact.
section("json")
orders = make_orders(5000)
doc = {"orders": [{"id": o.id, "customer": o.customer, "total": str(o.total),
                   "items": [{"sku": s, "qty": q} for s, q in o.items]} for o in orders]}
text = json.dumps(doc, sort_keys=True)
back = json.loads(text)
pretty = json.dumps(back["orders"][:50], indent=2)
print(len(text), len(pretty), hashlib.sha256(text.encode()).hexdigest()[:16])
print(sum(len(o["items"]) for o in back["orders"]))

# 2. re: tokenising the JSON text, substitutions, named groups.
section("re")
tok = re.compile(r'"(?P<key>[a-z]+)":\s*(?P<val>"[^"]*"|\d+)')
keys = collections.Counter(m.group("key") for m in tok.finditer(text))
print(sorted(keys.items()))
skus = re.findall(r"sku-(\d{4})", text)
print(len(skus), len(set(skus)), max(skus))
print(re.sub(r"cust-(\d+)", lambda m: "C" + m.group(1)[::-1], text[:200]))

# 3. sqlite3 (the module): an in-memory database, executemany, a join.
section("sqlite3")
db = sqlite3.connect(":memory:")
db.execute("CREATE TABLE o(id INTEGER PRIMARY KEY, customer TEXT, total TEXT)")
db.execute("CREATE TABLE i(order_id INTEGER, sku TEXT, qty INTEGER)")
db.executemany("INSERT INTO o VALUES(?,?,?)", ((o.id, o.customer, str(o.total)) for o in orders))
db.executemany("INSERT INTO i VALUES(?,?,?)", ((o.id, s, q) for o in orders for s, q in o.items))
db.execute("CREATE INDEX i_sku ON i(sku)")
db.commit()
for row in db.execute("SELECT sku, sum(qty), count(DISTINCT order_id) FROM i GROUP BY sku "
                      "ORDER BY sum(qty) DESC, sku LIMIT 5"):
    print(row)
print(db.execute("SELECT count(*), min(customer), max(customer) FROM o JOIN i ON i.order_id = o.id "
                 "WHERE i.qty > 3").fetchone())
db.close()

# 4. threading: workers hash and compress chunks from a queue; results are
# put back in order, so the output does not depend on scheduling.
section("threading")
work = queue.Queue()
results = {}
lock = threading.Lock()


def worker():
    while True:
        item = work.get()
        if item is None:
            return
        n, data = item
        digest = hashlib.sha1(data).hexdigest()
        packed = zlib.compress(data, 6)
        assert zlib.decompress(packed) == data
        with lock:
            results[n] = (digest[:12], len(packed))


threads = [threading.Thread(target=worker) for _ in range(4)]
for t in threads:
    t.start()
for n in range(200):
    work.put((n, ("%d:" % n).encode() * (500 + n * 37)))
for _ in threads:
    work.put(None)
for t in threads:
    t.join()
print(len(results), results[0], results[199], sum(v[1] for v in results.values()))

# 5. collections, heapq, itertools: a word index, top-k, a deque window.
section("collections")
words = re.findall(r"[a-z]+", text.replace("sku", " sku ").replace("cust", " cust "))
index = collections.defaultdict(list)
for pos, w in enumerate(words[:100000]):
    index[w].append(pos)
print(len(words), len(index), [(w, len(p)) for w, p in sorted(index.items())][:5])
print(heapq.nlargest(3, orders)[0].id, heapq.nsmallest(3, (o.total for o in orders)))
window = collections.deque(maxlen=7)
acc = 0
for o in orders:
    window.append(o.total)
    acc = max(acc, sum(window))
print(acc)
od = collections.OrderedDict((o.customer, o.id) for o in orders)
od.move_to_end("cust-000")
print(len(od), next(iter(od)), list(od)[-1])
groups = {k: len(list(g)) for k, g in itertools.groupby(sorted(o.customer[:6] for o in orders))}
print(sorted(groups.items())[:3])

# 6. csv, struct, datetime: a report written and read back.
section("csv")
buf = io.StringIO()
w = csv.writer(buf)
base = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
for o in orders[:5000]:
    w.writerow([o.id, o.customer, o.total, (base + datetime.timedelta(minutes=o.id * 17)).isoformat()])
rows = list(csv.reader(io.StringIO(buf.getvalue())))
print(len(rows), rows[4999])
packed = b"".join(struct.pack("<iQd", o.id, len(o.items), float(o.total)) for o in orders)
print(len(packed), struct.unpack_from("<iQd", packed, 20 * 1000))

# 7. Garbage: reference cycles only the collector can free.
section("gc")
import gc
import weakref


class Node:
    pass


for _ in range(3):
    ring = [Node() for _ in range(20000)]
    for a, b in zip(ring, ring[1:] + ring[:1]):
        a.next = b
    first = weakref.ref(ring[0])
    del ring, a, b
    gc.collect()
    print(first() is None)
del doc, back, text, orders, index, words, rows, packed
print("done", sys.version_info[0])
