"""Spans → OTLP JSON / protobuf as a backend would send them (for the fake backend server).

`ids="hex"` writes lower-case hex (Jaeger v3, the spec); `ids="base64"` writes base64 of the id
bytes (Tempo's JSON). `enums="name"` writes `SPAN_KIND_SERVER`/`STATUS_CODE_ERROR` (Tempo),
`enums="int"` the numbers.
"""

from __future__ import annotations

import base64
from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import TracesData

from tracetui.model import Span

KINDS = ("SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
         "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER")
STATUSES = ("STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR")


def any_value(v: Any) -> dict:
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, list | tuple):
        return {"arrayValue": {"values": [any_value(x) for x in v]}}
    if isinstance(v, dict):
        return {"kvlistValue": {"values": key_values(v)}}
    if v is None:
        return {}
    return {"stringValue": str(v)}


def key_values(d: dict) -> list[dict]:
    return [{"key": k, "value": any_value(v)} for k, v in d.items()]


def _id(hex_id: str, ids: str) -> str:
    if not hex_id:
        return ""
    if ids == "base64":
        return base64.b64encode(bytes.fromhex(hex_id)).decode()
    return hex_id


def traces_data(spans: list[Span], ids: str = "hex", enums: str = "int") -> dict:
    """A `TracesData` JSON object (`{"resourceSpans": […]}`) holding these spans."""
    by_res: dict[int, tuple[Any, dict[int, tuple[Any, list]]]] = {}
    for s in spans:
        _, scopes = by_res.setdefault(id(s.resource), (s.resource, {}))
        scopes.setdefault(id(s.scope), (s.scope, []))[1].append(s)
    out = []
    for res, scopes in by_res.values():
        rs = {"resource": {"attributes": key_values(res.attributes or {"service.name": res.service})},
              "scopeSpans": []}
        for scope, group in scopes.values():
            rs["scopeSpans"].append({
                "scope": {"name": scope.name, "version": scope.version},
                "spans": [span_json(s, ids, enums) for s in group],
            })
        out.append(rs)
    return {"resourceSpans": out}


def span_json(s: Span, ids: str, enums: str) -> dict:
    d: dict[str, Any] = {
        "traceId": _id(s.trace_id, ids), "spanId": _id(s.span_id, ids), "name": s.name,
        "kind": KINDS[s.kind] if enums == "name" else s.kind,
        "startTimeUnixNano": str(s.start_ns), "endTimeUnixNano": str(s.end_ns),
        "attributes": key_values(s.attributes),
        "status": {"code": STATUSES[s.status] if enums == "name" else s.status, "message": s.status_message},
    }
    if s.parent_id:
        d["parentSpanId"] = _id(s.parent_id, ids)
    if s.events:
        d["events"] = [{"timeUnixNano": str(e.time_ns), "name": e.name, "attributes": key_values(e.attributes)}
                       for e in s.events]
    if s.links:
        d["links"] = [{"traceId": _id(ln.trace_id, ids), "spanId": _id(ln.span_id, ids),
                       "attributes": key_values(ln.attributes)} for ln in s.links]
    return d


def traces_proto(spans: list[Span]) -> bytes:
    """The same spans as OTLP protobuf `TracesData` bytes."""
    from google.protobuf import json_format

    doc = traces_data(spans, ids="base64", enums="int")  # protobuf JSON mapping uses base64 bytes
    msg = json_format.ParseDict(doc, TracesData(), ignore_unknown_fields=True)
    return msg.SerializeToString()


# ---- the same spans as Jaeger JSON and Zipkin v2 JSON (legacy Jaeger API, Zipkin API) ---------

_JAEGER_KIND = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}
_ZIPKIN_KIND = {2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}


def _jaeger_tag(key: str, v: Any) -> dict:
    if isinstance(v, bool):
        return {"key": key, "type": "bool", "value": v}
    if isinstance(v, int):
        return {"key": key, "type": "int64", "value": v}
    if isinstance(v, float):
        return {"key": key, "type": "float64", "value": v}
    return {"key": key, "type": "string", "value": v if isinstance(v, str) else str(v)}


def jaeger_trace(spans: list[Span]) -> dict:
    """A Jaeger JSON trace object (query API v1 / UI download): microseconds, processes, tags."""
    processes: dict[int, tuple[str, dict]] = {}
    out = []
    for s in spans:
        pid = processes.setdefault(id(s.resource), (f"p{len(processes) + 1}", s.resource))[0]
        tags = [_jaeger_tag(k, v) for k, v in s.attributes.items()]
        if s.kind in _JAEGER_KIND:
            tags.append(_jaeger_tag("span.kind", _JAEGER_KIND[s.kind]))
        if s.is_error:
            tags += [_jaeger_tag("error", True), _jaeger_tag("otel.status_code", "ERROR")]
            if s.status_message:
                tags.append(_jaeger_tag("otel.status_description", s.status_message))
        out.append({
            "traceID": s.trace_id, "spanID": s.span_id, "operationName": s.name, "flags": 1,
            "references": [{"refType": "CHILD_OF", "traceID": s.trace_id, "spanID": s.parent_id}] if s.parent_id else [],
            "startTime": s.start_ns // 1000, "duration": (s.end_ns - s.start_ns) // 1000, "tags": tags,
            "logs": [{"timestamp": e.time_ns // 1000,
                      "fields": [_jaeger_tag("event", e.name), *(_jaeger_tag(k, v) for k, v in e.attributes.items())]}
                     for e in s.events],
            "processID": pid, "warnings": None,
        })
    procs = {pid: {"serviceName": res.service,
                   "tags": [_jaeger_tag(k, v) for k, v in res.attributes.items() if k != "service.name"]}
             for pid, res in processes.values()}
    return {"traceID": spans[0].trace_id, "spans": out, "processes": procs, "warnings": None}


def zipkin_spans(spans: list[Span]) -> list[dict]:
    """Zipkin v2 spans: microseconds, string tags, `error` tag for failed spans."""
    out = []
    for s in spans:
        z: dict[str, Any] = {"traceId": s.trace_id, "id": s.span_id, "name": s.name.lower(),
                             "timestamp": s.start_ns // 1000, "duration": max(1, (s.end_ns - s.start_ns) // 1000),
                             "localEndpoint": {"serviceName": s.service}}
        if s.parent_id:
            z["parentId"] = s.parent_id
        if s.kind in _ZIPKIN_KIND:
            z["kind"] = _ZIPKIN_KIND[s.kind]
        tags = {k: v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in s.attributes.items()}
        if s.is_error:
            tags["error"] = s.status_message or "true"
        if tags:
            z["tags"] = tags
        if s.events:
            z["annotations"] = [{"timestamp": e.time_ns // 1000, "value": e.name} for e in s.events]
        out.append(z)
    return out
