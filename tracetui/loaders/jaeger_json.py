"""Jaeger JSON: `{"data": [trace, ...]}` (query API v1, UI download) or a bare trace object.

Times are microseconds. `processes` give services; `tags` attributes; `logs` events;
CHILD_OF references parents; a FOLLOWS_FROM parent is kept as the parent and marked
`follows_from` (not blocking, shown as a link-like parent); further references become links;
the backend's `warnings` (of a trace or a span) are kept as warnings (problems that cost no span);
the query API's `errors` are reported.

Jaeger writes hex ids without leading zeros (a 31-character trace id is common): they are padded
to 16/32 characters so a trace joins its OTLP copy. Ids that are not hex are kept as given.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from tracetui.loaders.hexids import hex_id
from tracetui.loaders.problems import Batch, Problem
from tracetui.loaders.salvage import TOO_DEEP, documents, is_trailing_error, salvage
from tracetui.loaders.vocabulary import (
    kind_or_problem,
    negative_duration,
    resource_from_attributes,
    span_without,
    status_from_name,
    times_problem,
)
from tracetui.model.gcpause import gc_paused
from tracetui.model.span import (
    KIND_UNSPECIFIED,
    STATUS_ERROR,
    STATUS_UNSET,
    Event,
    Link,
    Resource,
    Span,
)

_US = 1000


def read_jaeger_json(data: bytes, source: str) -> Iterator[Batch]:
    try:
        with gc_paused():
            obj = msgspec.json.decode(data)
    except msgspec.DecodeError as e:
        if is_trailing_error(e):
            # Several answers back to back (`cat a.json b.json`): each read on its own.
            for off, piece in documents(data):
                yield from _read_value(piece, source, off)
        else:
            yield from _read_value(data, source, 0)
        return
    except RecursionError:
        # A span nested too deeply to decode (a tag value hundreds of levels deep): the traces
        # are walked and each span decoded on its own, so only that span is lost.
        got = salvage(data, path=frozenset({"data", "spans", "trace"}), leaf_arrays=frozenset({"spans"}))
        if got.complete:
            yield from _read_object(got.value, source, [])
        else:
            yield from _read_value(data, source, 0)
        return
    yield from _read_object(obj, source, [])


def _read_value(data: bytes, source: str, off: int) -> Iterator[Batch]:
    problems: list[Problem] = []
    try:
        obj = msgspec.json.decode(data)
    except msgspec.DecodeError as e:
        keys = frozenset({"data", "spans", "trace"})
        got = salvage(data, path=keys, leaf_arrays=frozenset({"data", "spans"}), top_leaves=True)
        obj = got.value
        if isinstance(obj, dict) and isinstance(obj.get("trace"), dict):
            obj = obj["trace"]
        if isinstance(obj, dict) and isinstance(obj.get("spans"), list):
            n, unit = len(obj["spans"]), "span(s) of the trace"
        else:
            n = len(obj.get("data") or []) if isinstance(obj, dict) else len(obj) if isinstance(obj, list) else 0
            unit = "trace(s)"
        what = "not valid JSON: it ends early (truncated)" if got.truncated else f"not valid JSON, damaged ({e})"
        problems.append(Problem(source, f"byte {off + got.stop_byte:,}",
                                f"{what}: read the {n} complete {unit} before this point; the rest was skipped"))
        if not n:
            yield Batch(problems=problems)
            return
    yield from _read_object(obj, source, problems)


def _read_object(obj: Any, source: str, problems: list[Problem]) -> Iterator[Batch]:
    if isinstance(obj, dict) and isinstance(obj.get("errors"), list) and obj["errors"]:
        for err in obj["errors"]:
            msg = err.get("msg") or err.get("message") or err if isinstance(err, dict) else err
            problems.append(Problem(source, "errors", f"the Jaeger API answered with an error: {msg}"))
    if isinstance(obj, dict) and isinstance(obj.get("data"), list):
        traces, prefix = obj["data"], "data"
    elif isinstance(obj, dict) and "trace" in obj and isinstance(obj["trace"], dict):
        traces, prefix = [obj["trace"]], "trace"
    elif isinstance(obj, dict) and "spans" in obj:
        traces, prefix = [obj], ""
    elif isinstance(obj, list):
        traces, prefix = obj, ""
    else:
        if not problems:
            problems.append(Problem(source, "", "not Jaeger trace data (expected {\"data\": [...]} or a trace)"))
        yield Batch(problems=problems)
        return
    if problems:
        yield Batch(problems=problems)
    for t_i, tr in enumerate(traces):
        where = f"{prefix}[{t_i}]" if prefix else f"[{t_i}]" if len(traces) > 1 else ""
        if not isinstance(tr, dict):
            yield Batch(problems=[Problem(source, where, "trace is not an object: skipped")])
            continue
        with gc_paused():
            batch = read_trace(tr, source, where)
        yield batch


def read_trace(tr: dict, source: str, where: str = "") -> Batch:
    batch = Batch()
    resources: dict[str, Resource] = {}
    procs = tr.get("processes")
    for pid, proc in (procs.items() if isinstance(procs, dict) else ()):
        if isinstance(proc, dict):
            resources[pid] = resource_from_attributes(_tags(proc.get("tags")), proc.get("serviceName"))
    for w in _list(tr.get("warnings")):
        batch.problems.append(Problem(source, where, f"Jaeger warning: {w}", warning=True))
    trace_id = hex_id(tr.get("traceID", ""))
    for s_i, sp in enumerate(_list(tr.get("spans"))):
        loc = f"{where}.spans[{s_i}]" if where else f"spans[{s_i}]"
        if sp == TOO_DEEP:
            batch.problems.append(Problem(source, loc, "span nested too deeply to read (thousands of brackets): "
                                          "skipped", 1))
            continue
        try:
            span = _span(sp, trace_id, resources, batch, source, loc)
        except (TypeError, ValueError, AttributeError, OverflowError) as e:
            batch.problems.append(Problem(source, loc, f"bad span ({e}): skipped", 1))
            continue
        if span is not None:
            batch.spans.append(span)
    return batch


def _span(sp: Any, trace_id: str, resources, batch: Batch, source: str, loc: str) -> Span | None:
    if not isinstance(sp, dict):
        batch.problems.append(Problem(source, loc, "span is not an object: skipped", 1))
        return None
    tid = hex_id(sp.get("traceID") or trace_id)
    sid = hex_id(sp.get("spanID", ""))
    if not tid or not sid:
        batch.problems.append(Problem(source, loc, span_without("traceID" if not tid else "spanID"), 1))
        return None
    start = int(sp.get("startTime", 0)) * _US
    duration = int(sp.get("duration", 0)) * _US
    if duration < 0:
        batch.problems.append(Problem(source, loc, negative_duration(sid),
                                      warning=True))
        duration = 0
    bad = times_problem(start, start + duration)
    if bad is not None:
        batch.problems.append(Problem(source, loc, bad, 1))
        return None
    for w in _list(sp.get("warnings")):
        batch.problems.append(Problem(source, loc, f"Jaeger warning: {w}", warning=True))
    refs = _list(sp.get("references"))
    parent, follows, links = "", False, []
    for ref in refs:
        if not isinstance(ref, dict):
            continue
        rid = hex_id(ref.get("spanID", ""))
        rtid = hex_id(ref.get("traceID") or tid)
        if not parent and rtid == tid and ref.get("refType", "CHILD_OF") in ("CHILD_OF", "FOLLOWS_FROM"):
            parent, follows = rid, ref.get("refType") == "FOLLOWS_FROM"
        else:
            links.append(Link(rtid, rid, {"jaeger.ref_type": ref.get("refType", "")}))
    if not parent and sp.get("parentSpanID"):
        parent = hex_id(sp["parentSpanID"])
    tags = _tags(sp.get("tags"))
    kind = KIND_UNSPECIFIED
    if "span.kind" in tags:
        kind, bad = kind_or_problem(str(tags.pop("span.kind")))
        if bad is not None:
            batch.problems.append(Problem(source, loc, bad, warning=True))
    code = tags.pop("otel.status_code", None)
    status = status_from_name(code) if code is not None else None
    if status is None:
        status = STATUS_UNSET
    if tags.get("error") in (True, "true"):
        status = STATUS_ERROR
    message = str(tags.pop("otel.status_description", "") or "")
    events = [
        Event(int(log.get("timestamp", 0)) * _US, str(_tags(log.get("fields")).get("event", "log")),
              _tags(log.get("fields")))
        for log in _list(sp.get("logs")) if isinstance(log, dict)
    ]
    proc = sp.get("process")
    if isinstance(proc, dict):
        resource = resource_from_attributes(_tags(proc.get("tags")), proc.get("serviceName"))
    else:
        resource = resources.get(sp.get("processID", ""), Resource())
    return Span(
        trace_id=tid, span_id=sid, parent_id=parent, name=str(sp.get("operationName", "")),
        kind=kind, start_ns=start, end_ns=start + duration, status=status, status_message=message,
        resource=resource, raw_attributes=tags or None, raw_events=events or None,
        raw_links=links or None, follows_from=follows,
    )


def _tags(tags: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(tags, list):
        for t in tags:
            if isinstance(t, dict) and "key" in t:
                out[str(t["key"])] = t.get("value")
    elif isinstance(tags, dict):
        out.update(tags)
    return out


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []
