#!/usr/bin/env python3
"""check.py CASE REPORT_JSON CLASS_SVG STACK_SVG SMALL_SVG — checks the
charts `memprof timeline` drew of one run (timeline.sh renders them; see
../timeline.cmake) against `memprof report --json` of the same log.

Every chart: well-formed XML with an <svg> root; the four lines (live,
retained, released bytes, RSS) as <polyline class="series">; a peak marker
(<g id="peak">) whose label says the report's peak within 5%; a finding
marker (<g class="finding" data-kind=KIND>) per finding of the report (up
to 24), with a <title> tooltip; no <script> and no external reference.
Then per case: gomap has a bucket_retention marker and its lines show
Go's shape (seed 003: the peak, then about 293 MiB kept); the healthy
program has no finding marker. The class chart has stacked bands; the
stack chart has none and names the bucket array's function in its legend.

Exit status 1 on the first failure.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
TOLERANCE = 0.05
MIB = 1024 * 1024
UNITS = {"B": 1, "KiB": 1024, "MiB": MIB, "GiB": 1024 * MIB, "TiB": 1024 * 1024 * MIB}
SERIES = ["live bytes", "retained bytes (pages in spans)", "released bytes (to the OS)", "RSS"]


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def near(got, want, what):
    if want == 0:
        if got != 0:
            fail(f"{what}: {got}, expected 0")
        return
    if abs(got - want) > TOLERANCE * want:
        fail(f"{what}: {got} ({got / MIB:.1f} MiB), expected {want} ({want / MIB:.1f} MiB) "
             f"within {TOLERANCE:.0%}")


def text_of(el):
    return "".join(el.itertext())


def load(path):
    try:
        tree = ET.parse(path)
    except ET.ParseError as e:
        fail(f"{path}: not well-formed XML: {e}")
    root = tree.getroot()
    if root.tag != SVG + "svg":
        fail(f"{path}: root element is {root.tag}, not svg")
    raw = open(path, encoding="utf-8").read()
    if "<script" in raw or "xlink:href" in raw or "@import" in raw or "url(" in raw:
        fail(f"{path}: not self-contained (script or external reference)")
    return root


def check_common(path, root, report):
    summary = report["summary"]
    series = {p.get("data-name"): p for p in root.iter(SVG + "polyline")
              if p.get("class") == "series"}
    for name in SERIES:
        if name not in series:
            fail(f"{path}: no '{name}' line (lines: {sorted(series)})")
        if len(series[name].get("points", "").split()) < 2:
            fail(f"{path}: the '{name}' line has fewer than 2 points")

    peaks = [g for g in root.iter(SVG + "g") if g.get("id") == "peak"]
    if len(peaks) != 1:
        fail(f"{path}: {len(peaks)} peak markers, expected 1")
    peak = peaks[0]
    label = [text_of(t) for t in peak.iter(SVG + "text")]
    m = re.search(r"peak ([0-9.]+) (B|KiB|MiB|GiB|TiB)", " ".join(label))
    if not m:
        fail(f"{path}: the peak marker's label {label!r} gives no value")
    near(float(m.group(1)) * UNITS[m.group(2)], summary["peak_bytes"], f"{path}: peak label")
    if peak.find(SVG + "title") is None:
        fail(f"{path}: the peak marker has no <title>")
    # The live line's highest point is the peak itself.
    near(int(series["live bytes"].get("data-max-bytes")), summary["peak_bytes"],
         f"{path}: live bytes line's highest value")

    markers = [g for g in root.iter(SVG + "g") if g.get("class") == "finding"]
    want = [f["kind"] for f in report["findings"]][:24]
    got = [g.get("data-kind") for g in markers]
    if sorted(got) != sorted(want):
        fail(f"{path}: finding markers {sorted(got)}, the report's findings {sorted(want)}")
    for g in markers:
        if g.find(SVG + "title") is None or not text_of(g.find(SVG + "title")).strip():
            fail(f"{path}: a {g.get('data-kind')} marker has no <title> tooltip")
    ticks = [text_of(t) for t in root.iter(SVG + "text") if t.get("class") == "ytick"]
    if not ticks or not all(re.fullmatch(r"[0-9.]+ (B|KiB|MiB|GiB|TiB)", t) for t in ticks):
        fail(f"{path}: byte ticks {ticks!r} are not in human units")
    xt = [text_of(t) for t in root.iter(SVG + "text") if t.get("class") == "xtick"]
    if len(xt) < 2 or not all(re.fullmatch(r"[0-9.]+ s", t) for t in xt):
        fail(f"{path}: time ticks {xt!r} are not in seconds")
    return series, got


def main():
    case, report_path, class_svg, stack_svg, small_svg = sys.argv[1:6]
    report = json.load(open(report_path))
    print(f"report: peak {report['summary']['peak_bytes'] / MIB:.1f} MiB, findings "
          f"{[f['kind'] for f in report['findings']]}")

    root = load(class_svg)
    series, kinds = check_common(class_svg, root, report)
    bands = [p.get("data-name") for p in root.iter(SVG + "polygon") if p.get("class") == "band"]
    if not bands:
        fail(f"{class_svg}: no stacked band (--by=class)")
    print(f"{class_svg}: lines {sorted(series)}, bands {bands}, markers {kinds}")

    sroot = load(stack_svg)
    check_common(stack_svg, sroot, report)
    if any(p.get("class") == "band" for p in sroot.iter(SVG + "polygon")):
        fail(f"{stack_svg}: --by=stack drew bands, but there is no per-stack series")

    small = load(small_svg)
    if small.get("width") != "800" or small.get("height") != "400":
        fail(f"{small_svg}: size {small.get('width')}x{small.get('height')}, expected 800x400")
    check_common(small_svg, small, report)

    if case.startswith("gomap"):
        if "bucket_retention" not in kinds:
            fail(f"{class_svg}: no bucket_retention marker (markers: {kinds})")
        legend = " ".join(text_of(t) for t in sroot.iter(SVG + "text"))
        if "make_bucket_array" not in legend:
            fail(f"{stack_svg}: the --by=stack legend does not name make_bucket_array")
    else:
        if kinds:
            fail(f"{class_svg}: finding markers {kinds} for a healthy program")

    if case == "gomap_inline":
        # Seed 003's shape: up to about 461 MiB, then 293 MiB kept.
        near(report["summary"]["peak_bytes"], 460.0 * MIB, "the peak (seed: about 461 MiB)")
        near(int(series["live bytes"].get("data-last-bytes")), 293.3 * MIB,
             "live bytes at the end (seed: 293 MiB)")
        near(int(series["retained bytes (pages in spans)"].get("data-last-bytes")), 293.3 * MIB,
             "retained bytes at the end (seed: 293 MiB)")
        retained_max = int(series["retained bytes (pages in spans)"].get("data-max-bytes"))
        if retained_max < 0.95 * 460.0 * MIB:
            fail(f"retained bytes never reach the peak: at most {retained_max / MIB:.1f} MiB")
    print("OK")


main()
