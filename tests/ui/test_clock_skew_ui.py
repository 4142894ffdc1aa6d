"""Clock skew in the explorer: `a` in a trace straightens the waterfall, the list follows."""

from __future__ import annotations

from builders import span
from ui_helpers import SIZE, screen_text, table_rows

from tracetui.model import TraceStore
from tracetui.model.span import KIND_CLIENT, KIND_SERVER
from tracetui.ui.app import make_app
from tracetui.ui.screens.trace_view import TraceViewScreen

MS = 1_000_000
T0 = 1_700_000_000_000_000_000
SKEWED, PLAIN = "a" * 32, "b" * 32


def _store() -> TraceStore:
    def sp(sid, parent, a, b, service, kind, tid, name):
        return span(sid, parent, T0 + a, T0 + b, service=service, kind=kind, trace_id=tid, name=name)

    store = TraceStore()
    store.add([
        # billing's clock runs 40ms behind: its server span reads 30ms before its caller
        sp("1" * 16, "", 0, 50 * MS, "front", KIND_SERVER, SKEWED, "GET /skewed"),
        sp("2" * 16, "1" * 16, 10 * MS, 40 * MS, "front", KIND_CLIENT, SKEWED, "POST /bill"),
        sp("3" * 16, "2" * 16, -28 * MS, -2 * MS, "billing", KIND_SERVER, SKEWED, "bill handler"),
        sp("4" * 16, "", 1000 * MS, 1060 * MS, "front", KIND_SERVER, PLAIN, "GET /plain"),
    ])
    return store


def _handler_row(app) -> str:
    return next(line for line in screen_text(app).splitlines() if "bill handler" in line)


async def test_the_skew_toggle_straightens_the_waterfall_and_the_lists_durations():
    app = make_app(_store(), sources=["skew.json"], utc=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")  # slowest first: adjusted, the skewed trace is 50ms, under the 60ms one
        await pilot.pause()
        rows = table_rows(app)
        assert "GET /plain" in rows[0] and "60.0ms" in rows[0] and "⇄" not in rows[0]
        assert "GET /skewed" in rows[1] and "50.0ms" in rows[1] and "⇄" in rows[1]  # marked in the list

        app.open_trace(SKEWED)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TraceViewScreen)
        text = screen_text(app)
        assert "⇄ clock skew: 1 span adjusted" in text
        assert "critical path 50.0ms (100%)" in text
        assert "⇄+40.0ms" in _handler_row(app)
        # Adjusted, the caller's self time is what it did not wait: 30ms - 26ms.
        call = screen.trace.position("2" * 16)
        assert screen.analysis.self_times[call] == 4 * MS

        await pilot.press("a")  # times as read
        await pilot.pause()
        text = screen_text(app)
        assert "⚠ clock skew: 1 span as read" in text
        assert "78.0ms" in text.splitlines()[1]  # the header's duration
        assert "⇄" not in _handler_row(app)
        assert screen.analysis.self_times[call] == 30 * MS
        # The server span's bar now starts left of its caller's: before the root's own start.
        server = screen.trace.spans[screen.trace.position("3" * 16)]
        assert server.start_ns < screen.trace.spans[call].start_ns

        await pilot.press("escape")
        await pilot.pause()
        rows = table_rows(app)
        assert "GET /skewed" in rows[0] and "78.0ms" in rows[0]  # as read, it is the slowest

        app.open_trace(SKEWED)
        await pilot.pause()
        await pilot.press("a")  # adjusted again
        await pilot.pause()
        assert "⇄ clock skew: 1 span adjusted" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        rows = table_rows(app)
        assert "GET /plain" in rows[0] and "GET /skewed" in rows[1] and "50.0ms" in rows[1]


async def test_the_detail_pane_says_how_far_a_span_was_moved():
    app = make_app(_store(), sources=["skew.json"], utc=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.open_trace(SKEWED)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TraceViewScreen)
        screen.waterfall.select_pos(screen.trace.position("3" * 16))
        await pilot.pause()
        assert "moved +40.0ms to fit its caller" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        assert "its clock looks off: +40.0ms would fit its caller" in screen_text(app)


async def test_a_trace_with_orphans_shows_the_roots_path_and_the_orphans_paths_apart():
    from builders import span as sp

    us = 1_000
    store = TraceStore()
    store.add([
        sp("r" * 16, "", T0, T0 + 17_600 * us, service="front", trace_id=PLAIN, name="GET /"),
        sp("k" * 16, "r" * 16, T0 + 2_000 * us, T0 + 15_000 * us, service="front", trace_id=PLAIN),
        sp("o" * 16, "9" * 16, T0 + 1_000 * us, T0 + 12_000 * us, service="back", trace_id=PLAIN),
        sp("p" * 16, "9" * 16, T0 + 6_000 * us, T0 + 17_000 * us, service="back", trace_id=PLAIN),
    ])
    app = make_app(store, sources=["orphans.json"], utc=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.open_trace(PLAIN)
        await pilot.pause()
        header = screen_text(app).splitlines()[1]
        assert "critical path 17.6ms (100%)" in header
        assert "orphans' paths 22.0ms in 2 subtrees" in header


async def test_on_sdk_made_traces_the_toggle_straightens_the_product_pages():
    """sample_traces/skew.json: the catalog host's clock runs 40ms behind (generate.py)."""
    from conftest import SAMPLES

    from tracetui.model.span import KIND_CLIENT, KIND_SERVER
    from tracetui.sources.files import load_paths

    store = TraceStore()
    assert not [p for p in load_paths([str(SAMPLES / "skew.json")], store) if not p.warning]
    product = next(t for t in store if t.root.name == "GET /products/{sku}")
    adjusted_ms = product.duration_ns / MS
    assert adjusted_ms < 20  # a few ms: the request as it ran
    app = make_app(store, sources=["skew.json"], utc=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        row = next(r for r in table_rows(app) if product.trace_id[:7] in r or "GET /products" in r)
        assert "ms" in row and float(row.split("ms")[0].split()[-1]) < 20

        app.open_trace(product.trace_id)
        await pilot.pause()
        screen = app.screen
        trace = screen.trace

        def call_and_server():
            spans = trace.spans
            client = next(s for s in spans if s.kind == KIND_CLIENT and s.service == "frontend")
            server = next(s for s in spans if s.kind == KIND_SERVER and s.service == "catalog")
            return client, server

        client, server = call_and_server()
        assert client.start_ns <= server.start_ns and server.end_ns <= client.end_ns  # straight
        assert "⇄ clock skew: 2 spans adjusted" in screen_text(app)  # the server span and its redis call

        await pilot.press("a")
        await pilot.pause()
        client, server = call_and_server()
        assert server.start_ns < client.start_ns - 30 * MS  # as read: 30ms+ before its caller
        assert trace.duration_ns > adjusted_ms * MS + 30 * MS
        await pilot.press("escape")
        await pilot.pause()
        rows = [r for r in table_rows(app) if "GET /products" in r]
        assert rows and all(float(r.split("ms")[0].split()[-1]) > 40 for r in rows)
        app.open_trace(product.trace_id)
        await pilot.pause()
        await pilot.press("a")  # adjusted again, for every trace
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        rows = [r for r in table_rows(app) if "GET /products" in r]
        assert rows and all(float(r.split("ms")[0].split()[-1]) < 20 for r in rows)


def test_the_lists_duration_scale_follows_the_toggle():
    from tracetui.viewmodels.trace_list import TraceIndex

    store = _store()
    index = TraceIndex()
    index.update(store, list(store.traces))
    assert index.max_duration_ns == 60 * MS  # the plain trace; the skewed one is 50ms adjusted
    index.update(store, store.set_adjust_skew(False))
    assert index.max_duration_ns == 78 * MS
    index.update(store, store.set_adjust_skew(True))
    assert index.max_duration_ns == 60 * MS  # bars scale to the slowest again, not to 78ms
