"""Live mode in the TUI: real OTLP requests into the running app (Textual's loop), as
`tracetui --listen` runs it."""

from __future__ import annotations

import asyncio
import http.client
import io
import socket
import time

import orjson
import pytest
from rich.console import Console

from tracetui.model import TraceStore
from tracetui.sources.receiver.config import LiveConfig

make_app = pytest.importorskip("tracetui.ui.app", reason="the TUI is not on this branch yet").make_app
LiveFeeder = pytest.importorskip("tracetui.ui.feeders.live").LiveFeeder

SIZE = (120, 35)
T0 = 1_764_000_000_000_000_000


def otlp_json(trace: int, spans: list[tuple[int, int, str, int]], service: str = "cart") -> bytes:
    """spans: (span id, parent id or 0, name, start offset ms)."""
    tid = f"{trace:032x}"
    return orjson.dumps({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
        "scopeSpans": [{"spans": [
            {"traceId": tid, "spanId": f"{sid:016x}", **({"parentSpanId": f"{pid:016x}"} if pid else {}),
             "name": name, "kind": 2, "startTimeUnixNano": str(T0 + trace * 10**9 + at * 10**6),
             "endTimeUnixNano": str(T0 + trace * 10**9 + (at + 20) * 10**6)}
            for sid, pid, name, at in spans]}]}]})


def post(port: int, body: bytes, content_type: str = "application/json") -> int:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("POST", "/v1/traces", body, {"Content-Type": content_type})
        return c.getresponse().status
    finally:
        c.close()


def screen_text(app) -> str:
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=False)


async def until(predicate, pilot, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)
    await pilot.pause()


async def started(app, pilot) -> int:
    """Wait for the receivers (they start right after the first screen); return the HTTP port."""
    await until(lambda: receiver(app).started, pilot)
    return receiver(app).servers.http.port


def receiver(app) -> LiveFeeder:
    return app.feeder(LiveFeeder)


def live_app(store: TraceStore | None = None, **live):
    config = LiveConfig(http=("127.0.0.1", 0), **live)
    return make_app(TraceStore(max_spans=1_000_000) if store is None else store, utc=True, live=config)


async def test_traces_arrive_in_the_list_without_moving_the_selection():
    from tracetui.ui.widgets.trace_table import TraceTable

    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        port = await started(app, pilot)
        for t in (1, 2, 3):
            assert await asyncio.to_thread(post, port, otlp_json(t, [(1, 0, f"GET /item/{t}", 0)])) == 200
        await until(lambda: app.index.total == 3, pilot)
        table = app.screen.query_one(TraceTable)
        await pilot.press("j")  # the second row: newest first, so trace 2
        selected = table.selected.trace_id
        assert selected == f"{2:032x}"
        for t in (4, 5):  # newer: sorted above the selection
            assert await asyncio.to_thread(post, port, otlp_json(t, [(1, 0, f"GET /item/{t}", 0)])) == 200
        await until(lambda: app.index.total == 5, pilot)
        assert table.selected.trace_id == selected
        text = screen_text(app)
        assert "GET /item/5" in text and "● live 127.0.0.1:" in text and "5 received" in text


async def test_an_open_trace_grows_as_late_spans_arrive():
    from tracetui.ui.screens.trace_view import TraceViewScreen

    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        port = await started(app, pilot)
        await asyncio.to_thread(post, port, otlp_json(7, [(1, 0, "GET /cart", 0)]))
        await until(lambda: app.index.total == 1, pilot)
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, TraceViewScreen), pilot)
        assert "render cart" not in screen_text(app)
        await asyncio.to_thread(post, port, otlp_json(7, [(2, 1, "SELECT cart", 1), (3, 1, "render cart", 5)]))
        await until(lambda: len(app.screen.waterfall.row_view) == 3, pilot)
        text = screen_text(app)
        assert "SELECT cart" in text and "render cart" in text and "3 spans" in text


async def test_rejections_show_in_the_status_bar_and_ctrl_l_clears_everything():
    app = live_app(token="s3cret")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        port = await started(app, pilot)
        assert await asyncio.to_thread(post, port, b"{}") == 401
        receiver(app).ingest.token = None  # the token check itself is tested elsewhere; now let spans in
        for t in (1, 2):
            assert await asyncio.to_thread(post, port, otlp_json(t, [(1, 0, "op", 0)])) == 200
        assert await asyncio.to_thread(post, port, b"x", "text/plain") == 415
        await until(lambda: app.index.total == 2, pilot)
        app.refresh_status()
        await pilot.pause()
        text = screen_text(app)
        assert "2 rejected (401×1, 415×1)" in text
        await until(lambda: "rejected a request: 401 unauthorized" in screen_text(app), pilot)
        await pilot.press("ctrl+l")
        await until(lambda: app.index.total == 0, pilot)
        assert len(app.store) == 0 and receiver(app).ingest.stats.spans == 0
        assert "0 received" in screen_text(app)
        # Still receiving after the clear.
        assert await asyncio.to_thread(post, port, otlp_json(9, [(1, 0, "after", 0)])) == 200
        await until(lambda: app.index.total == 1, pilot)


async def test_retention_evicts_whole_old_traces_and_says_so():
    app = live_app(TraceStore(max_spans=6))
    async with app.run_test(size=SIZE) as pilot:
        port = await started(app, pilot)
        for t in range(1, 6):
            await asyncio.to_thread(post, port, otlp_json(t, [(1, 0, "a", 0), (2, 1, "b", 1)]))
        await until(lambda: app.store.evicted_traces == 2 and app.index.total == 3, pilot)
        assert "2 old traces dropped" in screen_text(app)


async def test_quitting_frees_the_port():
    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        port = await started(app, pilot)
        await pilot.press("q")
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # would raise if the receiver still held it


async def test_a_taken_port_ends_the_app_with_a_message():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        app = make_app(TraceStore(), live=LiveConfig(http=("127.0.0.1", port)))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
        assert app.return_code == 1


async def test_listening_beyond_loopback_warns_in_the_app_too(monkeypatch):
    # The warning is also printed before the TUI starts, where the screen then hides it.
    # (The address stays loopback here; only the warning's display is under test.)
    monkeypatch.setattr(LiveConfig, "warnings", lambda self: ["warning: reachable from other machines"])
    app = live_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(app, pilot)
        await until(lambda: "reachable from other machines" in screen_text(app), pilot, 5)


def test_listen_on_a_taken_port_says_so_before_the_screen_is_taken(tmp_path):
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "tracetui", "--listen", f"127.0.0.1:{port}"],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "tracetui", "--listen", "127.0.0.1:notaport"],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "Traceback" not in r.stderr


async def test_grpc_spans_show_up_live_too():
    pytest.importorskip("grpc", reason="grpcio not installed (pip install 'tracetui[grpc]')")
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import SpanExportResult
    from sources.receiver.test_receiver_http import sdk_spans

    app = live_app(grpc=("127.0.0.1", 0))
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        exporter = OTLPSpanExporter(endpoint=f"127.0.0.1:{receiver(app).servers.grpc.port}", insecure=True, timeout=10)
        assert await asyncio.to_thread(exporter.export, sdk_spans("payments")) == SpanExportResult.SUCCESS
        exporter.shutdown()
        await until(lambda: app.index.total == 1, pilot)
        text = screen_text(app)
        assert "payments: POST /checkout" in text and "+ gRPC 127.0.0.1:" in text


async def test_live_mode_shortens_the_gil_switch_interval_and_restores_it():
    import sys

    before = sys.getswitchinterval()
    app = live_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert sys.getswitchinterval() == pytest.approx(0.001)
        await pilot.press("q")
    assert sys.getswitchinterval() == pytest.approx(before)
