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
