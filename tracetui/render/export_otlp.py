"""Traces as OTLP JSON, in the Collector's `file` exporter form: one `TracesData` object per
line (here: one line per trace), ids in lower-case hex, enums as integers, 64-bit integers as
decimal strings, camelCase keys, fields at their default left out (as `otlp_json_out` writes the
protobuf messages). Spans are grouped by resource and scope as they were read.

Carries everything tracetui keeps of a span: ids, parent, name, kind, times, status and its
message, trace state, resource and scope (with their attributes), attributes, events and links
with theirs. A FOLLOWS_FROM parent (from Jaeger) has no OTLP form: it is written as the parent."""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable
from typing import IO, Any

from tracetui.model.span import UNKNOWN_SERVICE, Resource, Scope, Span
from tracetui.model.trace import Trace
from tracetui.render.export import ordered_spans
from tracetui.render.text import json_bytes

_INT64 = (-(2**63), 2**63 - 1)


def any_value(v: Any) -> dict:
    """A Python value (as the loaders decode attributes) as an OTLP JSON `AnyValue`."""
    if v is None:
        return {}
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)} if _INT64[0] <= v <= _INT64[1] else {"stringValue": str(v)}
    if isinstance(v, float):
        if math.isfinite(v):
            return {"doubleValue": v}
        return {"doubleValue": "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")}
    if isinstance(v, str):
        return {"stringValue": v}
    if isinstance(v, (bytes, bytearray)):
        return {"bytesValue": base64.b64encode(v).decode("ascii")}
    if isinstance(v, (list, tuple)):
        return {"arrayValue": {"values": [any_value(x) for x in v]}}
    if isinstance(v, dict):
        return {"kvlistValue": {"values": key_values(v)}}
    return {"stringValue": str(v)}


def key_values(attrs: dict[str, Any]) -> list[dict]:
    return [{"key": str(k), "value": any_value(v)} for k, v in attrs.items()]


def span_json(s: Span) -> dict:
    out: dict[str, Any] = {"traceId": s.trace_id, "spanId": s.span_id}
    if s.trace_state:
        out["traceState"] = s.trace_state
    if s.parent_id:
        out["parentSpanId"] = s.parent_id
    out["name"] = s.name
    if s.kind:
        out["kind"] = s.kind
    out["startTimeUnixNano"] = str(s.start_ns)
    out["endTimeUnixNano"] = str(s.end_ns)
    attrs = s.attributes
    if attrs:
        out["attributes"] = key_values(attrs)
    events = s.events
    if events:
        out["events"] = [_event(e) for e in events]
    links = s.links
    if links:
        out["links"] = [_link(ln) for ln in links]
    status: dict[str, Any] = {}
    if s.status_message:
        status["message"] = s.status_message
    if s.status:
        status["code"] = s.status
    out["status"] = status
    return out


def _event(e) -> dict:
    out: dict[str, Any] = {"timeUnixNano": str(e.time_ns), "name": e.name}
    if e.attributes:
        out["attributes"] = key_values(e.attributes)
    return out


def _link(ln) -> dict:
    out: dict[str, Any] = {"traceId": ln.trace_id, "spanId": ln.span_id}
    if ln.trace_state:
        out["traceState"] = ln.trace_state
    if ln.attributes:
        out["attributes"] = key_values(ln.attributes)
    return out


def _resource(r: Resource) -> dict:
    attrs = dict(r.attributes)
    if "service.name" not in attrs and r.service != UNKNOWN_SERVICE:
        attrs["service.name"] = r.service
    return {"attributes": key_values(attrs)} if attrs else {}


def _scope(sc: Scope) -> dict:
    out: dict[str, Any] = {}
    if sc.name:
        out["name"] = sc.name
    if sc.version:
        out["version"] = sc.version
    if sc.attributes:
        out["attributes"] = key_values(sc.attributes)
    return out


def traces_data(spans: Iterable[Span]) -> dict:
    """One `TracesData` object: spans grouped by resource, then scope, in the order met."""
    groups: dict[int, tuple[Resource, dict[int, tuple[Scope, list[dict]]]]] = {}
    for s in spans:
        res = groups.get(id(s.resource))
        if res is None:
            res = groups[id(s.resource)] = (s.resource, {})
        scopes = res[1]
        sc = scopes.get(id(s.scope))
        if sc is None:
            sc = scopes[id(s.scope)] = (s.scope, [])
        sc[1].append(span_json(s))
    return {"resourceSpans": [
        {"resource": _resource(r), "scopeSpans": [{"scope": _scope(sc), "spans": sp} for sc, sp in scopes.values()]}
        for r, scopes in groups.values()
    ]}


def write_otlp(traces: Iterable[Trace], out: IO[bytes]) -> int:
    n = 0
    for t in traces:
        spans = ordered_spans(t)
        out.write(json_bytes(traces_data(spans)) + b"\n")
        n += len(spans)
    return n
