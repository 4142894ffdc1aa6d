"""OTLP protobuf: an `ExportTraceServiceRequest` (= `TracesData`) as the OTLP/HTTP exporters
send it, using the generated classes of the `opentelemetry-proto` package.

The request is read one `ResourceSpans` at a time (walking the top-level fields by hand), so a
big request yields several batches and a truncated or damaged one still gives every complete
`ResourceSpans` — and, inside the cut one, every complete `ScopeSpans` and span — before the
damage, with the byte offset where reading stopped.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from sys import intern
from typing import Any

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans
from opentelemetry.proto.trace.v1.trace_pb2 import Span as PbSpan

from tracetui.loaders.problems import Batch, Problem
from tracetui.loaders.vocabulary import (
    MAX_KIND,
    MAX_STATUS,
    ends_before_start,
    kind_or_problem,
    resource_from_attributes,
    span_without,
    status_or_problem,
)
from tracetui.model.ids import id_from_bytes
from tracetui.model.span import Event, Link, Scope, Span

_SPANS_PER_BATCH = 20000


def parse_request(data: bytes) -> ExportTraceServiceRequest:
    """Parse protobuf bytes; raises `DecodeError` for bytes that are not a request."""
    req = ExportTraceServiceRequest()
    req.ParseFromString(data)
    return req


class _Cut(Exception):
    """The bytes end, or stop making sense, at `offset`."""

    def __init__(self, offset: int, why: str) -> None:
        super().__init__(why)
        self.offset = offset
        self.why = why


def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    start = pos
    while True:
        if pos >= end:
            raise _Cut(start, "truncated")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise _Cut(start, "bad varint")


def _fields(data: bytes, pos: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, value start, value end) of each field in data[pos:end];
    raises `_Cut` where the bytes end early or are not protobuf."""
    while pos < end:
        start = pos
        key, pos = _varint(data, pos, end)
        field, wire = key >> 3, key & 7
        if field == 0:
            raise _Cut(start, "field number 0")
        if wire == 0:
            _, pos2 = _varint(data, pos, end)
        elif wire == 1:
            pos2 = pos + 8
        elif wire == 2:
            n, pos = _varint(data, pos, end)
            pos2 = pos + n
        elif wire == 5:
            pos2 = pos + 4
        else:
            raise _Cut(start, f"wire type {wire}")
        if pos2 > end:
            raise _Cut(start, "truncated")
        yield field, wire, pos, pos2
        pos = pos2


def first_resource_spans_has_span(data: bytes) -> bool:
    """Whether data starts with a ResourceSpans field that parses and holds a span with ids
    (the cheap test `detect` uses; a truncated first ResourceSpans is looked into)."""
    try:
        for field, wire, a, b in _fields(data, 0, len(data)):
            if field != 1 or wire != 2:
                return False
            rs = ResourceSpans()
            rs.ParseFromString(data[a:b])
            return any(sp.trace_id and sp.span_id for ss in rs.scope_spans for sp in ss.spans)
    except _Cut as cut:
        if cut.why != "truncated" or cut.offset != 0:
            return False
        # The first ResourceSpans is cut: look for one complete span inside it.
        inner = _inner(data, 0, len(data))
        if inner is None or inner[0] != 1:
            return False
        spans = _salvage_resource_spans(data, inner[1], len(data))[2]
        return any(sp.trace_id and sp.span_id for sp in spans)
    except (DecodeError, ValueError):
        return False
    return False


def _inner(data: bytes, off: int, end: int) -> tuple[int, int] | None:
    """(field number, value start) of the length-delimited field whose key is at `off`."""
    try:
        key, pos = _varint(data, off, end)
        if key & 7 != 2:
            return None
        _, pos = _varint(data, pos, end)
    except _Cut:
        return None
    return key >> 3, pos


def _salvage_scope_spans(data: bytes, a: int, end: int) -> tuple[ScopeSpans, int]:
    """The complete parts of a ScopeSpans cut at `end`, and the offset where reading stopped."""
    ss = ScopeSpans()
    try:
        for f, w, x, y in _fields(data, a, end):
            if w == 2 and f == 1:
                ss.scope.ParseFromString(data[x:y])
            elif w == 2 and f == 2:
                sp = PbSpan()
                sp.ParseFromString(data[x:y])
                ss.spans.append(sp)
    except _Cut as cut:
        return ss, cut.offset
    except (DecodeError, ValueError):
        return ss, a
    return ss, end


def _salvage_resource_spans(data: bytes, a: int, end: int) -> tuple[ResourceSpans, int, list]:
    """The complete parts of a ResourceSpans cut at `end`, the offset where reading stopped, and
    its spans (flat)."""
    rs = ResourceSpans()
    off = end
    try:
        for f, w, x, y in _fields(data, a, end):
            if w == 2 and f == 1:
                rs.resource.ParseFromString(data[x:y])
            elif w == 2 and f == 2:
                rs.scope_spans.add().ParseFromString(data[x:y])
    except _Cut as cut:
        off = cut.offset
        inner = _inner(data, cut.offset, end)
        if inner is not None and inner[0] == 2:
            ss, off = _salvage_scope_spans(data, inner[1], end)
            if ss.spans:
                rs.scope_spans.append(ss)
    except (DecodeError, ValueError):
        off = a
    return rs, off, [sp for ss in rs.scope_spans for sp in ss.spans]


def read_otlp_proto(data: bytes, source: str, where: str = "") -> Iterator[Batch]:
    """Batches of spans from an `ExportTraceServiceRequest`, one or more `ResourceSpans` each."""
    batch = Batch()
    r_i = 0
    prefix = f"{where}: " if where else ""
    shared = Shared()
    try:
        for field, wire, a, b in _fields(data, 0, len(data)):
            if field != 1 or wire != 2:
                continue  # not resource_spans: ignore, as receivers ignore unknown fields
            rs = ResourceSpans()
            try:
                rs.ParseFromString(data[a:b])
            except (DecodeError, ValueError):
                batch.problems.append(Problem(source, f"{prefix}byte {a:,}",
                                              f"resourceSpans[{r_i}] is not valid protobuf ({b - a:,} bytes): skipped"))
            else:
                _add_resource_spans(rs, r_i, batch, source, where, shared)
            r_i += 1
            if len(batch.spans) >= _SPANS_PER_BATCH:
                yield batch
                batch, shared = Batch(), Shared()
    except _Cut as cut:
        off = cut.offset
        got = 0
        inner = _inner(data, cut.offset, len(data)) if cut.why == "truncated" else None
        if inner is not None and inner[0] == 1:
            rs, off, spans = _salvage_resource_spans(data, inner[1], len(data))
            got = len(spans)
            if spans:
                _add_resource_spans(rs, r_i, batch, source, where, shared)
        what = "ends early (truncated)" if cut.why == "truncated" else f"is not OTLP protobuf from here ({cut.why})"
        if not batch.spans and r_i == 0 and off == 0:
            batch.problems.append(Problem(source, where, "not an OTLP protobuf request (undecodable)"))
        else:
            extra = f", {got} spans recovered from the cut resourceSpans" if got else ""
            batch.problems.append(Problem(source, f"{prefix}byte {off:,}",
                                          f"the protobuf {what}: everything before it was read{extra}; "
                                          f"the remaining {len(data) - off:,} bytes were skipped"))
    if batch.spans or batch.problems:
        yield batch


def request_to_batch(req: Any, source: str, where: str = "") -> Batch:
    """Spans of a parsed `ExportTraceServiceRequest`/`TracesData`."""
    batch = Batch()
    shared = Shared()
    for r_i, rs in enumerate(req.resource_spans):
        _add_resource_spans(rs, r_i, batch, source, where, shared)
    return batch


class Shared:
    """Strings that repeat across the spans of one request, made once: a trace id on each span of
    the trace, a parent id on each child (the parent's own span id string), a span name on every
    span of its operation. About 200 bytes less per stored span (live mode keeps a million)."""

    __slots__ = ("ids", "names")

    MAX_NAMES = 10_000  # past this many distinct names, sharing them costs more than it saves

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.names: dict[str, str] = {}


def _add_resource_spans(rs: Any, r_i: int, batch: Batch, source: str, where: str, shared: Shared) -> None:
    resource = resource_from_attributes(key_values(rs.resource.attributes))
    ids = shared.ids.setdefault
    names = shared.names
    if len(names) > Shared.MAX_NAMES:
        names.clear()
    name_of = names.setdefault
    for ss_i, ss in enumerate(rs.scope_spans):
        sc = ss.scope
        scope = Scope(sc.name, sc.version, key_values(sc.attributes))
        for s_i, sp in enumerate(ss.spans):
            tid, sid = id_from_bytes(sp.trace_id), id_from_bytes(sp.span_id)
            tid, sid = ids(tid, tid), ids(sid, sid)
            if not tid or not sid:
                batch.problems.append(Problem(source, _where(where, r_i, ss_i, s_i),
                                              span_without("traceId" if not tid else "spanId"), 1))
                continue
            start, end = sp.start_time_unix_nano, sp.end_time_unix_nano  # fixed64: always in range
            if end < start:
                batch.problems.append(Problem(source, _where(where, r_i, ss_i, s_i), ends_before_start(sid, end),
                                              warning=True))
                end = start
            # Enums are open in proto3: a number OTLP does not define comes through as is.
            kind, status = int(sp.kind), int(sp.status.code)
            if not (0 <= kind <= MAX_KIND and 0 <= status <= MAX_STATUS):
                kind, bad_kind = kind_or_problem(kind)
                status, bad_status = status_or_problem(status)
                batch.problems.extend(Problem(source, _where(where, r_i, ss_i, s_i), bad, warning=True)
                                      for bad in (bad_kind, bad_status) if bad is not None)
            events = [Event(e.time_unix_nano, e.name, key_values(e.attributes)) for e in sp.events]
            links = [
                Link(id_from_bytes(ln.trace_id), id_from_bytes(ln.span_id), key_values(ln.attributes), ln.trace_state)
                for ln in sp.links
            ]
            pid = id_from_bytes(sp.parent_span_id)
            name = sp.name
            batch.spans.append(
                Span(
                    trace_id=tid, span_id=sid, parent_id=ids(pid, pid) if pid else "",
                    name=name_of(name, name), kind=kind, start_ns=start, end_ns=end,
                    status=status, status_message=sp.status.message,
                    resource=resource, scope=scope,
                    raw_attributes=key_values(sp.attributes) or None,
                    raw_events=events or None, raw_links=links or None,
                    trace_state=sp.trace_state,
                )
            )


def _where(where: str, r_i: int, ss_i: int, s_i: int) -> str:
    """Where a span is, for a problem line (made only when there is a problem)."""
    loc = f"resourceSpans[{r_i}].scopeSpans[{ss_i}].spans[{s_i}]"
    return f"{where}: {loc}" if where else loc


def key_values(kvs: Any) -> dict[str, Any]:
    # Keys repeat on every span (`http.route`, …): one shared string each instead of a copy per
    # span; a third less memory per stored span in live mode (10 attributes: 2.2 → 1.6 KB).
    return {intern(kv.key): any_value(kv.value) for kv in kvs}


def any_value(v: AnyValue) -> Any:
    which = v.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [any_value(x) for x in v.array_value.values]
    if which == "kvlist_value":
        return key_values(v.kvlist_value.values)
    if which == "bytes_value":
        return base64.b64encode(v.bytes_value).decode()
    return getattr(v, which)
