"""The typed path: documents decoded into wire structs (wire.py), converted span by span.

Used for what the fast types refuse (enum names, `{"low","high"}` times), and as the reference
the fast path must match. Each span is checked on its own: a bad one is reported and skipped.
"""

from typing import Any

import msgspec

from tracetui.loaders.problems import Batch, Problem
from tracetui.model.ids import normalize_id
from tracetui.model.span import UNKNOWN_SERVICE, Resource, Scope, Span
from tracetui.model.values import key_values

KIND_BY_NAME = {
    "SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2,
    "SPAN_KIND_CLIENT": 3, "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5,
    "UNSPECIFIED": 0, "INTERNAL": 1, "SERVER": 2, "CLIENT": 3, "PRODUCER": 4, "CONSUMER": 5,
}
STATUS_BY_NAME = {
    "STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2,
    "UNSET": 0, "OK": 1, "ERROR": 2,
}


def resource_spans_of(doc: Any, batch: Batch, source: str, where: str) -> list:
    """A document's ResourceSpans (itself, when it is a bare one); a problem when it has none."""
    rss = list(doc.resource_spans) + list(doc.batches)
    if doc.resource is not None or doc.scope_spans or doc.instrumentation_library_spans:
        rss.append(doc)
    if not rss and no_resource_spans(doc):
        batch.problems.append(Problem(source, where, "not OTLP trace data (no resourceSpans)"))
    return rss


def convert_doc(doc: Any, source: str, where: str) -> Batch:
    batch = Batch()
    rss = resource_spans_of(doc, batch, source, where)
    ids: dict[str, str] = {}
    for r_i, rs in enumerate(rss):
        resource = resource_of(rs.resource.attributes if rs.resource else [])
        for ss_i, ss in enumerate(list(rs.scope_spans) + list(rs.instrumentation_library_spans)):
            sc = ss.scope or ss.instrumentation_library
            scope = Scope(sc.name, sc.version, key_values(sc.attributes)) if sc else Scope()
            for s_i, ws in enumerate(ss.spans):
                span = to_span(ws, resource, scope, ids, batch, source, where, (r_i, ss_i, s_i))
                if span is not None:
                    batch.spans.append(span)
    return batch


def no_resource_spans(doc: Any) -> bool:
    return not (doc.resource_spans or doc.batches)


def resource_of(attrs: list) -> Resource:
    kv = key_values(attrs)
    service = kv.get("service.name")
    return Resource(str(service) if service not in (None, "") else UNKNOWN_SERVICE, kv)


def int64(v: Any) -> int:
    if type(v) is int:
        return v
    if isinstance(v, str):
        return int(v) if v else 0
    return (int(v.high) << 32) | (int(v.low) & 0xFFFFFFFF)


def enum_value(v: Any, names: dict[str, int]) -> int:
    if type(v) is int:
        return v
    return names.get(v, names.get(str(v).upper(), 0))


def raw_or_none(r: msgspec.Raw) -> msgspec.Raw | None:
    return r if len(r) > 2 else None  # absent, "[]" and "{}" all mean nothing


def to_span(ws, resource, scope, ids, batch: Batch, source: str, where: str, pos) -> Span | None:
    tid = ids.get(ws.trace_id)
    if tid is None:
        tid = ids[ws.trace_id] = normalize_id(ws.trace_id)
    sid = normalize_id(ws.span_id)
    if not tid or not sid:
        missing = "traceId" if not tid else "spanId"
        batch.problems.append(Problem(source, span_where(where, pos), f"span without {missing}: skipped", 1))
        return None
    try:
        start = int64(ws.start_time_unix_nano)
        end = int64(ws.end_time_unix_nano)
    except ValueError:
        batch.problems.append(Problem(source, span_where(where, pos), "span time is not an integer: skipped", 1))
        return None
    if end < start:
        batch.problems.append(Problem(source, span_where(where, pos), f"span {sid} ends before it starts: shown with zero duration",
                                      warning=True))
        end = start
    st = ws.status
    return Span(
        trace_id=tid,
        span_id=sid,
        parent_id=normalize_id(ws.parent_span_id) if ws.parent_span_id else "",
        name=ws.name,
        kind=enum_value(ws.kind, KIND_BY_NAME),
        start_ns=start,
        end_ns=end,
        status=enum_value(st.code, STATUS_BY_NAME) if st is not None else 0,
        status_message=st.message if st is not None else "",
        resource=resource,
        scope=scope,
        raw_attributes=raw_or_none(ws.attributes),
        raw_events=raw_or_none(ws.events),
        raw_links=raw_or_none(ws.links),
        trace_state=ws.trace_state,
    )


def span_where(where: str, pos) -> str:
    r, s, i = pos
    loc = f"resourceSpans[{r}].scopeSpans[{s}].spans[{i}]"
    return f"{where}: {loc}" if where else loc
