#!/usr/bin/env python3
"""check.py PAGE COMMAND — checks the page `memprof report --html` wrote of
hostile.cpp's run (reporthtml.sh; see ../reporthtml.cmake):

- well-formed XML (the page is polyglot XHTML) with an <html> root;
- the sections summary, findings, timeline, flamegraph, stacks, classes,
  the timeline and flame graph each an inline <svg>;
- two leak findings, one naming grab<script> as text;
- nothing injected by the log's strings: the command line reads back as
  the text COMMAND; the only <script> element is the flame graph's (in
  XML and in an HTML tokenizer's view alike); no <img> element, no on*
  attribute;
- nothing external: no src attribute, no href but "#..." links, no URL
  but the XML namespaces; the Content-Security-Policy forbids fetches.
Exit 1 on the first failure.
"""
import html.parser
import re
import sys
import xml.etree.ElementTree as ET

XH = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


path, command = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
try:
    root = ET.fromstring(text)
except ET.ParseError as e:
    fail(f"not well-formed XML: {e}")
if root.tag != XH + "html":
    fail(f"root is {root.tag}")

sections = {s.get("id"): s for s in root.iter(XH + "section")}
for want in ("summary", "findings", "timeline", "flamegraph", "stacks", "classes"):
    if want not in sections:
        fail(f"no section {want}")
for sid, cls in (("timeline", "timeline"), ("flamegraph", "flamegraph")):
    svgs = sections[sid].findall(SVG + "svg")
    if len(svgs) != 1 or svgs[0].get("class") != cls:
        fail(f"section {sid} does not hold one inline <svg class={cls}>")

finds = [d for d in sections["findings"].iter(XH + "div") if d.get("class") == "finding"]
if [d.get("data-kind") for d in finds] != ["leak", "leak"]:
    fail(f"findings {[d.get('data-kind') for d in finds]}, expected two leaks")
if "void* grab<script>(unsigned long)" not in "".join(finds[1].itertext()):
    fail("the second finding does not name grab<script> as text")
names = {g.get("data-name") for g in sections["flamegraph"].iter(SVG + "g")
         if g.get("class") == "frame"}
if "void* grab<script>(unsigned long)" not in names:
    fail("no flame graph frame named grab<script>")

cmd = [e for e in root.iter() if e.get("id") == "command"]
if len(cmd) != 1 or "".join(cmd[0].itertext()) != command:
    fail(f"the command line reads {''.join(cmd[0].itertext())!r}, expected {command!r}")

scripts = [e for e in root.iter() if e.tag.endswith("}script")]
if len(scripts) != 1 or scripts[0].tag != SVG + "script" or "zoom" not in scripts[0].text:
    fail(f"{len(scripts)} script elements; expected the flame graph's only")
for e in root.iter():
    tag = e.tag.split("}")[-1]
    if tag in ("img", "iframe", "object", "embed", "link"):
        fail(f"a <{tag}> element")
    for k, v in e.attrib.items():
        if k.lower().startswith("on"):
            fail(f"an event handler attribute {k}={v!r} on <{tag}>")
        if k == "src" or (k == "href" and not v.startswith("#")):
            fail(f"an external reference {k}={v!r} on <{tag}>")


class Tags(html.parser.HTMLParser):
    """How an HTML tokenizer (a browser's first pass) sees the tags."""
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if any(k.startswith("on") for k, _ in attrs):
            fail(f"HTML view: an event handler on <{tag}>")


t = Tags()
t.feed(text)
if t.tags.count("script") != 1 or "img" in t.tags:
    fail(f"HTML view: {t.tags.count('script')} <script>, {t.tags.count('img')} <img>")
urls = set(re.findall(r"https?://[^\s\"'<>]+", text))
if urls - {"http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg"}:
    fail(f"URLs in the page: {sorted(urls)}")
if "default-src 'none'" not in text:
    fail("no Content-Security-Policy default-src 'none'")
print("ok")
