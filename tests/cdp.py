"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (no extra dependency).

Used by the report tests to load ``laporan.html`` in Debian's headless
``chromium``, collect console errors, exceptions and network requests, run a
bit of JavaScript and take a screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


@dataclass
class PageReport:
    """What happened while a page loaded."""

    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    screenshot: bytes | None = None


class _Pipe:
    def __init__(self, binary: str, width: int, height: int) -> None:
        self.profile = tempfile.mkdtemp(prefix="sppr-chromium-")
        r_to_chrome, w_to_chrome = os.pipe()
        r_from_chrome, w_from_chrome = os.pipe()

        def child() -> None:  # chromium reads commands on fd 3 and writes replies on fd 4
            os.dup2(r_to_chrome, 3)
            os.dup2(w_from_chrome, 4)

        args = [
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
            f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "--remote-debugging-pipe", "about:blank",
        ]
        self.proc = subprocess.Popen(args, preexec_fn=child, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r_to_chrome)
        os.close(w_from_chrome)
        self.w = os.fdopen(w_to_chrome, "wb", buffering=0)
        self.r = os.fdopen(r_from_chrome, "rb", buffering=0)
        self.buf = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = 30.0) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.w.write(json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self._read(deadline)
            if m is None:
                break
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)
        raise TimeoutError(method)

    def _read(self, deadline: float) -> dict[str, Any] | None:
        import select

        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.r], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.r.fileno(), 1 << 20)
            if not chunk:
                return None
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            m = self._read(deadline)
            if m is None:
                break
            self.events.append(m)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for f in (self.w, self.r):
            try:
                f.close()
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


def load_page(
    binary: str, path: Path, expressions: dict[str, str], *, settle: float = 2.0, width: int = 1400, height: int = 1000, screenshot: bool = True, scroll_to: str | None = None
) -> PageReport:
    """Open ``path`` in headless Chromium; return console errors, exceptions, requests and evaluated values.

    Parameters
    ----------
    binary : str
        The chromium executable.
    path : Path
        The HTML file.
    expressions : dict
        Name -> JavaScript expression evaluated after load (returned by value).
    settle : float
        Seconds to wait after the load event for scripts to finish.
    scroll_to : str, optional
        CSS selector scrolled into view before the screenshot.
    """
    pipe = _Pipe(binary, width, height)
    rep = PageReport()
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for dom in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            pipe.send(dom, session=session)
        pipe.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        pipe.send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=session)
        deadline = time.monotonic() + 60
        loaded = False
        while time.monotonic() < deadline and not loaded:
            pipe.pump(0.25)
            loaded = any(e.get("method") == "Page.loadEventFired" for e in pipe.events)
        pipe.pump(settle)
        for name, expr in expressions.items():
            res = pipe.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=session)
            rep.values[name] = res.get("result", {}).get("value")
        if scroll_to:
            pipe.send("Runtime.evaluate", {"expression": f"document.querySelector({json.dumps(scroll_to)}).scrollIntoView()"}, session=session)
            pipe.pump(0.5)
        if screenshot:
            shot = pipe.send("Page.captureScreenshot", {"format": "png"}, session=session)
            rep.screenshot = base64.b64decode(shot["data"])
        pipe.pump(0.2)
    finally:
        pipe.close()
    for e in pipe.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            rep.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            rep.exceptions.append(str(d.get("exception", {}).get("description") or d.get("text")))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            rep.log_errors.append(f"{p['entry'].get('source')}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif m == "Network.requestWillBeSent":
            rep.requests.append(p.get("request", {}).get("url", ""))
    return rep
