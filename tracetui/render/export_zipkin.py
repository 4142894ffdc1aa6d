"""Traces as Zipkin v2 JSON: one list of spans (what `POST /api/v2/spans` takes and Zipkin UI's
upload reads), times in microseconds, `tags` as strings.

As OpenTelemetry's Zipkin exporter writes them: `localEndpoint.serviceName` is the service, the
kind `CLIENT`/`SERVER`/`PRODUCER`/`CONSUMER` (none for internal spans), the status the tags
`otel.status_code` and, when it failed, `error` (its message, or `true`), events are
annotations (the name as the value).

What Zipkin v2 cannot carry: links, attributes of events, resource attributes other than the
service, the instrumentation scope, the trace state, times finer than a microsecond (cut), the
kind INTERNAL (read back as unspecified); tag values are text (numbers and booleans come back as
their text, arrays and maps as JSON text). Read back, a span with a status has the tags
`otel.status_code` (and `error`) among its attributes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import orjson

from tracetui.model.span import (
    KIND_CLIENT,
    KIND_CONSUMER,
    KIND_PRODUCER,
    KIND_SERVER,
    STATUS_ERROR,
    STATUS_OK,
    Span,
)
from tracetui.model.trace import Trace
from tracetui.render.export import ordered_spans
from tracetui.render.text import json_bytes

_KINDS = {KIND_CLIENT: "CLIENT", KIND_SERVER: "SERVER", KIND_PRODUCER: "PRODUCER", KIND_CONSUMER: "CONSUMER"}


def tag_text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    if isinstance(v, (int, float)):
        return orjson.dumps(v).decode() if isinstance(v, int) or v == v and abs(v) != float("inf") else str(v)
    return orjson.dumps(v, default=str).decode()


def span_json(s: Span) -> dict:
    start = s.start_ns // 1000
    out: dict[str, Any] = {"traceId": s.trace_id, "id": s.span_id}
    if s.parent_id:
        out["parentId"] = s.parent_id
    out["name"] = s.name
    if s.kind in _KINDS:
        out["kind"] = _KINDS[s.kind]
    out["timestamp"] = start
    out["duration"] = s.end_ns // 1000 - start
    out["localEndpoint"] = {"serviceName": s.service}
    tags = {str(k): tag_text(v) for k, v in s.attributes.items()}
    if s.status == STATUS_ERROR:
        tags["otel.status_code"] = "ERROR"
        tags.setdefault("error", s.status_message or "true")
    elif s.status == STATUS_OK:
        tags["otel.status_code"] = "OK"
    if s.status_message and s.status != STATUS_ERROR:
        tags["otel.status_description"] = s.status_message
    if tags:
        out["tags"] = tags
    events = s.events
    if events:
        out["annotations"] = [{"timestamp": e.time_ns // 1000, "value": e.name} for e in events]
    return out


def write_zipkin(traces: Iterable[Trace], out: IO[bytes]) -> int:
    """One JSON list of every span, written trace by trace."""
    n = 0
    out.write(b"[")
    for t in traces:
        for s in ordered_spans(t):
            if n:
                out.write(b",\n")
            out.write(json_bytes(span_json(s)))
            n += 1
    out.write(b"]\n")
    return n
