"""`tracetui serve` in a real headless Chromium: the page loads, the trace list shows, Enter opens
a trace; the screenshot is saved as screenshots/serve_trace_view.png."""

from __future__ import annotations

import contextlib
import json
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


@contextlib.contextmanager
def serve(*args: str):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tracetui", "serve", *args, "--port", str(port)],
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


@pytest.fixture
def served():
    with serve(str(SAMPLES / "shop.json")) as url:
        yield url


def _post_trace(port: int, trace_id: str, name: str) -> None:
    """One OTLP/JSON export of one span, as an SDK sends it."""
    now = time.time_ns()
    body = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "live-svc"}}]},
                               "scopeSpans": [{"spans": [{"traceId": trace_id, "spanId": "00000000000000a1", "name": name,
                                                          "kind": 2, "startTimeUnixNano": str(now - 5_000_000),
                                                          "endTimeUnixNano": str(now)}]}]}]}
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/traces", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


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


async def test_with_listen_every_tab_shows_the_spans_one_receiver_gets_as_they_arrive():
    otlp = free_port()
    with serve("--listen", str(otlp)) as url:
        deadline = time.monotonic() + 20
        while True:  # the shared receiver (a `record` child) is up when it answers
            try:
                _post_trace(otlp, "5" * 32, "before the tab opened")
                break
            except OSError:
                assert time.monotonic() < deadline, "the receiver never answered"
                time.sleep(0.2)
        async with Browser() as first, Browser() as second:
            for tab in (first, second):
                await tab.goto(url)
            for tab in (first, second):
                assert await tab.wait_for_text("before the tab opened", timeout=60)
                assert await tab.wait_for_text(f"live 127.0.0.1:{otlp}")
            _post_trace(otlp, "6" * 32, "while both watch")
            for tab in (first, second):
                assert await tab.wait_for_text("while both watch", timeout=30)
