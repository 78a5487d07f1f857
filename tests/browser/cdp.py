"""cdp.py — a small driver for headless Chromium over the DevTools protocol,
for memprof's browser tests (see ../integration/browser.cmake). Python's
standard library only: Chromium is started with --remote-debugging-pipe
and speaks NUL-terminated JSON on file descriptors 3 (its input) and 4 (its
output), so no WebSocket client, npm package or network is needed.

    with Browser(find_chromium(), tmpdir) as b:
        b.goto("file:///.../run.svg")
        b.eval("document.title")
        b.click(x, y)                    real mouse events, hit-tested
        b.prompt_answer = "^b$"          the answer to the next prompt()
        png = b.screenshot(clip=(x, y, w, h))
        w, h, px = decode_png(png)       px[y][x] == (r, g, b)

Script errors in the page (Runtime.exceptionThrown) and console errors are
collected in b.errors; a test fails on any. Every command times out (a
hung browser fails the test rather than ctest's timeout killing it).
"""
import base64
import json
import os
import select
import shutil
import struct
import subprocess
import time
import zlib

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe"]
SKIP = 77  # ctest SKIP_RETURN_CODE


class BrowserError(Exception):
    pass


def find_chromium():
    """The Chromium executable, or None."""
    for name in (os.environ.get("MP_CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class Browser:
    def __init__(self, exe, tmpdir, width=1280, height=900, timeout=10.0):
        self.timeout = timeout
        self.errors = []
        self.prompt_answer = None
        self.prompts = []
        self._id = 0
        self._buf = b""
        self._events = []
        to_r, to_w = os.pipe()      # we write, Chromium reads on fd 3
        from_r, from_w = os.pipe()  # Chromium writes on fd 4, we read
        # Out of the way of 3 and 4 before the child's dup2s.
        hi_r, hi_w = os.dup2(to_r, 100), os.dup2(from_w, 101)
        os.close(to_r)
        os.close(from_w)

        def child_fds():
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        udir = os.path.join(tmpdir, "chromium-profile")
        self.log = open(os.path.join(tmpdir, "chromium.log"), "wb")
        self.proc = subprocess.Popen(
            [exe] + FLAGS + [f"--user-data-dir={udir}", f"--window-size={width},{height}",
                             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            preexec_fn=child_fds, pass_fds=(3, 4, hi_r, hi_w))
        os.close(hi_r)
        os.close(hi_w)
        self._w, self._r = to_w, from_r
        targets = self.send("Target.getTargets")["targetInfos"]
        pages = [t for t in targets if t["type"] == "page"]
        tid = pages[0]["targetId"] if pages else self.send(
            "Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=tid,
                                 flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=True)
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width,
                  height=height, deviceScaleFactor=1, mobile=False)
        self.requests = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("Browser.close")
            except BrowserError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (self._w, self._r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()

    # ---- the wire --------------------------------------------------------

    def _read_message(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._r], [], [], left)
            if ready:
                chunk = os.read(self._r, 1 << 20)
                if not chunk:
                    raise BrowserError("Chromium closed the pipe (crashed?)")
                self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def _on_event(self, m):
        method, p = m.get("method"), m.get("params", {})
        if method == "Page.javascriptDialogOpening":
            self.prompts.append(p.get("message"))
            answer = self.prompt_answer
            self.prompt_answer = None
            self._post("Page.handleJavaScriptDialog", True, accept=answer is not None,
                       promptText=answer or "")
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.errors.append("exception: " + d.get("exception", {}).get("description",
                                                                            d.get("text", "?")))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            self.errors.append("console: " + p["entry"].get("text", ""))
        elif method == "Network.requestWillBeSent":
            self.requests.append(p.get("request", {}).get("url", ""))
        self._events.append(m)

    def _post(self, method, session, **params):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        return self._id

    def send(self, method, session=False, **params):
        """Sends a command and returns its result (events seen meanwhile are
        handled: dialogs answered, errors and requests noted)."""
        want = self._post(method, session, **params)
        deadline = time.monotonic() + self.timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == want:
                if "error" in m:
                    raise BrowserError(f"{method}: {m['error'].get('message')}")
                return m.get("result", {})
            if "method" in m:
                self._on_event(m)

    def wait_event(self, method):
        deadline = time.monotonic() + self.timeout
        for i, m in enumerate(self._events):
            if m.get("method") == method:
                del self._events[i]
                return m
        while True:
            m = self._read_message(deadline)
            if "method" in m:
                self._on_event(m)
                if m["method"] == method:
                    self._events.remove(m)
                    return m

    # ---- the page --------------------------------------------------------

    def goto(self, url):
        self._events.clear()
        self.send("Page.navigate", session=True, url=url)
        self.wait_event("Page.loadEventFired")

    def eval(self, expr):
        r = self.send("Runtime.evaluate", session=True, expression=expr, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise BrowserError(f"{expr[:60]}...: {r['exceptionDetails'].get('text')}")
        return r["result"].get("value")

    def click(self, x, y):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", session=True, type=kind, x=x, y=y,
                      button="left" if kind != "mouseMoved" else "none",
                      clickCount=1 if kind != "mouseMoved" else 0)

    def screenshot(self, path=None, clip=None, full=False):
        """A PNG of the viewport, of clip (x, y, w, h in CSS pixels of the
        page), or of the whole page; written to path too if given."""
        params = {"format": "png"}
        if clip:
            x, y, w, h = clip
            params["clip"] = {"x": x, "y": y, "width": w, "height": h, "scale": 1}
        if full:
            params["captureBeyondViewport"] = True
            size = self.eval("[document.documentElement.scrollWidth,"
                             " document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        png = base64.b64decode(self.send("Page.captureScreenshot", session=True,
                                         **params)["data"])
        if path:
            with open(path, "wb") as f:
                f.write(png)
        return png


def decode_png(data):
    """(width, height, rows) of an 8-bit RGB or RGBA non-interlaced PNG, as
    Chromium writes them; rows[y][x] is (r, g, b)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError(f"PNG depth {depth} type {ctype} interlace {interlace}")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def rgb(s):
    """'rgb(1,2,3)' -> (1, 2, 3)."""
    return tuple(int(v) for v in s.strip()[4:-1].split(","))
