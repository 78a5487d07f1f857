#!/usr/bin/env python3
"""check.py FLAME_SVG ICICLE_SVG — checks the SVGs `memprof flamegraph
--metric=allocated` drew of chains.c (flamegraph.sh renders them; see
../flamegraph.cmake): well-formed XML with an <svg> root; the embedded
script (inline, no external reference); one frame (<g class="frame">)
named main, a, b and c each, with data-value 3500, 3000, 3000 and 500;
b nested over a over main (depth + 1 each; x inside its parent's); a
<title> tooltip for each; flame orientation puts main below b, icicle
above. Exit status 1 on the first failure.
"""
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def frames(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail(f"{path}: not well-formed XML: {e}")
    if root.tag != SVG + "svg":
        fail(f"{path}: root is {root.tag}, not svg")
    scripts = root.findall(SVG + "script")
    if len(scripts) != 1 or "zoom" not in (scripts[0].text or ""):
        fail(f"{path}: no embedded script")
    if any(s.get("href") or s.get("{http://www.w3.org/1999/xlink}href") for s in scripts):
        fail(f"{path}: the script is not inline")
    for i in ("reset", "search", "clear", "matched"):
        if root.find(f".//*[@id='{i}']") is None:
            fail(f"{path}: no #{i} control")
    byname = {}
    for g in root.iter(SVG + "g"):
        if g.get("class") != "frame":
            continue
        name = g.get("data-name")
        if g.find(SVG + "title") is None or g.find(SVG + "rect") is None:
            fail(f"{path}: frame {name} lacks its title or rect")
        byname.setdefault(name, []).append(g)
    return root, byname


def one(byname, name, path):
    got = byname.get(name, [])
    if len(got) != 1:
        fail(f"{path}: {len(got)} frames named {name}, expected 1")
    g = got[0]
    return {"value": int(g.get("data-value")), "x": int(g.get("data-x")),
            "depth": int(g.get("data-depth")), "y": float(g.find(SVG + "rect").get("y")),
            "title": g.find(SVG + "title").text}


def check(path, icicle):
    root, byname = frames(path)
    f = {n: one(byname, n, path) for n in ("main", "a", "b", "c")}
    want = {"main": 3500, "a": 3000, "b": 3000, "c": 500}
    for n, v in want.items():
        if f[n]["value"] != v:
            fail(f"{path}: {n} has data-value {f[n]['value']}, expected {v}")
    if f["b"]["value"] * 500 != f["c"]["value"] * 3000:
        fail(f"{path}: b:c is not 3000:500")
    for child, parent in (("a", "main"), ("b", "a"), ("c", "main")):
        c, p = f[child], f[parent]
        if c["depth"] != p["depth"] + 1:
            fail(f"{path}: {child} is not one row above {parent}")
        if not (p["x"] <= c["x"] and c["x"] + c["value"] <= p["x"] + p["value"]):
            fail(f"{path}: {child} is not within {parent}")
        if icicle != (c["y"] > p["y"]):
            fail(f"{path}: {child} is on the wrong side of {parent} for "
                 f"{'icicle' if icicle else 'flame'}")
    if "2.9 KiB" not in f["b"]["title"] or "3 allocations" not in f["b"]["title"]:
        fail(f"{path}: b's tooltip lacks its bytes or count: {f['b']['title']!r}")
    if root.get("data-orientation") != ("icicle" if icicle else "flame"):
        fail(f"{path}: data-orientation {root.get('data-orientation')}")


check(sys.argv[1], False)
check(sys.argv[2], True)
print("ok")
