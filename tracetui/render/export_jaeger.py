"""Traces as Jaeger JSON, the query API's and UI download's shape that Jaeger UI's "upload"
reads: `{"data": [{"traceID", "spans": [...], "processes": {"p1": {"serviceName", "tags"}}}]}`,
times in microseconds, tags typed (`string`, `bool`, `int64`, `float64`).

As the OpenTelemetry Collector's Jaeger translator writes them: the parent is a `CHILD_OF`
reference (`FOLLOWS_FROM` when it was one), links are `FOLLOWS_FROM` references, the kind is the
`span.kind` tag, the status `otel.status_code` (+ `otel.status_description`) and `error=true`
when it failed, events are logs whose `event` field is the name.

What Jaeger JSON cannot carry: times finer than a microsecond (cut to the microsecond), the
instrumentation scope, the trace state, attributes of links; arrays and maps are written as
their JSON text (Jaeger tags have no such types). Read back, an event's attributes include its
`event` field, a link has the attribute `jaeger.ref_type`, a failed span the tag `error`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import IO, Any

import orjson

from tracetui.model.span import KIND_NAMES, STATUS_NAMES, Resource, Span
from tracetui.model.trace import Trace
from tracetui.render.export import ordered_spans
from tracetui.render.text import json_bytes

_INT64 = (-(2**63), 2**63 - 1)


def tag(key: str, v: Any) -> dict:
    if isinstance(v, bool):
        return {"key": key, "type": "bool", "value": v}
    if isinstance(v, int) and _INT64[0] <= v <= _INT64[1]:
        return {"key": key, "type": "int64", "value": v}
    if isinstance(v, float) and math.isfinite(v):
        return {"key": key, "type": "float64", "value": v}
    if isinstance(v, str):
        return {"key": key, "type": "string", "value": v}
    if isinstance(v, (list, tuple, dict)):
        return {"key": key, "type": "string", "value": orjson.dumps(v, default=str).decode()}
    return {"key": key, "type": "string", "value": "" if v is None else str(v)}


def _us(ns: int) -> int:
    return ns // 1000


def span_json(s: Span, process_id: str) -> dict:
    refs = []
    if s.parent_id:
        refs.append({"refType": "FOLLOWS_FROM" if s.follows_from else "CHILD_OF",
                     "traceID": s.trace_id, "spanID": s.parent_id})
    for ln in s.links:
        refs.append({"refType": "FOLLOWS_FROM", "traceID": ln.trace_id, "spanID": ln.span_id})
    tags = [tag(k, v) for k, v in s.attributes.items()]
    if s.kind:
        tags.append(tag("span.kind", KIND_NAMES[s.kind] if 0 <= s.kind < len(KIND_NAMES) else str(s.kind)))
    if s.status:
        tags.append(tag("otel.status_code", STATUS_NAMES[s.status].upper() if 0 <= s.status < 3 else str(s.status)))
        if s.status == 2 and not any(t["key"] == "error" for t in tags):
            tags.append(tag("error", True))
    if s.status_message:
        tags.append(tag("otel.status_description", s.status_message))
    logs = [{"timestamp": _us(e.time_ns),
             "fields": [tag("event", e.name), *(tag(k, v) for k, v in e.attributes.items() if k != "event")]}
            for e in s.events]
    start = _us(s.start_ns)
    return {"traceID": s.trace_id, "spanID": s.span_id, "operationName": s.name, "references": refs,
            "flags": 1, "startTime": start, "duration": _us(s.end_ns) - start, "tags": tags, "logs": logs,
            "processID": process_id, "warnings": None}


def trace_json(t: Trace) -> dict:
    processes: dict[int, tuple[str, Resource]] = {}
    spans = []
    for s in ordered_spans(t):
        p = processes.get(id(s.resource))
        if p is None:
            p = processes[id(s.resource)] = (f"p{len(processes) + 1}", s.resource)
        spans.append(span_json(s, p[0]))
    return {"traceID": t.trace_id, "spans": spans,
            "processes": {pid: {"serviceName": r.service,
                                "tags": [tag(k, v) for k, v in r.attributes.items() if k != "service.name"]}
                          for pid, r in processes.values()},
            "warnings": None}


def write_jaeger(traces: Iterable[Trace], out: IO[bytes]) -> int:
    """`{"data": [...]}`, written trace by trace (the whole document is never held at once)."""
    n = 0
    out.write(b'{"data":[')
    for i, t in enumerate(traces):
        if i:
            out.write(b",\n")
        out.write(json_bytes(trace_json(t)))
        n += len(t.spans)
    out.write(b"]}\n")
    return n
