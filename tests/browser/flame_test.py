#!/usr/bin/env python3
"""flame_test.py SVG DIFF_SVG OUTDIR — the flame graph in headless Chromium
(see ../integration/browser.cmake; cdp.py drives the browser).

SVG is `memprof flamegraph --metric=allocated` of chains.c (main -> a -> b:
3000 B, main -> c: 500 B); DIFF_SVG is `memprof flamegraph --diff` of
grow.c's two runs. With real mouse events and screenshots, checks:

1. the page loads with no script error and fetches nothing but itself;
   frame a is 3000/3500 of the width: on a screenshot of its row, a's
   colour covers 85.7% of the frame area;
2. a click on frame a zooms: a spans the whole frame area (its rect is
   1179.5 px at x = 10, and on the screenshot its colour covers the whole
   row), b above it too, c is hidden; Reset zoom brings the widths back;
3. Search (the prompt answered "^b$") paints b, and only b, magenta, on
   the DOM and on the screenshot, and says "Matched: 85.71% (1 frames,
   /^b$/)"; Clear restores the colours;
4. the diff SVG draws grow red, steady grey and fade blue (screenshot
   pixels in the middle of each frame).

Screenshots (flame.png, flame-zoomed.png, flame-search.png, diff.png) are
kept in OUTDIR. Exit 77 when Chromium is missing or cannot start, 1 on a
failed check.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import SKIP, Browser, BrowserError, decode_png, find_chromium, rgb  # noqa: E402

MAGENTA = (230, 0, 230)


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def frame(b, name):
    """The DOM state of the frame named name."""
    return b.eval(f"""(function () {{
        var g = document.querySelector('g.frame[data-name="{name}"]');
        if (!g) return null;
        var r = g.querySelector('rect'), box = r.getBoundingClientRect();
        return {{ x: +r.getAttribute('x'), w: +r.getAttribute('width'),
                 y: +r.getAttribute('y'), fill: r.getAttribute('fill'),
                 shown: g.style.display !== 'none',
                 cx: box.x + box.width / 2, cy: box.y + box.height / 2, top: box.y }};
    }})()""")


def row_share(b, f, color, path=None):
    """The share of the frame area's pixels on f's row (1 px below its top
    edge, above the label's glyphs) that have color."""
    png = b.screenshot(path, clip=(10, f["top"] + 1, 1180, 1))
    w, _, px = decode_png(png)
    return sum(1 for p in px[0] if p == color) / w


def main():
    svg, diff, out = (os.path.abspath(a) for a in sys.argv[1:4])
    exe = find_chromium()
    if not exe:
        print("skipped: no Chromium (Debian package chromium; scripts/deps.sh installs it)")
        return SKIP
    try:
        b = Browser(exe, out)
    except (BrowserError, OSError) as e:
        print(f"skipped: Chromium ({exe}) does not start headless here: {e}")
        return SKIP
    with b:
        b.goto("file://" + svg)
        b.screenshot(os.path.join(out, "flame.png"))
        a = frame(b, "a")
        if not a or not a["shown"]:
            fail("no frame a")
        share = row_share(b, a, rgb(a["fill"]))
        if abs(share - 3000 / 3500) > 0.01:
            fail(f"before zooming, a's colour covers {share:.3f} of its row, expected 0.857")

        b.click(a["cx"], a["cy"])
        a, bb, c, m = (frame(b, n) for n in ("a", "b", "c", "main"))
        if (a["x"], a["w"]) != (10, 1179.5) or (bb["x"], bb["w"]) != (10, 1179.5):
            fail(f"after clicking a: a at {a['x']} {a['w']} px, b at {bb['x']} {bb['w']}, "
                 "expected 10 and 1179.5 (the whole width)")
        if c["shown"] or not m["shown"] or m["w"] != 1179.5:
            fail("after clicking a: c still shown, or main (a's caller) not full width")
        share = row_share(b, a, rgb(a["fill"]), os.path.join(out, "flame-zoomed-row.png"))
        if share < 0.995:
            fail(f"after clicking a, its colour covers {share:.3f} of its row, expected all")
        b.screenshot(os.path.join(out, "flame-zoomed.png"))
        reset = b.eval("(function () { var r = document.getElementById('reset')"
                       ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];"
                       " })()")
        b.click(*reset)
        a = frame(b, "a")
        if abs(a["w"] - (3000 / 3500 * 1180 - 0.5)) > 0.01 or not frame(b, "c")["shown"]:
            fail(f"Reset zoom: a is {a['w']} px, c shown {frame(b, 'c')['shown']}")

        search = b.eval("(function () { var r = document.getElementById('search')"
                        ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];"
                        " })()")
        b.prompt_answer = "^b$"
        b.click(*search)
        if not b.prompts:
            fail("Search did not ask for a pattern")
        fills = {n: frame(b, n)["fill"] for n in ("main", "a", "b", "c")}
        if fills["b"] != "rgb(230,0,230)" or any(fills[n] == "rgb(230,0,230)"
                                                 for n in ("main", "a", "c")):
            fail(f"search ^b$: fills {fills}, expected b alone magenta")
        matched = b.eval("document.getElementById('matched').textContent")
        if matched != "Matched: 85.71% (1 frames, /^b$/)":
            fail(f"search ^b$: the matched share reads {matched!r}")
        share = row_share(b, frame(b, "b"), MAGENTA)
        if abs(share - 3000 / 3500) > 0.01:
            fail(f"search ^b$: magenta covers {share:.3f} of b's row, expected 0.857")
        b.screenshot(os.path.join(out, "flame-search.png"))
        clear = b.eval("(function () { var r = document.getElementById('clear')"
                       ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];"
                       " })()")
        b.click(*clear)
        if frame(b, "b")["fill"] == "rgb(230,0,230)" or b.eval(
                "document.getElementById('matched').textContent") != "":
            fail("Clear did not restore the colours and the matched line")

        b.goto("file://" + diff)
        b.screenshot(os.path.join(out, "diff.png"))
        for name, want in (("grow", (255, 110, 110)), ("steady", (220, 220, 220)),
                           ("fade", (110, 110, 255))):
            f = frame(b, name)
            got = decode_png(b.screenshot(clip=(int(f["cx"]), f["top"] + 1, 1, 1)))[2][0][0]
            if got != want:
                fail(f"diff: {name} drawn {got}, expected {want}")
        if b.errors:
            fail(f"script errors: {b.errors}")
        if any(not u.startswith("file://") for u in b.requests):
            fail(f"the SVG fetched {b.requests}")
    print("ok")
    return 0


sys.exit(main())
