"""record_py.py: the python3 workload of bench/run-record.sh.

Run with PYTHONMALLOC=malloc (every object allocation goes to malloc, so
the profiler sees them all) and PYTHONHASHSEED=0 (dict and set order, and
so the allocation sequence, are the same on every run). Takes about 1 s
under glibc on a 2-core machine; `python3 record_py.py [scale]` changes
the amount of work (default 1.0).

Plain stdlib work of the kinds Python programs spend their allocations on:
building and parsing JSON, regular expressions over generated text,
dicts and Counters of strings, sorting records, small objects with
attributes, string formatting and joining, Decimal arithmetic. No I/O
besides the one result line, no threads, no randomness that is not seeded.

Prints: result checksum=<x> (the same on every run)
"""
import collections
import dataclasses
import decimal
import hashlib
import json
import random
import re
import sys

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu "
         "nu xi omicron pi rho sigma tau upsilon phi chi psi omega").split()


@dataclasses.dataclass
class Order:
    oid: int
    customer: str
    items: list
    total: decimal.Decimal
    tags: set


def make_orders(rng, n):
    orders = []
    for i in range(n):
        items = [(rng.choice(WORDS) + "-" + str(rng.randrange(100)),
                  rng.randrange(1, 5),
                  decimal.Decimal(rng.randrange(100, 10000)) / 100)
                 for _ in range(rng.randrange(1, 6))]
        total = sum((q * p for _, q, p in items), decimal.Decimal(0))
        orders.append(Order(i, "cust%04d" % rng.randrange(2000), items, total,
                            {rng.choice(WORDS) for _ in range(3)}))
    return orders


def json_round(orders):
    doc = [{"id": o.oid, "customer": o.customer,
            "items": [{"sku": s, "qty": q, "price": str(p)} for s, q, p in o.items],
            "total": str(o.total), "tags": sorted(o.tags)} for o in orders]
    text = json.dumps(doc, sort_keys=True)
    back = json.loads(text)
    return len(text), sum(len(d["items"]) for d in back)


LINE = re.compile(r"(?P<key>[a-z]+)-(?P<num>\d+)\s+qty=(?P<qty>\d+)")


def regex_pass(orders):
    lines = ["%s qty=%d price=%s" % (s, q, p) for o in orders for s, q, p in o.items]
    text = "\n".join(lines)
    counts = collections.Counter()
    for m in LINE.finditer(text):
        counts[m.group("key")] += int(m.group("qty"))
    words = re.split(r"[\s=\-]+", text)
    return sum(counts.values()), len(words), counts.most_common(3)


def group_and_sort(orders):
    by_customer = collections.defaultdict(list)
    for o in orders:
        by_customer[o.customer].append(o)
    ranked = sorted(by_customer.items(),
                    key=lambda kv: (-sum(o.total for o in kv[1]), kv[0]))
    report = []
    for cust, os_ in ranked[:200]:
        tags = collections.Counter(t for o in os_ for t in o.tags)
        report.append("{:<10} {:>4} {:>12} {}".format(
            cust, len(os_), str(sum(o.total for o in os_)),
            ",".join(t for t, _ in tags.most_common(2))))
    return "\n".join(report)


def churn_dicts(rng, n):
    cache = {}
    acc = 0
    for i in range(n):
        k = "k%d" % rng.randrange(5000)
        v = cache.get(k)
        if v is None:
            cache[k] = [i, str(i), (i, k)]
        else:
            v.append(i)
            if len(v) > 8:
                del cache[k]
        acc += len(cache)
    return acc


def main():
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    rng = random.Random(1234)
    h = hashlib.sha256()
    for rnd in range(max(1, round(2 * scale))):
        orders = make_orders(rng, 5000)
        h.update(repr(json_round(orders)).encode())
        h.update(repr(regex_pass(orders)).encode())
        h.update(group_and_sort(orders).encode())
        h.update(str(churn_dicts(rng, 50000)).encode())
    print("result checksum=%s" % h.hexdigest()[:16])


if __name__ == "__main__":
    main()
