#!/usr/bin/env python3
"""report_test.py PAGE OUTDIR — the page of `memprof report --html` (of
chains.c's run: main -> a -> b, main -> c) in headless Chromium (see
../integration/browser.cmake; cdp.py drives the browser). Checks:

1. it loads with no script error and fetches nothing but itself;
2. its sections render: summary, findings, timeline, flamegraph, stacks
   and classes are laid out with a height, the findings are leaks (b's, c's),
   the timeline and flame graph SVGs are drawn (their boxes at least
   1000 x 200 px) and the timeline's peak marker is there;
3. the inlined flame graph is live: a click on frame a (a real mouse
   event) makes it span the frame area (rect x 10, width 1179.5, and its
   colour across its row on a screenshot), c is hidden; Search with "^c$"
   paints c magenta and reads "Matched: 14.29% (1 frames, /^c$/)".

Screenshots (report.png: the whole page; report-zoomed.png) are kept in
OUTDIR. Exit 77 when Chromium is missing or cannot start, 1 on a failed
check.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import SKIP, Browser, BrowserError, decode_png, find_chromium, rgb  # noqa: E402

FRAME = """(function (name) {
    var g = document.querySelector('svg.flamegraph g.frame[data-name="' + name + '"]');
    var r = g.querySelector('rect'), box = r.getBoundingClientRect();
    return { x: +r.getAttribute('x'), w: +r.getAttribute('width'), fill: r.getAttribute('fill'),
             shown: g.style.display !== 'none', cx: box.x + box.width / 2,
             cy: box.y + box.height / 2, top: box.y, left: box.x, scale: box.width /
             (+r.getAttribute('width')) };
})"""


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def center(b, selector):
    return b.eval(f"(function () {{ var r = document.querySelector('{selector}')"
                  ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];"
                  " })()")


def main():
    page, out = (os.path.abspath(a) for a in sys.argv[1:3])
    exe = find_chromium()
    if not exe:
        print("skipped: no Chromium (Debian package chromium; scripts/deps.sh installs it)")
        return SKIP
    try:
        b = Browser(exe, out, height=1000)
    except (BrowserError, OSError) as e:
        print(f"skipped: Chromium ({exe}) does not start headless here: {e}")
        return SKIP
    with b:
        b.goto("file://" + page)
        b.screenshot(os.path.join(out, "report.png"), full=True)
        heights = b.eval("""(function () {
            var h = {};
            ['summary', 'findings', 'timeline', 'flamegraph', 'stacks', 'classes'].forEach(
                function (id) { var s = document.getElementById(id); h[id] = s ? s.offsetHeight : -1; });
            return h; })()""")
        if any(v <= 20 for v in heights.values()):
            fail(f"sections not rendered (heights {heights})")
        kinds = b.eval("[].map.call(document.querySelectorAll('.finding'),"
                       " function (d) { return d.getAttribute('data-kind'); })")
        if len(kinds) < 2 or set(kinds) != {"leak"}:
            fail(f"findings {kinds}, expected leaks (b's and c's)")
        for cls in ("timeline", "flamegraph"):
            box = b.eval(f"(function () {{ var r = document.querySelector('svg.{cls}')"
                         ".getBoundingClientRect(); return [r.width, r.height]; })()")
            if box[0] < 1000 or box[1] < 200:
                fail(f"the {cls} SVG is drawn {box[0]} x {box[1]} px")
        if not b.eval("!!document.querySelector('svg.timeline #peak')"):
            fail("the timeline has no peak marker")

        frame = lambda name: b.eval(f"{FRAME}('{name}')")  # noqa: E731
        a = frame("a")
        b.eval(f"window.scrollTo(0, {a['top']} + window.scrollY - 300)")
        a = frame("a")
        b.click(a["cx"], a["cy"])
        a, c = frame("a"), frame("c")
        if (a["x"], a["w"]) != (10, 1179.5) or c["shown"]:
            fail(f"after clicking a: a at {a['x']} {a['w']} px, c shown {c['shown']}")
        w = 1179.5 * a["scale"]
        scroll = b.eval("window.scrollY")  # a clip is in page coordinates
        png = b.screenshot(os.path.join(out, "report-zoomed-row.png"),
                           clip=(a["left"], a["top"] + scroll + 1, w, 1))
        width, _, px = decode_png(png)
        share = sum(1 for p in px[0] if p == rgb(a["fill"])) / width
        if share < 0.99:
            fail(f"after clicking a, its colour covers {share:.3f} of its row")
        b.screenshot(os.path.join(out, "report-zoomed.png"))
        b.click(*center(b, "svg.flamegraph #reset"))
        b.prompt_answer = "^c$"
        b.click(*center(b, "svg.flamegraph #search"))
        if frame("c")["fill"] != "rgb(230,0,230)" or frame("a")["fill"] == "rgb(230,0,230)":
            fail("search ^c$ did not paint c (alone) magenta")
        matched = b.eval("document.querySelector('svg.flamegraph #matched').textContent")
        if matched != "Matched: 14.29% (1 frames, /^c$/)":
            fail(f"search ^c$: the matched share reads {matched!r}")
        if b.errors:
            fail(f"script errors: {b.errors}")
        if any(not u.startswith("file://") for u in b.requests):
            fail(f"the page fetched {b.requests}")
    print("ok")
    return 0


sys.exit(main())
