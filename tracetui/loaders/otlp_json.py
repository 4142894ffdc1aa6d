"""OTLP JSON: one `ExportTraceServiceRequest`/`TracesData`, or one per line (JSON Lines).

Fast path: a typed msgspec decode that leaves attributes, events and links undecoded
(`msgspec.Raw`). If a document does not fit the types (odd values from some producer), it is
decoded again into plain objects and read span by span, so one bad span costs only itself.
Tolerates what real producers write (see docs/formats.md): hex or base64 ids, int64 as strings,
the OTel-JS `{"low","high"}` int64, enum names, snake_case keys, `instrumentationLibrarySpans`,
and the Tempo/Jaeger wrappers `{"batches"}`, `{"trace"}`, `{"result"}`, `{"data"}`.
"""


import re
from collections.abc import Iterator
from typing import Any, Union

import msgspec

from tracetui.loaders.problems import Batch, Problem
from tracetui.loaders.salvage import Salvage, cut_otlp, documents, is_trailing_error, salvage
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


class Int64Obj(msgspec.Struct):
    """The OTel-JS 0.44 bug: int64 written as {"low": …, "high": …}."""

    low: int = 0
    high: int = 0


Int64 = Union[int, str, Int64Obj]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _structs(rename):
    """The wire types, for one key style (camelCase or snake_case)."""

    class WStatus(msgspec.Struct, rename=rename):
        code: Union[int, str] = 0
        message: str = ""

    class WSpan(msgspec.Struct, rename=rename, gc=False):
        trace_id: str = ""
        span_id: str = ""
        parent_span_id: str = ""
        name: str = ""
        kind: Union[int, str] = 0
        start_time_unix_nano: Int64 = 0
        end_time_unix_nano: Int64 = 0
        status: Union[WStatus, None] = None
        attributes: msgspec.Raw = msgspec.Raw(b"")
        events: msgspec.Raw = msgspec.Raw(b"")
        links: msgspec.Raw = msgspec.Raw(b"")
        trace_state: str = ""

    class WScope(msgspec.Struct, rename=rename):
        name: str = ""
        version: str = ""
        attributes: list[Any] = []

    class WScopeSpans(msgspec.Struct, rename=rename):
        scope: Union[WScope, None] = None
        instrumentation_library: Union[WScope, None] = None
        spans: list[WSpan] = []

    class WResource(msgspec.Struct, rename=rename):
        attributes: list[Any] = []

    class WResourceSpans(msgspec.Struct, rename=rename):
        resource: Union[WResource, None] = None
        scope_spans: list[WScopeSpans] = []
        instrumentation_library_spans: list[WScopeSpans] = []

    class WDoc(msgspec.Struct, rename=rename):
        resource_spans: list[WResourceSpans] = []
        batches: list[WResourceSpans] = []  # Tempo API v1
        # A bare ResourceSpans (Java's logging exporter writes one per line).
        resource: Union[WResource, None] = None
        scope_spans: list[WScopeSpans] = []
        instrumentation_library_spans: list[WScopeSpans] = []

    class WWrapper(msgspec.Struct):
        trace: Union[WDoc, None] = None  # Tempo API v2
        result: Union[WDoc, None] = None  # Jaeger API v3
        data: Union[WDoc, None] = None

    return WDoc, WWrapper, WSpan


_CAMEL = _structs(_camel)
_SNAKE = _structs(None)
_DECODERS: dict[tuple[bool, bool], msgspec.json.Decoder] = {}


def _decoder(snake: bool, wrapped: bool) -> msgspec.json.Decoder:
    key = (snake, wrapped)
    dec = _DECODERS.get(key)
    if dec is None:
        doc, wrapper, _ = _SNAKE if snake else _CAMEL
        dec = _DECODERS[key] = msgspec.json.Decoder(wrapper if wrapped else doc)
    return dec


def looks_like_otlp(head: bytes) -> bool:
    return any(
        k in head
        for k in (
            b'"resourceSpans"', b'"resource_spans"', b'"scopeSpans"', b'"scope_spans"',
            b'"instrumentationLibrarySpans"', b'"batches"',
        )
    )


def _is_other_signal(head: bytes) -> bool:
    return (b'"resourceLogs"' in head or b'"resourceMetrics"' in head
            or b'"resource_logs"' in head or b'"resource_metrics"' in head) and not looks_like_otlp(head)


# -- reading --------------------------------------------------------------------------------


def read_otlp_json(data: bytes, source: str, where: str = "") -> Iterator[Batch]:
    """Read a whole OTLP JSON document, or JSON Lines of them; yield a batch per document."""
    stripped = data.strip()
    if not stripped:
        yield Batch(problems=[Problem(source, where, "empty input")])
        return
    batch = _read_document(stripped, source, where)
    if batch is not None:
        yield batch
        return
    if not any(_is_json(line) for line in stripped.split(b"\n", 2)[:2]):
        # Not JSON Lines but one (pretty-printed) document that is broken, e.g. a cut-off
        # download: one problem, not one per line (and its complete spans, see `_salvage`).
        yield _fallback(stripped, source, where)
        return
    yield from read_otlp_jsonl(data, source, where=where)


def _is_json(line: bytes) -> bool:
    try:
        _generic.decode(line)
    except msgspec.DecodeError:
        return False
    return True


def read_otlp_jsonl(data: bytes, source: str, lines_per_batch: int = 256, where: str = "") -> Iterator[Batch]:
    """JSON Lines: one document per line; a bad line is reported with its number and skipped
    (what is complete in a cut or damaged line is still read)."""
    out = Batch()
    count = 0
    prefix = f"{where}: " if where else ""
    for lineno, line in enumerate(data.split(b"\n"), start=1):
        line = line.strip()
        if not line:
            continue
        b = _read_document(line, source, f"{prefix}line {lineno}", single=False)
        if b is None:
            b = _fallback(line, source, f"{prefix}line {lineno}")
        out.spans.extend(b.spans)
        out.problems.extend(b.problems)
        count += 1
        if count >= lines_per_batch:
            yield out
            out, count = Batch(), 0
    if out.spans or out.problems:
        yield out


_CAMEL_KEYS = (b'"resourceSpans"', b'"scopeSpans"', b'"instrumentationLibrarySpans"', b'"traceId"')
_SNAKE_KEYS = (b'"resource_spans"', b'"scope_spans"', b'"instrumentation_library_spans"', b'"trace_id"')


def _is_snake(head: bytes) -> bool:
    """The key style, from whichever structural key comes first: a span attribute named
    "trace_id" further on must not turn a camelCase document into an empty snake_case one."""
    def first(keys: tuple[bytes, ...]) -> int:
        return min((i for i in (head.find(k) for k in keys) if i >= 0), default=-1)

    snake, camel = first(_SNAKE_KEYS), first(_CAMEL_KEYS)
    return snake >= 0 and (camel < 0 or snake < camel)


_WRAPPER = re.compile(rb'\{\s*"(?:trace|result|data)"\s*:')


def _read_document(doc: bytes, source: str, where: str, single: bool = True) -> Batch | None:
    """Typed decode of one document. None when it is not one JSON document (try JSON Lines)."""
    head = doc[:4096]
    snake = _is_snake(head)
    # Decided by the first key: `{"trace":{"resourceSpans":…` has "resourceSpans" in its head too.
    wrapped = _WRAPPER.match(doc) is not None
    try:
        parsed = _decoder(snake, wrapped).decode(doc)
    except msgspec.ValidationError:
        return _fallback(doc, source, where)
    except msgspec.DecodeError as e:
        if single and b"\n" in doc:
            return None  # maybe JSON Lines
        if _is_other_signal(head):
            return Batch()
        return _fallback(doc, source, where, str(e))
    if wrapped:
        parsed = parsed.trace or parsed.result or parsed.data
        if parsed is None:
            return Batch(problems=[Problem(source, where, "no OTLP trace data in this document")])
    elif _empty(parsed) and _is_other_signal(head):
        return Batch()  # a logs or metrics line among the traces: skipped quietly
    elif _empty(parsed) and parsed.resource is None and not parsed.scope_spans:
        return _fallback(doc, source, where)  # e.g. a wrapper whose key is not the first one
    return _convert_doc(parsed, source, where)


def _read_pieces(pieces: list[tuple[int, bytes]], source: str, where: str) -> Batch:
    """Several documents back to back (`cat a.json b.json`): each read on its own."""
    out = Batch()
    for off, piece in pieces:
        b = _read_document(piece, source, f"{where}: byte {off:,}" if where else f"byte {off:,}",
                           single=False) or Batch()
        out.spans.extend(b.spans)
        out.problems.extend(b.problems)
    return out


def _convert_doc(doc: Any, source: str, where: str) -> Batch:
    batch = Batch()
    rss = list(doc.resource_spans) + list(doc.batches)
    if doc.resource is not None or doc.scope_spans or doc.instrumentation_library_spans:
        rss.append(doc)
    if not rss and _empty(doc):
        batch.problems.append(Problem(source, where, "not OTLP trace data (no resourceSpans)"))
    ids: dict[str, str] = {}
    for r_i, rs in enumerate(rss):
        resource = _resource(rs.resource.attributes if rs.resource else [])
        for ss_i, ss in enumerate(list(rs.scope_spans) + list(rs.instrumentation_library_spans)):
            sc = ss.scope or ss.instrumentation_library
            scope = Scope(sc.name, sc.version, key_values(sc.attributes)) if sc else Scope()
            for s_i, ws in enumerate(ss.spans):
                span = _span(ws, resource, scope, ids, batch, source, where, (r_i, ss_i, s_i))
                if span is not None:
                    batch.spans.append(span)
    return batch


def _empty(doc: Any) -> bool:
    return not (doc.resource_spans or doc.batches)


def _resource(attrs: list) -> Resource:
    kv = key_values(attrs)
    service = kv.get("service.name")
    return Resource(str(service) if service not in (None, "") else UNKNOWN_SERVICE, kv)


def _int64(v: Any) -> int:
    if type(v) is int:
        return v
    if isinstance(v, str):
        return int(v) if v else 0
    return (int(v.high) << 32) | (int(v.low) & 0xFFFFFFFF)


def _enum(v: Any, names: dict[str, int]) -> int:
    if type(v) is int:
        return v
    return names.get(v, names.get(str(v).upper(), 0))


def _raw(r: msgspec.Raw) -> msgspec.Raw | None:
    return r if len(r) > 2 else None  # absent, "[]" and "{}" all mean nothing


def _span(ws, resource, scope, ids, batch: Batch, source: str, where: str, pos) -> Span | None:
    tid = ids.get(ws.trace_id)
    if tid is None:
        tid = ids[ws.trace_id] = normalize_id(ws.trace_id)
    sid = normalize_id(ws.span_id)
    if not tid or not sid:
        missing = "traceId" if not tid else "spanId"
        batch.problems.append(Problem(source, _where(where, pos), f"span without {missing}: skipped", 1))
        return None
    try:
        start = _int64(ws.start_time_unix_nano)
        end = _int64(ws.end_time_unix_nano)
    except ValueError:
        batch.problems.append(Problem(source, _where(where, pos), "span time is not an integer: skipped", 1))
        return None
    if end < start:
        batch.problems.append(Problem(source, _where(where, pos), f"span {sid} ends before it starts: shown with zero duration",
                                      warning=True))
        end = start
    st = ws.status
    return Span(
        trace_id=tid,
        span_id=sid,
        parent_id=normalize_id(ws.parent_span_id) if ws.parent_span_id else "",
        name=ws.name,
        kind=_enum(ws.kind, KIND_BY_NAME),
        start_ns=start,
        end_ns=end,
        status=_enum(st.code, STATUS_BY_NAME) if st is not None else 0,
        status_message=st.message if st is not None else "",
        resource=resource,
        scope=scope,
        raw_attributes=_raw(ws.attributes),
        raw_events=_raw(ws.events),
        raw_links=_raw(ws.links),
        trace_state=ws.trace_state,
    )


def _where(where: str, pos) -> str:
    r, s, i = pos
    loc = f"resourceSpans[{r}].scopeSpans[{s}].spans[{i}]"
    return f"{where}: {loc}" if where else loc


# -- the tolerant path ----------------------------------------------------------------------

_generic = msgspec.json.Decoder()


def _fallback(doc: bytes, source: str, where: str, decode_error: str | None = None) -> Batch:
    """Decode into plain objects and convert span by span; report what does not fit."""
    if decode_error is not None:  # known not to be JSON: no second full decode into objects
        return _salvage(doc, source, where, decode_error)
    try:
        obj = _generic.decode(doc)
    except msgspec.DecodeError as e:
        return _salvage(doc, source, where, str(e))
    if isinstance(obj, dict):
        for key in ("trace", "result", "data"):
            if isinstance(obj.get(key), dict):
                obj = obj[key]
                break
    if isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        # A JSON list of requests (`jq -s`): each element read as a document of its own.
        out = Batch()
        for i, el in enumerate(obj):
            b = _fallback(msgspec.json.encode(el), source, f"{where}[{i}]")
            out.spans.extend(b.spans)
            out.problems.extend(b.problems)
        return out
    if not isinstance(obj, dict):
        return Batch(problems=[Problem(source, where, "not OTLP trace data (expected a JSON object)")])
    rss = obj.get("resourceSpans", obj.get("resource_spans", obj.get("batches")))
    if rss is None and any(k in obj for k in ("scopeSpans", "scope_spans", "instrumentationLibrarySpans")):
        rss = [obj]
    if rss is None:
        if any(k in obj for k in ("resourceLogs", "resourceMetrics", "resource_logs", "resource_metrics")):
            return Batch()
        return Batch(problems=[Problem(source, where, "not OTLP trace data (no resourceSpans)")])
    batch = Batch()
    snake = "resource_spans" in obj or "scope_spans" in obj
    span_dec = msgspec.json.Decoder((_SNAKE if snake else _CAMEL)[2])
    ids: dict[str, str] = {}
    for r_i, rs in enumerate(rss if isinstance(rss, list) else []):
        if not isinstance(rs, dict):
            continue
        res = rs.get("resource") or {}
        resource = _resource(res.get("attributes", []) if isinstance(res, dict) else [])
        sss = rs.get("scopeSpans", rs.get("scope_spans", rs.get("instrumentationLibrarySpans", [])))
        for ss_i, ss in enumerate(sss if isinstance(sss, list) else []):
            if not isinstance(ss, dict):
                continue
            sc = ss.get("scope") or ss.get("instrumentationLibrary") or {}
            scope = Scope(str(sc.get("name", "")), str(sc.get("version", "")),
                          key_values(sc.get("attributes", []))) if isinstance(sc, dict) else Scope()
            for s_i, sp in enumerate(ss.get("spans", []) or []):
                loc = _where(where, (r_i, ss_i, s_i))
                try:
                    ws = span_dec.decode(msgspec.json.encode(sp))
                except msgspec.ValidationError as e:
                    batch.problems.append(Problem(source, loc, f"bad span: {e}: skipped", 1))
                    continue
                span = _span(ws, resource, scope, ids, batch, source, where, (r_i, ss_i, s_i))
                if span is not None:
                    batch.spans.append(span)
    return batch


class _Nothing(msgspec.Struct):
    """Decoding into this only checks the JSON (every field is skipped): fast, no objects made."""


_check = msgspec.json.Decoder(_Nothing)


def _decodes(doc: bytes) -> bool:
    try:
        _check.decode(doc)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return False
    return True


def _salvage(doc: bytes, source: str, where: str, error: str) -> Batch:
    """A document that is not valid JSON: keep every complete span before the damage.

    Documents written back to back (`cat a.json b.json`) are read one by one instead."""
    if not isinstance(doc, bytes):
        doc = bytes(doc)  # a memoryview (a line of JSON Lines): salvage needs bytes
    if is_trailing_error(error):
        pieces = documents(doc)
        if len(pieces) > 1:
            return _read_pieces(pieces, source, where)
    fast = cut_otlp(doc, _decodes) if "truncated" in error else None
    if fast is not None:
        repaired, cut = fast
        batch = _read_document(repaired, source, where, single=False) or Batch()
        got = Salvage(True, cut, True)
    else:
        got = salvage(doc)
        batch = _fallback(msgspec.json.encode(got.value), source, where) if got.value else Batch()
    recovered = len(batch.spans)
    what = "it ends early" if got.truncated else "damaged"
    if not recovered:
        # Nothing to keep: one plain line (inside a line of JSON Lines the line number says where).
        at = f" at byte {got.stop_byte:,}" if not where else ""
        batch.problems = [p for p in batch.problems if "no resourceSpans" not in p.message and p.warning]
        batch.problems.append(Problem(source, where, f"not valid JSON ({error}; {what}{at}): no complete span in it"))
        return batch
    loc = f"{where}: byte {got.stop_byte:,}" if where else f"byte {got.stop_byte:,}"
    spans = f"{recovered} complete span{'s' if recovered != 1 else ''}"
    if got.truncated:
        msg = (f"not valid JSON: it ends early (the input is cut at byte {len(doc):,}): read the {spans} before this "
               "point; the incomplete rest was skipped")
    else:
        msg = (f"not valid JSON, damaged ({error}): read the {spans} before this point; "
               f"the remaining {len(doc) - got.stop_byte:,} bytes were skipped")
    batch.problems.append(Problem(source, loc, msg))
    return batch
