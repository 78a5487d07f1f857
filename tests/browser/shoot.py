#!/usr/bin/env python3
"""shoot.py FILE PNG [WIDTH] — a whole-page screenshot of FILE (an SVG or
HTML page memprof wrote) in headless Chromium, WIDTH CSS pixels wide
(default 1240): how docs/img/'s pictures are made (docs/user-guide.md).
Exit 77 without Chromium."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import SKIP, Browser, find_chromium  # noqa: E402

exe = find_chromium()
if not exe:
    print("no Chromium (Debian package chromium)")
    sys.exit(SKIP)
with tempfile.TemporaryDirectory() as tmp:
    with Browser(exe, tmp, width=int(sys.argv[3]) if len(sys.argv) > 3 else 1240) as b:
        b.goto("file://" + os.path.abspath(sys.argv[1]))
        if b.eval("document.documentElement.localName") == "svg":  # just the image
            w, h = b.eval("[document.documentElement.width.baseVal.value,"
                          " document.documentElement.height.baseVal.value]")
            b.screenshot(sys.argv[2], clip=(0, 0, w, h))
        else:
            b.screenshot(sys.argv[2], full=True)
