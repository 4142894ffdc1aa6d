"""Small OTLP JSON traces built in code, with answers a test can work out by hand.

Trace A "checkout" (frontend → checkout → payment fails with an exception; inventory; db),
trace B "slow-report" (the slowest), trace C links to a span of trace A, and trace D carries
hostile text (markup, escapes, tabs, newlines, very long and non-ASCII values).
"""

from __future__ import annotations

import orjson

from tracetui.loaders import read_bytes
from tracetui.model import TraceStore

MS = 1_000_000
T0 = 1_700_000_000_000_000_000  # 2023-11-14 22:13:20 UTC

TRACE_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
TRACE_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
TRACE_C = "cccccccccccccccccccccccccccccccc"
TRACE_D = "dddddddddddddddddddddddddddddddd"

HOSTILE_NAME = "[bold]pwn[/] \x1b[2J\ttab\nnewline ünïcødé 漢字"
HOSTILE_VALUE = "[red]x[/red] \x1b]52;c;ZXZpbA==\x07 " + "long " * 300


def _attr(k: str, v) -> dict:
    if isinstance(v, bool):
        return {"key": k, "value": {"boolValue": v}}
    if isinstance(v, int):
        return {"key": k, "value": {"intValue": str(v)}}
    return {"key": k, "value": {"stringValue": v}}


def _span(trace_id: str, span_id: str, parent: str, name: str, start_ms: float, end_ms: float, *,
          kind: int = 1, error: str | None = None, attrs: dict | None = None,
          events: list | None = None, links: list | None = None) -> dict:
    s = {
        "traceId": trace_id, "spanId": span_id, "parentSpanId": parent, "name": name, "kind": kind,
        "startTimeUnixNano": str(T0 + int(start_ms * MS)), "endTimeUnixNano": str(T0 + int(end_ms * MS)),
        "attributes": [_attr(k, v) for k, v in (attrs or {}).items()],
    }
    if error is not None:
        s["status"] = {"code": 2, "message": error}
    if events:
        s["events"] = events
    if links:
        s["links"] = links
    return s


def _resource(service: str, spans: list[dict]) -> dict:
    return {"resource": {"attributes": [_attr("service.name", service), _attr("host.name", f"{service}-1")]},
            "scopeSpans": [{"scope": {"name": "test-instrumentation", "version": "1.0"}, "spans": spans}]}


STACK = 'Traceback (most recent call last):\n  File "pay.py", line 12, in charge\n    raise CardDeclined()\nCardDeclined: card declined'


def sample_document() -> dict:
    a = TRACE_A
    frontend = [
        _span(a, "a000000000000001", "", "GET /checkout", 0, 120, kind=2, attrs={"http.method": "GET", "http.status_code": 500}),
        _span(TRACE_B, "b000000000000001", "", "GET /report", 0, 900, kind=2,
              links=[{"traceId": TRACE_B, "spanId": "b000000000000002"}]),
        _span(TRACE_C, "c000000000000001", "", "process-order", 200, 230, kind=5,
              links=[{"traceId": a, "spanId": "a000000000000003"},
                     {"traceId": "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "spanId": "e000000000000001"}]),
        _span(TRACE_D, "d000000000000001", "", HOSTILE_NAME, 300, 310, attrs={"evil": HOSTILE_VALUE},
              links=[{"traceId": "[b]nope[/b]", "spanId": "[i]x"}]),
    ]
    checkout = [
        _span(a, "a000000000000002", "a000000000000001", "checkout.place_order", 5, 110, kind=2),
        _span(a, "a000000000000005", "a000000000000002", "inventory.reserve", 10, 30, kind=3),
    ]
    payment = [
        _span(a, "a000000000000003", "a000000000000002", "payment.charge", 35, 105, kind=2,
              error="card declined",
              events=[{"timeUnixNano": str(T0 + 100 * MS), "name": "exception",
                       "attributes": [_attr("exception.type", "CardDeclined"),
                                      _attr("exception.message", "card declined"),
                                      _attr("exception.stacktrace", STACK)]}]),
        _span(a, "a000000000000004", "a000000000000003", "SELECT cards", 40, 60, kind=3,
              attrs={"db.system": "postgresql"}),
    ]
    report = [
        _span(TRACE_B, "b000000000000002", "b000000000000001", "build-report", 10, 880),
    ]
    return {"resourceSpans": [
        _resource("frontend", frontend), _resource("checkout", checkout),
        _resource("payment", payment), _resource("reporting", report),
    ]}


def sample_bytes() -> bytes:
    return orjson.dumps(sample_document())


def sample_store() -> TraceStore:
    store = TraceStore()
    for batch in read_bytes(sample_bytes(), "sample.json"):
        store.add(batch.spans)
    return store
