"""Tiny hand-built traces for tests whose right answers are worked out in the test."""

from __future__ import annotations

from tracetui.model import Resource, Span, Trace, TraceStore

_RES: dict[str, Resource] = {}


def span(sid: str, parent: str = "", start: int = 0, end: int = 0, *, service: str = "svc",
         name: str | None = None, trace_id: str = "t1", **kw) -> Span:
    res = _RES.setdefault(service, Resource(service, {"service.name": service}))
    return Span(trace_id=trace_id, span_id=sid, parent_id=parent, name=name or sid,
                start_ns=start, end_ns=end, resource=res, **kw)


def trace(*spans: Span) -> Trace:
    store = TraceStore()
    store.add(spans)
    (t,) = store.traces.values()
    return t


def checkout_trace() -> Trace:
    """Five spans with two errors, an exception event and two services called twice:
    front 0..100ms ─┬─ cart 10..60 (error, exception at 30) ── db 12..20
                    └─ pay 65..95 ── db 70..80 (error)"""
    from tracetui.model.span import STATUS_ERROR, Event

    ms = 1_000_000
    return trace(
        span("root", "", 0, 100 * ms, service="front", name="GET /checkout"),
        span("a", "root", 10 * ms, 60 * ms, service="cart", name="add item", status=STATUS_ERROR,
             raw_events=[Event(30 * ms, "exception")]),
        span("a1", "a", 12 * ms, 20 * ms, service="db", name="SELECT cart"),
        span("b", "root", 65 * ms, 95 * ms, service="pay", name="charge"),
        span("b1", "b", 70 * ms, 80 * ms, service="db", name="INSERT payment", status=STATUS_ERROR),
    )
