"""Zipkin v2 JSON: a list of spans (`GET /api/v2/trace/{id}`) or a list of lists (`/api/v2/traces`).

Times are microseconds. `localEndpoint.serviceName` gives the service (its address goes to the
resource as `net.host.ip`/`net.host.port`); `remoteEndpoint` becomes the span attributes
`peer.service`, `net.peer.ip`, `net.peer.port`; `tags` are attributes (kept as given); an `error`
tag makes the status ERROR with the tag's value as the message; `annotations` are events.

Pieces of one span are merged first, by Zipkin's rules (`zipkin_merge`). A `shared` span is the server side of an RPC that reuses its client's span id. It becomes a
child of that client span: its parent is set to its own id, which the model resolves to the
other span with that id (see `Trace._build`). When the client span is not in the dump, the
shared span keeps the `parentId` it was given.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from tracetui.loaders.hexids import hex_id
from tracetui.loaders.problems import Batch, Problem
from tracetui.loaders.salvage import TOO_DEEP, documents, is_trailing_error, salvage
from tracetui.loaders.vocabulary import KIND_BY_NAME, negative_duration, times_problem
from tracetui.loaders.zipkin_merge import merge_fragments
from tracetui.model.gcpause import gc_paused
from tracetui.model.span import (
    KIND_UNSPECIFIED,
    STATUS_ERROR,
    STATUS_OK,
    STATUS_UNSET,
    UNKNOWN_SERVICE,
    Event,
    Resource,
    Span,
)

_KINDS = KIND_BY_NAME
_US = 1000
_SPANS_PER_BATCH = 5000
_generic = msgspec.json.Decoder()


def read_zipkin_json(data: bytes, source: str) -> Iterator[Batch]:
    with gc_paused():
        obj, problems = _decode(data, source)
    if not isinstance(obj, list):
        yield Batch(problems=problems + [Problem(source, "", "not Zipkin v2 JSON (expected a list of spans)")])
        return
    groups: list[tuple[str, list]] = []
    if obj and all(isinstance(x, list) or x == TOO_DEEP for x in obj) and any(isinstance(x, list) for x in obj):
        # A list of traces; one nested too deeply to read is lost alone (reported below).
        groups = [(f"[{i}]", g) for i, g in enumerate(obj)]
    else:
        groups = [("", obj)]
    reader = _Reader(source)
    with gc_paused():
        for prefix, spans in groups:
            if spans == TOO_DEEP:
                reader.problem(prefix, "trace nested too deeply to read (thousands of brackets): skipped", 0)
                continue
            # Pieces of one span (tags or annotations reported late, a span flushed early) are
            # merged first, as Zipkin does: they are no incomplete spans.
            for i, sp in merge_fragments(spans) or enumerate(spans):
                reader.span(sp, f"{prefix}[{i}]")
        reader.finish()
    out = reader.spans
    for start in range(0, max(len(out), 1), _SPANS_PER_BATCH):
        batch = Batch(spans=out[start:start + _SPANS_PER_BATCH])
        if start == 0:
            batch.problems = reader.problems + problems
        if batch.spans or batch.problems:
            yield batch


def _decode(data: bytes, source: str) -> tuple[Any, list[Problem]]:
    try:
        return _generic.decode(data), []
    except RecursionError:
        # A span nested too deeply: each span (or trace) decoded on its own; lists back to back
        # (which `salvage` does not read past) each so below.
        got = salvage(data, path=frozenset(), top_leaves=True)
        if got.complete and isinstance(got.value, list):
            return got.value, []
    except msgspec.DecodeError as e:
        if not is_trailing_error(e):
            return _salvaged(data, source, 0, e)
    # Several lists back to back (`cat a.json b.json`): one list of all their spans.
    spans: list = []
    problems: list[Problem] = []
    for off, piece in documents(data):
        try:
            part = _generic.decode(piece)
        except (msgspec.DecodeError, RecursionError) as e:
            part, more = (_too_deep if isinstance(e, RecursionError) else _salvaged)(piece, source, off, e)
            problems.extend(more)
        if isinstance(part, list):
            for x in part:
                spans.extend(x if isinstance(x, list) else [x])
        else:
            problems.append(Problem(source, f"byte {off:,}", "not a list of Zipkin spans: skipped"))
    return spans, problems


def _too_deep(data: bytes, source: str, off: int, error: Exception) -> tuple[list, list[Problem]]:
    """A list with a span (or a trace) nested too deeply to decode (thousands of brackets, a tag
    hundreds of levels deep): each element decoded on its own, so only that one is lost (it
    stands as `TOO_DEEP`, which the reader reports)."""
    got = salvage(data, path=frozenset(), top_leaves=True)
    if got.complete and isinstance(got.value, list):
        return got.value, []
    return _salvaged(data, source, off, error)


def _salvaged(data: bytes, source: str, off: int, error: Exception) -> tuple[list, list[Problem]]:
    got = salvage(data, path=frozenset(), top_leaves=True)
    obj = got.value if isinstance(got.value, list) else []
    what = "not valid JSON: it ends early (truncated)" if got.truncated else f"not valid JSON, damaged ({error})"
    return obj, [Problem(source, f"byte {off + got.stop_byte:,}",
                         f"{what}: read the {len(obj)} complete element(s) before this point; "
                         f"the rest ({len(data) - got.stop_byte:,} bytes) was skipped")]


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.spans: list[Span] = []
        self.problems: list[Problem] = []
        self.resources: dict[tuple, Resource] = {}
        self.shared: list[tuple[int, str]] = []  # (position, the parentId it was given)
        self.owners: set[tuple[str, str]] = set()  # (trace id, span id) of spans not shared

    def problem(self, where: str, message: str, skipped: int = 1, warning: bool = False) -> None:
        self.problems.append(Problem(self.source, where, message, skipped, warning))

    def span(self, sp: Any, where: str) -> None:
        if sp == TOO_DEEP:
            self.problem(where, "span nested too deeply to read (thousands of brackets, e.g. a tag hundreds of "
                         "levels deep): skipped")
            return
        if not isinstance(sp, dict):
            self.problem(where, "span is not an object: skipped")
            return
        if "binaryAnnotations" in sp and "localEndpoint" not in sp:
            self.problem(where, "Zipkin v1 span (binaryAnnotations): not supported, skipped")
            return
        try:
            span = self._convert(sp, where)
        except (TypeError, ValueError, AttributeError, OverflowError) as e:
            self.problem(where, f"bad span ({e}): skipped")
            return
        if span is None:
            return
        if sp.get("shared") is True:
            self.shared.append((len(self.spans), span.parent_id))
        else:
            self.owners.add((span.trace_id, span.span_id))
        self.spans.append(span)

    def _convert(self, sp: dict, where: str) -> Span | None:
        tid, sid = hex_id(sp.get("traceId")), hex_id(sp.get("id"))
        if not tid or not sid:
            self.problem(where, f"span without {'traceId' if not tid else 'id'}: skipped")
            return None
        ts = sp.get("timestamp")
        if ts is None:
            self.problem(where, f"span {sid} has no timestamp, and no other piece of it in the input has one "
                                "(an incomplete span): skipped")
            return None
        start = int(ts) * _US
        duration = int(sp.get("duration") or 0) * _US
        if duration < 0:
            self.problem(where, negative_duration(sid), 0, warning=True)
            duration = 0
        bad = times_problem(start, start + duration)
        if bad is not None:
            self.problem(where, bad)
            return None
        tags = sp.get("tags") or {}
        attrs = {str(k): v for k, v in tags.items()} if isinstance(tags, dict) else {}
        status, message = STATUS_UNSET, ""
        code = str(attrs.get("otel.status_code", "")).upper()
        if "error" in attrs or code == "ERROR":
            status = STATUS_ERROR
            err = str(attrs.get("error", ""))
            message = err if err.lower() not in ("", "true", "1") else str(attrs.get("otel.status_description", ""))
        elif code == "OK":
            status = STATUS_OK
        remote = sp.get("remoteEndpoint")
        if isinstance(remote, dict):
            if remote.get("serviceName"):
                attrs.setdefault("peer.service", str(remote["serviceName"]))
            ip = remote.get("ipv4") or remote.get("ipv6")
            if ip:
                attrs.setdefault("net.peer.ip", str(ip))
            if remote.get("port"):
                attrs.setdefault("net.peer.port", remote["port"])
        events = [
            Event(int(a.get("timestamp") or 0) * _US, str(a.get("value", "")), {})
            for a in sp.get("annotations") or [] if isinstance(a, dict)
        ]
        events.sort(key=lambda e: e.time_ns)
        return Span(
            trace_id=tid, span_id=sid, parent_id=hex_id(sp.get("parentId")), name=str(sp.get("name") or ""),
            kind=_KINDS.get(str(sp.get("kind") or "").upper(), KIND_UNSPECIFIED),
            start_ns=start, end_ns=start + duration, status=status, status_message=message,
            resource=self._resource(sp.get("localEndpoint")),
            raw_attributes=attrs or None, raw_events=events or None,
        )

    def _resource(self, ep: Any) -> Resource:
        if not isinstance(ep, dict):
            ep = {}
        key = (ep.get("serviceName"), ep.get("ipv4"), ep.get("ipv6"), ep.get("port"))
        res = self.resources.get(key)
        if res is None:
            svc = str(ep.get("serviceName") or UNKNOWN_SERVICE)
            attrs: dict[str, Any] = {"service.name": svc}
            ip = ep.get("ipv4") or ep.get("ipv6")
            if ip:
                attrs["net.host.ip"] = str(ip)
            if ep.get("port"):
                attrs["net.host.port"] = ep["port"]
            res = self.resources[key] = Resource(svc, attrs)
        return res

    def finish(self) -> None:
        """Make each shared server span a child of the client span whose id it reuses."""
        for pos, _given in self.shared:
            s = self.spans[pos]
            if (s.trace_id, s.span_id) in self.owners:
                s.parent_id = s.span_id
