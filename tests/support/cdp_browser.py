"""A headless Chromium driven over the DevTools protocol (CDP), with aiohttp's websocket client.

Why not Selenium or Playwright: Debian's chromium is all CI installs (`.ci/run`); CDP needs no
driver binary and no browser download, and aiohttp (a dependency already) speaks websockets.
The flags are those that work on this project's machines (no network but loopback).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--hide-scrollbars", "--mute-audio"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


# Recorded before the page runs: every byte the explorer sends the page's terminal, as text.
CAPTURE = """
(() => {
  window.__screenText = "";
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string") window.__screenText += new TextDecoder().decode(e.data);
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})();
"""


class Browser:
    def __init__(self, width: int = 1400, height: int = 900) -> None:
        self.size = (width, height)
        self.proc: subprocess.Popen | None = None
        self.profile = tempfile.mkdtemp(prefix="tracetui-chromium-")
        self.session: aiohttp.ClientSession | None = None
        self.ws = None
        self._id = 0

    async def __aenter__(self) -> Browser:
        exe = chromium_path()
        assert exe is not None
        self.proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={self.profile}",
                                      f"--window-size={self.size[0]},{self.size[1]}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("chromium did not start (no DevToolsActivePort)")
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        self.session = aiohttp.ClientSession()
        async with self.session.get(f"http://127.0.0.1:{port}/json/list") as r:
            pages = [t for t in await r.json() if t.get("type") == "page"]
        self.ws = await self.session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        await self.call("Page.enable")
        await self.call("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE)
        return self

    async def __aexit__(self, *exc) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.session is not None:
            await self.session.close()
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    async def call(self, method: str, **params) -> dict:
        self._id += 1
        my = self._id
        await self.ws.send_str(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = await asyncio.wait_for(self.ws.receive(), 30)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"the DevTools connection closed ({msg.type})")
            data = json.loads(msg.data)
            if data.get("id") == my:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return data.get("result", {})

    async def goto(self, url: str) -> None:
        await self.call("Page.navigate", url=url)

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def screen_text(self) -> str:
        return await self.evaluate("window.__screenText || ''") or ""

    async def wait_for_text(self, text: str, timeout: float = 30, after: int = 0) -> bool:
        """Whether `text` appeared in what the explorer drew (from character `after` on) in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in (await self.screen_text())[after:]:
                return True
            await asyncio.sleep(0.2)
        return False

    async def press(self, key: str, code: int, text: str = "") -> None:
        await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        base = {"key": key, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
        await self.call("Input.dispatchKeyEvent", type="keyDown", text=text, **base)
        await self.call("Input.dispatchKeyEvent", type="keyUp", **base)

    async def screenshot(self, path: Path) -> None:
        data = (await self.call("Page.captureScreenshot", format="png"))["data"]
        path.write_bytes(base64.b64decode(data))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for_children() -> dict:
    env = dict(os.environ)
    env.setdefault("TEXTUAL_ANIMATIONS", "none")
    return env
