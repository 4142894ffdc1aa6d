"""Capture files: one accepted OTLP request per line, as OTLP JSON (the Collector's `file`
exporter format), so `tracetui capture.jsonl` opens them later.

Protobuf requests are written by a walker specialised for spans (hex ids, integer enums,
camelCase, int64 as strings), about 1.5–2× faster than the generic descriptor walk of
`tracetui.render.otlp_json_out`, which it must match field for field (a test checks that) and
falls back to for anything else. JSON requests are written as they came, on one line.
"""

from __future__ import annotations

import base64
import json
import math
import os
from typing import IO, Any

import orjson
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

from tracetui.loaders import otlp_proto
from tracetui.loaders.problems import Batch, Problem
from tracetui.render.otlp_json_out import to_otlp_json
from tracetui.sources.receiver.ingest import JSON, LOGS, PROTOBUF, Received, Undecodable, decode, decode_logs


def _fields(msg: Any) -> set[str]:
    return {f.name for f in msg.DESCRIPTOR.fields}


# The fast path knows exactly these fields; a newer opentelemetry-proto with more falls back.
_FAST = (
    _fields(trace_pb2.Span) == {"trace_id", "span_id", "trace_state", "parent_span_id", "flags", "name", "kind",
                                "start_time_unix_nano", "end_time_unix_nano", "attributes",
                                "dropped_attributes_count", "events", "dropped_events_count", "links",
                                "dropped_links_count", "status"}
    and _fields(trace_pb2.Span.Event) == {"time_unix_nano", "name", "attributes", "dropped_attributes_count"}
    and _fields(trace_pb2.Span.Link) == {"trace_id", "span_id", "trace_state", "attributes",
                                         "dropped_attributes_count", "flags"}
    and _fields(trace_pb2.Status) == {"message", "code"}
    and _fields(common_pb2.KeyValue) <= {"key", "value", "key_strindex"}
    and _fields(common_pb2.AnyValue) <= {"string_value", "bool_value", "int_value", "double_value", "array_value",
                                         "kvlist_value", "bytes_value", "string_value_strindex"}
)


def _float(x: float) -> Any:
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _any(v: Any) -> dict[str, Any]:
    which = v.WhichOneof("value")
    if which == "string_value":
        return {"stringValue": v.string_value}
    if which is None:
        return {}
    if which == "int_value":
        return {"intValue": str(v.int_value)}
    if which == "bool_value":
        return {"boolValue": v.bool_value}
    if which == "double_value":
        return {"doubleValue": _float(v.double_value)}
    if which == "array_value":
        vals = v.array_value.values
        return {"arrayValue": {"values": [_any(x) for x in vals]} if vals else {}}
    if which == "kvlist_value":
        vals = v.kvlist_value.values
        return {"kvlistValue": {"values": _kvs(vals)} if vals else {}}
    if which == "bytes_value":
        return {"bytesValue": base64.b64encode(v.bytes_value).decode("ascii")}
    return to_otlp_json(v)  # string_value_strindex (profiles only)


_KEY_STRINDEX = "key_strindex" in _fields(common_pb2.KeyValue)  # opentelemetry-proto >= 1.43 only


def _kvs(kvs: Any) -> list[dict[str, Any]]:
    out = []
    for kv in kvs:
        d: dict[str, Any] = {}
        if kv.key:
            d["key"] = kv.key
        if kv.HasField("value"):
            d["value"] = _any(kv.value)
        if _KEY_STRINDEX and kv.key_strindex:
            d["keyStrindex"] = kv.key_strindex
        out.append(d)
    return out


def _span(sp: Any) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if sp.trace_id:
        d["traceId"] = sp.trace_id.hex()
    if sp.span_id:
        d["spanId"] = sp.span_id.hex()
    if sp.trace_state:
        d["traceState"] = sp.trace_state
    if sp.parent_span_id:
        d["parentSpanId"] = sp.parent_span_id.hex()
    if sp.flags:
        d["flags"] = sp.flags
    if sp.name:
        d["name"] = sp.name
    if sp.kind:
        d["kind"] = sp.kind
    if sp.start_time_unix_nano:
        d["startTimeUnixNano"] = str(sp.start_time_unix_nano)
    if sp.end_time_unix_nano:
        d["endTimeUnixNano"] = str(sp.end_time_unix_nano)
    if sp.attributes:
        d["attributes"] = _kvs(sp.attributes)
    if sp.dropped_attributes_count:
        d["droppedAttributesCount"] = sp.dropped_attributes_count
    if sp.events:
        d["events"] = [_event(e) for e in sp.events]
    if sp.dropped_events_count:
        d["droppedEventsCount"] = sp.dropped_events_count
    if sp.links:
        d["links"] = [_link(ln) for ln in sp.links]
    if sp.dropped_links_count:
        d["droppedLinksCount"] = sp.dropped_links_count
    if sp.HasField("status"):
        st = sp.status
        s: dict[str, Any] = {}
        if st.message:
            s["message"] = st.message
        if st.code:
            s["code"] = st.code
        d["status"] = s
    return d


def _event(e: Any) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if e.time_unix_nano:
        d["timeUnixNano"] = str(e.time_unix_nano)
    if e.name:
        d["name"] = e.name
    if e.attributes:
        d["attributes"] = _kvs(e.attributes)
    if e.dropped_attributes_count:
        d["droppedAttributesCount"] = e.dropped_attributes_count
    return d


def _link(ln: Any) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if ln.trace_id:
        d["traceId"] = ln.trace_id.hex()
    if ln.span_id:
        d["spanId"] = ln.span_id.hex()
    if ln.trace_state:
        d["traceState"] = ln.trace_state
    if ln.attributes:
        d["attributes"] = _kvs(ln.attributes)
    if ln.dropped_attributes_count:
        d["droppedAttributesCount"] = ln.dropped_attributes_count
    if ln.flags:
        d["flags"] = ln.flags
    return d


def request_json(req: Any) -> dict[str, Any]:
    """OTLP JSON of an `ExportTraceServiceRequest`/`TracesData` (resource and scope generically)."""
    if not _FAST:
        return to_otlp_json(req)
    rss = []
    for rs in req.resource_spans:
        out: dict[str, Any] = {}
        if rs.HasField("resource"):
            out["resource"] = to_otlp_json(rs.resource)
        sss = []
        for ss in rs.scope_spans:
            s: dict[str, Any] = {}
            if ss.HasField("scope"):
                s["scope"] = to_otlp_json(ss.scope)
            if ss.spans:
                s["spans"] = [_span(sp) for sp in ss.spans]
            if ss.schema_url:
                s["schemaUrl"] = ss.schema_url
            sss.append(s)
        if sss:
            out["scopeSpans"] = sss
        if rs.schema_url:
            out["schemaUrl"] = rs.schema_url
        rss.append(out)
    return {"resourceSpans": rss} if rss else {}


def capture_line(rec: Received) -> bytes:
    """The capture line of one accepted request, without the newline. Raises ValueError for a JSON
    body that is not one JSON object (`decode` refuses those first)."""
    if rec.encoding == JSON:
        body = rec.body.strip()
        if not body:
            return b"{}"
        if b"\n" not in body and b"\r" not in body:
            return body
        try:
            return orjson.dumps(orjson.loads(body))
        except orjson.JSONDecodeError:  # e.g. integers beyond 64 bits: the slow, exact way
            return json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()
    if rec.signal == LOGS:
        return orjson.dumps(to_otlp_json(rec.message))  # (the generic walk: logs are few beside spans)
    return orjson.dumps(request_json(rec.message))


def _valid_id(raw: bytes) -> bool:
    return bool(raw) and raw.count(0) != len(raw)


def decode_for_capture(body: bytes, encoding: str, source: str = "record") -> Received:
    """Record's decoder (runs in the decode thread): count spans and rejections as the loader
    would, and prepare the capture line, without building `Span` objects nobody will look at."""
    if encoding != PROTOBUF:
        rec = decode(body, encoding, source, keep=False)  # (counted and written, not kept)
        rec.span_count = len(rec.batch.spans)
        rec.batch.spans = []
        if rec.span_count:
            try:
                rec.line = capture_line(rec)
            except (ValueError, RecursionError) as e:  # read by the loader, yet not by json: refuse it whole
                raise Undecodable(f"not valid JSON ({e})") from None
        return rec
    from google.protobuf.message import DecodeError

    try:
        msg = otlp_proto.parse_request(body)
    except (DecodeError, ValueError, RuntimeError) as e:
        raise Undecodable(f"not an OTLP protobuf ExportTraceServiceRequest ({e or 'undecodable'})") from None
    batch = Batch()
    accepted = 0
    for r_i, rs in enumerate(msg.resource_spans):
        for ss_i, ss in enumerate(rs.scope_spans):
            for s_i, sp in enumerate(ss.spans):
                if _valid_id(sp.trace_id) and _valid_id(sp.span_id):
                    accepted += 1
                else:
                    missing = "spanId" if _valid_id(sp.trace_id) else "traceId"
                    batch.problems.append(Problem(source, f"resourceSpans[{r_i}].scopeSpans[{ss_i}].spans[{s_i}]",
                                                  f"span without {missing}: skipped", 1))
    rec = Received(batch, PROTOBUF, body, msg, span_count=accepted)
    if accepted:
        rec.line = orjson.dumps(request_json(msg))
    return rec


def decode_logs_for_capture(body: bytes, encoding: str, source: str = "record") -> Received:
    """Record's decoder of logs requests (in the decode thread): the records, and the capture line."""
    rec = decode_logs(body, encoding, source)
    if rec.accepted_logs:
        try:
            rec.line = capture_line(rec)
        except (ValueError, RecursionError) as e:
            raise Undecodable(f"not valid JSON ({e})") from None
    return rec


class CaptureWriter:
    """Appends one line per request and flushes it before the request is answered."""

    def __init__(self, path: str, append: bool = False) -> None:
        self.path = path
        self._f: IO[bytes] = open(path, "ab" if append else "wb")  # noqa: SIM115 (closed by close())
        self.lines = 0
        self.spans = 0
        self.logs = 0

    def write(self, rec: Received) -> None:
        """Write and flush one request's line (call from one thread at a time). Raises OSError.

        A request without an accepted span or log record (`{}`, an empty protobuf, only rejected
        spans) is not written: the capture holds what was accepted, and reads back without a
        problem."""
        if rec.accepted_spans == 0 and rec.accepted_logs == 0:
            return
        f = self._f
        f.write((rec.line if rec.line is not None else capture_line(rec)) + b"\n")
        f.flush()
        self.lines += 1
        self.spans += rec.accepted_spans
        self.logs += rec.accepted_logs

    def sync(self) -> None:
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self) -> None:
        if not self._f.closed:
            self.sync()
            self._f.close()
