"""`tracetui serve` in a real headless Chromium: the page loads, the trace list shows, Enter opens
a trace; the screenshot is saved as screenshots/serve_trace_view.png."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest
from cdp_browser import Browser, chromium_path, env_for_children, free_port
from conftest import ROOT, SAMPLES

pytestmark = pytest.mark.skipif(chromium_path() is None,
                                reason="no chromium on this machine (Debian's `chromium` package; .ci/run installs it)")


def _wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"tracetui serve exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout}s")


@pytest.fixture
def served():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tracetui", "serve", str(SAMPLES / "shop.json"), "--port", str(port)],
                            cwd=ROOT, env=env_for_children(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for_http(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def test_the_explorer_in_a_browser_lists_the_traces_and_opens_one(served):
    async with Browser() as browser:
        await browser.goto(served)
        # the trace list: its title and a trace of the sample
        assert await browser.wait_for_text("5 traces", timeout=60), (await browser.screen_text())[-2000:]
        assert await browser.wait_for_text("POST /checkout")
        seen = len(await browser.screen_text())
        await browser.press("Enter", 13, "\r")
        # the trace view: its span names, which the list does not show
        opened = await browser.wait_for_text("critical path", after=seen, timeout=30)
        assert opened, (await browser.screen_text())[seen:][-2000:]
        time.sleep(1.0)  # the last frame painted
        await browser.screenshot(ROOT / "screenshots" / "serve_trace_view.png")
