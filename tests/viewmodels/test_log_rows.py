"""A trace's log records as rows, and in the span detail: times from the right clock."""

from __future__ import annotations

from builders import span, trace

from tracetui.model.log import LogRecord
from tracetui.model.span import KIND_CLIENT, KIND_SERVER
from tracetui.viewmodels.log_rows import trace_log_rows
from tracetui.viewmodels.span_fields import span_fields

MS = 1_000_000


def test_rows_say_when_where_and_what_and_which_span():
    t = trace(span("root", "", 0, 50 * MS, service="front"), span("db", "root", 10 * MS, 20 * MS, service="back"))
    t.add_logs([
        LogRecord(trace_id=t.trace_id, span_id="db", time_ns=12 * MS, severity=17, body="timeout"),
        LogRecord(trace_id=t.trace_id, span_id="", time_ns=30 * MS, severity=9, body="summary"),
        LogRecord(trace_id=t.trace_id, span_id="gone", time_ns=40 * MS, severity=13, body="lost"),
    ])
    rows = trace_log_rows(t)
    assert [(r.when, r.severity, r.look, r.body, r.pos) for r in rows] == [
        ("+12.0ms", "ERROR", "error", "timeout", t.position("db")),
        ("+30.0ms", "INFO", "", "summary", None),
        ("+40.0ms", "WARN", "warning", "lost", None),
    ]
    assert rows[0].where == "back: db"
    assert rows[1].where.endswith("the trace (no span named)") and "not in the trace" in rows[2].where


def test_a_span_moved_for_clock_skew_keeps_its_records_on_its_own_clock():
    # back's clock runs 40ms late: its server span reads -28..-2ms and is shown moved to 12..38ms.
    t = trace(span("root", "", 0, 50 * MS, service="front", kind=KIND_SERVER),
              span("call", "root", 10 * MS, 40 * MS, service="front", kind=KIND_CLIENT),
              span("srv", "call", -28 * MS, -2 * MS, service="back", kind=KIND_SERVER))
    srv = t.position("srv")
    assert t.shift_of(srv) == 40 * MS
    t.add_logs([LogRecord(trace_id=t.trace_id, span_id="srv", time_ns=-18 * MS, severity=9, body="working")])
    assert trace_log_rows(t)[0].when == "+22.0ms"  # moved with its span: 12ms + 10ms
    logs = [f.value for f in span_fields(t, srv) if f.key == "log"]
    assert logs == ["+10.0ms  INFO  working"]  # 10ms after the span started, on its clock
