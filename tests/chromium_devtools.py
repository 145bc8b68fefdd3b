"""Load a page in headless Chromium and report what a reader's browser would say.

Chromium is driven through the DevTools protocol over ``--remote-debugging-pipe``
(JSON messages separated by NUL bytes on file descriptors 3 and 4): no port
is opened, nothing is parsed out of log text, and every console message,
uncaught exception, failed load and network request arrives as a structured
event. Used by the tests only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Flags that keep a headless Chromium off the network and quiet.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
)


@dataclass
class PageLoad:
    """What happened while a page loaded."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    screenshot: bytes = b""
    pdf: bytes = b""
    title: str = ""
    lang: str = ""


class DevToolsPipe:
    """A Chromium process and its DevTools pipe."""

    def __init__(self, executable: str, width: int, height: int, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def connect_pipes() -> None:
            # Runs in the child before exec: Chromium reads commands from
            # descriptor 3 and writes to 4. dup2 leaves both inheritable, and
            # close_fds is off so they survive (every other descriptor Python
            # opened is non-inheritable already).
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.process = subprocess.Popen(
            [
                executable,
                *FLAGS,
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=connect_pipes,
            close_fds=False,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed its DevTools pipe")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send a command and return its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._read_message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self.events.append(message)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        """Wait for an event of this session (it may already have arrived)."""
        deadline = time.monotonic() + self.timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            seen = len(self.events)
            self.events.append(self._read_message(deadline))

    def close(self) -> None:
        # A browser that already exited cannot answer; waiting below still reaps it.
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)


def _describe(event: dict[str, Any]) -> str | None:
    """A reader-visible error in one event, or None."""
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        return f"exception: {details.get('exception', {}).get('description') or details}"
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        texts = [str(arg.get("value", arg.get("description", ""))) for arg in params["args"]]
        return f"console.{params['type']}: {' '.join(texts)}"
    if method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
        entry = params["entry"]
        return f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip()
    if method == "Network.loadingFailed":
        return f"network: {params.get('errorText')}"
    return None


def load_page(
    executable: str, path: Path, width: int = 1200, height: int = 900, settle: float = 0.5
) -> PageLoad:
    """Open ``path`` in headless Chromium; collect errors, requests, a screenshot and a PDF."""
    browser = DevToolsPipe(executable, width, height)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Page", "Network"):
            browser.send(f"{domain}.enable", session=session)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        browser.send("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired", session)
        # Late console messages (timers, deferred loads) get a moment to arrive.
        time.sleep(settle)
        evaluated = browser.send(
            "Runtime.evaluate",
            {
                "expression": "JSON.stringify([document.title, document.documentElement.lang])",
                "returnByValue": True,
            },
            session=session,
        )
        title, lang = json.loads(evaluated["result"]["value"])
        metrics = browser.send("Page.getLayoutMetrics", session=session)
        content = metrics["cssContentSize"]
        shot = browser.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": content["width"],
                    "height": content["height"],
                    "scale": 1,
                },
            },
            session=session,
        )
        pdf = browser.send("Page.printToPDF", {"printBackground": True}, session=session)
        result = PageLoad(
            screenshot=base64.b64decode(shot["data"]),
            pdf=base64.b64decode(pdf["data"]),
            title=title,
            lang=lang,
        )
        for event in browser.events:
            if event.get("sessionId") != session:
                continue
            problem = _describe(event)
            if problem:
                result.errors.append(problem)
            if event.get("method") == "Network.requestWillBeSent":
                result.requests.append(event["params"]["request"]["url"])
        return result
    finally:
        browser.close()
