"""Python's `ConsoleSpanExporter` output: pretty-printed JSON objects back to back, one per span
(`Span.to_json()`), not OTLP: `0x`-prefixed hex ids under `context`, ISO-8601 times (microsecond
precision), `"SpanKind.SERVER"`, `status.status_code` as a name, attributes as a plain dict,
`resource.attributes` as a plain dict. A JSON list of such objects is read too.

The objects are decoded one after the other; one that does not decode is reported with its
line and skipped, and reading resumes at the next object that starts a line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from tracetui.loaders.hexids import hex_id
from tracetui.loaders.problems import Batch, Problem
from tracetui.loaders.vocabulary import (
    bad_span,
    ends_before_start,
    kind_or_problem,
    resource_from_attributes,
    span_without,
    status_or_problem,
    times_problem,
)
from tracetui.model.span import (
    KIND_UNSPECIFIED,
    STATUS_UNSET,
    Event,
    Link,
    Resource,
    Span,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_WS = re.compile(r"\s*")
_NEXT_OBJECT = re.compile(r"^[\[{]", re.MULTILINE)
_decoder = json.JSONDecoder()
_SPANS_PER_BATCH = 5000


def read_console_json(data: bytes, source: str) -> Iterator[Batch]:
    text = data.decode("utf-8", "replace")
    batch = Batch()
    resources: dict[str, Resource] = {}
    pos, n = 0, len(text)
    index = 0
    while True:
        pos = _WS.match(text, pos).end()
        if pos >= n:
            break
        if text[pos] in ",]":  # the separators of a JSON list of spans
            pos += 1
            continue
        if text[pos] == "[":
            pos += 1
            continue
        line = text.count("\n", 0, pos) + 1
        try:
            obj, end = _decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError) as e:
            nxt = _NEXT_OBJECT.search(text, pos + 1)
            cut = nxt is None and not text[pos:].rstrip().endswith("}")
            what = "ends early (truncated)" if cut else f"does not decode ({getattr(e, 'msg', e)})"
            batch.problems.append(Problem(source, f"line {line}", f"the span object starting here {what}: skipped", 1))
            if nxt is None:
                break
            pos = nxt.start()
            continue
        pos = end
        index += 1
        if len(batch.spans) >= _SPANS_PER_BATCH:
            yield batch
            batch = Batch()
        spans = obj if isinstance(obj, list) else [obj]
        for sp in spans:
            try:
                span = _span(sp, resources)
            except (TypeError, ValueError, AttributeError, KeyError, OverflowError) as e:
                batch.problems.append(Problem(source, f"line {line}", bad_span(e), 1))
                continue
            if isinstance(span, str):
                batch.problems.append(Problem(source, f"line {line}", span, 1))
                continue
            span, warnings = span
            batch.problems.extend(Problem(source, f"line {line}", w, warning=True) for w in warnings)
            if span.end_ns < span.start_ns:
                batch.problems.append(Problem(source, f"line {line}", ends_before_start(span.span_id, span.end_ns), warning=True))
                span.end_ns = span.start_ns
            batch.spans.append(span)
    if batch.spans or batch.problems:
        yield batch


def _time_ns(value: Any) -> int:
    if isinstance(value, int):
        return value
    s = str(value)
    dt = datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def _span(sp: Any, resources: dict[str, Resource]) -> tuple[Span, list[str]] | str:
    """The span and warnings about it, or why it was skipped."""
    if not isinstance(sp, dict):
        return "not a span object: skipped"
    ctx = sp.get("context") or {}
    tid, sid = hex_id(ctx.get("trace_id")), hex_id(ctx.get("span_id"))
    if not tid or not sid:
        return span_without("trace_id" if not tid else "span_id")
    start, end = _time_ns(sp.get("start_time")), _time_ns(sp.get("end_time"))
    bad = times_problem(start, end)
    if bad is not None:
        return bad
    warnings = []
    kind = KIND_UNSPECIFIED
    if sp.get("kind") is not None:
        kind, bad = kind_or_problem(sp["kind"])
        if bad is not None:
            warnings.append(bad)
    status = sp.get("status") or {}
    res = sp.get("resource") or {}
    res_attrs = res.get("attributes") if isinstance(res, dict) else None
    res_attrs = res_attrs if isinstance(res_attrs, dict) else {}
    key = json.dumps(res_attrs, sort_keys=True, default=str)
    resource = resources.get(key)
    if resource is None:
        resource = resources[key] = resource_from_attributes(res_attrs)
    code = status.get("status_code") if isinstance(status, dict) else None
    status_code = STATUS_UNSET
    if code is not None:
        status_code, bad = status_or_problem(code)
        if bad is not None:
            warnings.append(bad)
    events = [
        Event(_time_ns(e.get("timestamp")), str(e.get("name", "")), dict(e.get("attributes") or {}))
        for e in sp.get("events") or [] if isinstance(e, dict)
    ]
    links = [
        Link(hex_id((ln.get("context") or {}).get("trace_id")), hex_id((ln.get("context") or {}).get("span_id")),
             dict(ln.get("attributes") or {}))
        for ln in sp.get("links") or [] if isinstance(ln, dict)
    ]
    attrs = sp.get("attributes")
    trace_state = ctx.get("trace_state")
    return Span(
        trace_id=tid, span_id=sid, parent_id=hex_id(sp.get("parent_id")), name=str(sp.get("name") or ""),
        kind=kind, start_ns=start, end_ns=end, status=status_code,
        status_message=str(status.get("description") or "") if isinstance(status, dict) else "",
        resource=resource, raw_attributes=dict(attrs) if isinstance(attrs, dict) and attrs else None,
        raw_events=events or None, raw_links=links or None,
        trace_state=trace_state if isinstance(trace_state, str) and trace_state != "[]" else "",
    ), warnings
