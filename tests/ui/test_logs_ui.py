"""Logs of a span in the explorer: the detail pane lists a span's records, the trace view lists
the trace's records and Enter goes to a record's span, the list filters on log text and
severity, and records of no trace are listed. On the SDK's mixed sample, and on logs the SDK's
OTLP log exporters sent live to the receiver."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_helpers import SIZE, screen_text

from tracetui.model import TraceStore
from tracetui.sources.files import load_paths
from tracetui.ui.app import make_app
from tracetui.ui.screens.logs import TracelessLogsScreen
from tracetui.ui.screens.problems import ProblemsScreen
from tracetui.ui.screens.trace_view import TraceViewScreen
from tracetui.ui.widgets.log_list import LogList
from tracetui.ui.widgets.span_detail import SpanDetail

SAMPLE = Path(__file__).resolve().parents[2] / "sample_traces" / "shop_logs.jsonl"
CHECKOUT = "0af7651916cd43dd8448eb211c80319c"


def _store() -> TraceStore:
    store = TraceStore()
    assert load_paths([str(SAMPLE)], store) == []
    return store


def _detail_lines(screen: TraceViewScreen) -> list[str]:
    return [f.value for f in screen.query_one(SpanDetail).fields]


def _logs_section(screen: TraceViewScreen) -> list[str]:
    """The entries of the detail pane's Logs section (heading included)."""
    fields = screen.query_one(SpanDetail).fields
    start = next((i for i, f in enumerate(fields) if f.kind == "heading" and f.value.startswith("Logs")), None)
    if start is None:
        return []
    end = next(i for i in range(start + 1, len(fields)) if fields[i].kind == "heading")
    return [f.value for f in fields[start:end] if f.kind in ("heading", "text")]


async def _open(app, pilot, trace_id: str, span_id: str = "") -> TraceViewScreen:
    await pilot.pause()
    assert app.open_trace(trace_id, span_id)
    await pilot.pause()
    assert isinstance(app.screen, TraceViewScreen)
    return app.screen


async def test_the_detail_pane_lists_the_logs_of_the_span_under_the_cursor():
    store = _store()
    trace = store.get(CHECKOUT)
    charge = next(s for s in trace.spans if s.service == "payments" and trace.logs_of(s.span_id)
                  and any(r.severity_name == "WARN" for r in trace.logs_of(s.span_id)))
    app = make_app(store, utc=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, CHECKOUT, charge.span_id)
        section = _logs_section(screen)
        assert section[0] == "Logs (2)"
        assert section[1].endswith("DEBUG  charging 18500 cents on tok_visa_4242") and section[1].startswith("+")
        assert section[2].endswith("WARN  refused with 503: connection pool exhausted")
        assert "shop.order_id" in [f.key for f in screen.query_one(SpanDetail).fields]  # its attributes
        assert "refused with 503" in screen_text(app)  # drawn, not only listed
        # A span without logs has no Logs section.
        root = trace.root
        screen.waterfall.select_pos(trace.spans.index(root))
        await pilot.pause()
        assert _logs_section(screen) == []


async def test_the_trace_logs_in_time_order_and_enter_goes_to_the_span():
    store = _store()
    trace = store.get(CHECKOUT)
    app = make_app(store, utc=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, CHECKOUT)
        assert f"{len(trace.logs)} log records (r)" in screen_text(app)
        await pilot.press("r")
        view = screen.query_one(LogList)
        assert view.display and view.has_focus
        rows = view.rows
        assert len(rows) == len(trace.logs) == 8
        assert [r.record.time_ns for r in rows] == sorted(r.record.time_ns for r in rows)
        warn = next(i for i, r in enumerate(rows) if r.severity == "WARN")
        assert rows[warn].where == "payments: POST /api/charges"
        for _ in range(warn):
            await pilot.press("down")
        await pilot.press("enter")
        assert screen.waterfall.has_focus
        span = trace.spans[screen.waterfall.selected_pos]
        assert (span.service, span.name) == ("payments", "POST /api/charges")
        assert any("refused with 503" in line for line in _detail_lines(screen))
        await pilot.press("r")  # back to the list, then away again
        assert view.has_focus
        await pilot.press("r")
        assert not view.display


async def test_the_trace_list_filters_on_log_text_and_severity():
    store = _store()
    app = make_app(store, utc=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("slash")
        await pilot.press(*"log~=pool")
        await pilot.press("enter")
        await pilot.pause()
        assert {s.trace_id for s in app.index.rows} == {CHECKOUT}
        screen.filter_bar.clear()
        await pilot.press("slash", *"severity>=error", "enter")
        await pilot.pause()
        failed = {t.trace_id for t in store if any(r.severity >= 17 for r in t.logs)}
        assert failed and {s.trace_id for s in app.index.rows} == failed and CHECKOUT not in failed
        screen.filter_bar.clear()
        await pilot.press("slash", *"-severity>=debug", "enter")  # traces without any log
        await pilot.pause()
        assert {s.trace_id for s in app.index.rows} == {t.trace_id for t in store if not t.logs}


async def test_records_of_no_trace_are_counted_and_listed():
    store = _store()
    app = make_app(store, utc=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "24 log records (9 of no trace: ! then l)" in screen_text(app)
        await pilot.press("exclamation_mark")
        assert isinstance(app.screen, ProblemsScreen)
        assert "9 log records name no trace" in screen_text(app)
        await pilot.press("l")
        assert isinstance(app.screen, TracelessLogsScreen)
        rows = app.screen.query_one(LogList).rows
        assert len(rows) == 9 and {r.where for r in rows} >= {"checkout", "payments", "frontend"}
        assert "checkout 1.x started on 127.0.0.1" in screen_text(app)


@pytest.mark.parametrize("transport", ["http", "grpc"])
async def test_logs_sent_live_by_the_sdk_appear_under_their_spans(transport):
    from opentelemetry.sdk._logs.export import LogRecordExportResult
    from opentelemetry.sdk.trace.export import SpanExportResult
    from receiver_helpers import LiveReceiver

    from tests.support.sdk_dumps import sdk_spans_and_logs

    spans, records = sdk_spans_and_logs(service="orders")
    if transport == "grpc":
        pytest.importorskip("grpc")
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    else:
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    with LiveReceiver(grpc=transport == "grpc") as r:
        if transport == "grpc":
            target = dict(endpoint=f"127.0.0.1:{r.grpc_server.port}", insecure=True)
            logs_kw, spans_kw = target, target
        else:
            logs_kw = dict(endpoint=r.url.replace("/v1/traces", "/v1/logs"))
            spans_kw = dict(endpoint=r.url)
        assert OTLPLogExporter(timeout=10, **logs_kw).export(records) == LogRecordExportResult.SUCCESS
        assert OTLPSpanExporter(timeout=10, **spans_kw).export(spans) == SpanExportResult.SUCCESS
        store = r.store
    step = next(s for s in spans if s.name == "step")
    tid, sid = format(step.context.trace_id, "032x"), format(step.context.span_id, "016x")
    app = make_app(store, utc=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, tid, sid)
        section = _logs_section(screen)
        assert section[0] == "Logs (1)" and section[1].endswith("WARN  slow step in request 0")
        root = store.get(tid).root
        screen.waterfall.select_pos(store.get(tid).spans.index(root))
        await pilot.pause()
        assert [line.split("  ", 2)[-1] for line in _logs_section(screen)[1:]] == [
            "handling request 0", "request 0 failed"]
