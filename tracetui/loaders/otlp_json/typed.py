"""The typed path: documents decoded into wire structs (wire.py), converted span by span.

Used for what the fast types refuse (enum names, `{"low","high"}` times), and as the reference
the fast path must match. Each span is checked on its own: a bad one is reported and skipped.
"""

from collections.abc import Callable
from typing import Any

import msgspec

from tracetui.loaders.problems import Batch, Problem
from tracetui.loaders.vocabulary import (
    UNREADABLE_TIME,
    ends_before_start,
    kind_or_problem,
    resource_from_attributes,
    span_without,
    status_or_problem,
    times_problem,
)
from tracetui.model.ids import normalize_id
from tracetui.model.span import STATUS_UNSET, Resource, Scope, Span
from tracetui.model.values import decode_key_values, key_values


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
            scope = scope_of(sc) if sc else Scope()
            for s_i, ws in enumerate(ss.spans):
                span = to_span(ws, resource, scope, ids, batch, source, where, (r_i, ss_i, s_i))
                if span is not None:
                    batch.spans.append(span)
    return batch


def no_resource_spans(doc: Any) -> bool:
    return not (doc.resource_spans or doc.batches)


_RESOURCES: dict[bytes, Resource] = {}
_SCOPES: dict[tuple[str, str, bytes], Scope] = {}
_MAX_SHARED = 10_000  # distinct resources (scopes) remembered; past it the memo starts afresh


def _shared(memo: dict, key: Any, make: Callable[[], Any]) -> Any:
    got = memo.get(key)
    if got is None:
        if len(memo) >= _MAX_SHARED:
            memo.clear()
        got = memo[key] = make()
    return got


def resource_of(attrs: list | msgspec.Raw) -> Resource:
    """The resource of these attributes (a list, or OTLP JSON as read); one `Resource` object for
    every batch that names the same attributes (a producer sends the same ones with each)."""
    if not isinstance(attrs, msgspec.Raw):
        return resource_from_attributes(key_values(attrs))
    key = bytes(attrs)
    return _shared(_RESOURCES, key, lambda: resource_from_attributes(_attributes(key)))


def scope_of(sc: Any) -> Scope:
    """The scope of a wire `WScope` (attributes as read), shared as resources are."""
    key = (sc.name, sc.version, bytes(sc.attributes))
    return _shared(_SCOPES, key, lambda: Scope(sc.name, sc.version, _attributes(key[2])))


def _attributes(raw: bytes) -> dict[str, Any]:
    return decode_key_values(raw) if len(raw) > 2 else {}  # "[]": none


def int64(v: Any) -> int:
    """An OTLP JSON int64: a number, a decimal string, or OTel-JS's `{"low", "high"}`; raises
    ValueError for anything else (an object without those keys is not 0)."""
    if type(v) is int:
        return v
    if isinstance(v, str):
        return int(v) if v else 0
    if v.low is None and v.high is None:
        raise ValueError("an object that is no int64")
    return (int(v.high or 0) << 32) | (int(v.low or 0) & 0xFFFFFFFF)


def raw_or_none(r: msgspec.Raw) -> msgspec.Raw | None:
    return r if len(r) > 2 else None  # absent, "[]" and "{}" all mean nothing


def span_ids(trace_id: str, span_id: str, ids: dict[str, str], batch: Batch, source: str, where: str,
             pos: tuple[int, int, int]) -> tuple[str, str] | None:
    """A span's trace and span ids normalized (one string per trace id, shared through `ids`),
    or None with a problem when one is missing (the span is skipped)."""
    tid = ids.get(trace_id)
    if tid is None:
        tid = ids[trace_id] = normalize_id(trace_id)
    sid = normalize_id(span_id)
    if not tid or not sid:
        missing = "traceId" if not tid else "spanId"
        batch.problems.append(Problem(source, span_where(where, pos), span_without(missing), 1))
        return None
    return tid, sid


def to_span(ws, resource, scope, ids, batch: Batch, source: str, where: str, pos) -> Span | None:
    got = span_ids(ws.trace_id, ws.span_id, ids, batch, source, where, pos)
    if got is None:
        return None
    tid, sid = got
    try:
        start = int64(ws.start_time_unix_nano)
        end = int64(ws.end_time_unix_nano)
    except ValueError:
        batch.problems.append(Problem(source, span_where(where, pos), UNREADABLE_TIME, 1))
        return None
    bad_time = times_problem(start, end)
    if bad_time is not None:
        batch.problems.append(Problem(source, span_where(where, pos), bad_time, 1))
        return None
    if end < start:
        batch.problems.append(Problem(source, span_where(where, pos), ends_before_start(sid, end), warning=True))
        end = start
    st = ws.status
    kind, bad = kind_or_problem(ws.kind)
    if bad is not None:
        batch.problems.append(Problem(source, span_where(where, pos), bad, warning=True))
    status, bad = status_or_problem(st.code) if st is not None else (STATUS_UNSET, None)
    if bad is not None:
        batch.problems.append(Problem(source, span_where(where, pos), bad, warning=True))
    return Span(
        trace_id=tid,
        span_id=sid,
        parent_id=normalize_id(ws.parent_span_id) if ws.parent_span_id else "",
        name=ws.name,
        kind=kind,
        start_ns=start,
        end_ns=end,
        status=status,
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
