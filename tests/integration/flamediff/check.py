#!/usr/bin/env python3
"""check.py DIFF_SVG — checks the SVG of `memprof flamegraph --diff a.mpz
b.mpz --metric=leaked` of grow.c's two runs (flamediff.sh; see
../flamediff.cmake): well-formed XML; frames grow, steady and fade under
main with B's values as widths (data-value 6144, 4096, 512) and A's as
data-base (2048, 4096, 1536); each frame's rect as wide as its share of
B's root; colours red for grow, neutral grey for steady, blue for fade,
exactly as the formula says (k = round(210 - 150 |B - A| / max(A, B)));
tooltips with both values and the change. Exit 1 on the first failure.
"""
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


path = sys.argv[1]
try:
    root = ET.parse(path).getroot()
except ET.ParseError as e:
    fail(f"{path}: not well-formed XML: {e}")
total = int(root.get("data-total"))
width = float(root.get("data-frame-width"))
frames = {}
for g in root.iter(SVG + "g"):
    if g.get("class") == "frame":
        frames.setdefault(g.get("data-name"), []).append(g)

want = {  # name: (B, A, fill, change line)
    "grow": (6144, 2048, "rgb(255,110,110)", "change: +4.0 KiB (+4096 B), +200.0%"),
    "steady": (4096, 4096, "rgb(220,220,220)", "change: +0 B (+0 B), +0.0%"),
    "fade": (512, 1536, "rgb(110,110,255)", "change: -1.0 KiB (-1024 B), -66.7%"),
}
for name, (b, a, fill, change) in want.items():
    got = frames.get(name, [])
    if len(got) != 1:
        fail(f"{len(got)} frames named {name}, expected 1")
    g = got[0]
    if int(g.get("data-value")) != b or int(g.get("data-base")) != a:
        fail(f"{name}: data-value {g.get('data-value')} data-base {g.get('data-base')}, "
             f"expected {b} and {a}")
    rect = g.find(SVG + "rect")
    if rect.get("fill") != fill:
        fail(f"{name}: fill {rect.get('fill')}, expected {fill}")
    w = float(rect.get("width")) + 0.5
    if abs(w - b / total * width) > 0.01:
        fail(f"{name}: {w} px wide, expected {b / total * width:.2f} (its share of B)")
    title = g.find(SVG + "title").text
    if change not in title or "\nB: " not in title or "\nA: " not in title:
        fail(f"{name}: tooltip {title!r} lacks B, A or {change!r}")
main = frames["main"][0]
if int(main.get("data-value")) < 10752 or int(main.get("data-base")) < 7680:
    fail(f"main: {main.get('data-value')} / {main.get('data-base')}, expected at least "
         "10752 / 7680")
if not main.find(SVG + "rect").get("fill").startswith("rgb(255,"):
    fail("main grew but is not red")
if "--diff" not in root.find(SVG + "text").text:
    fail("the title does not say --diff")
print("ok")
