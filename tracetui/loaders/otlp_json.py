"""OTLP JSON: one `ExportTraceServiceRequest`/`TracesData`, or one per line (JSON Lines).

Fast path: msgspec decodes straight into the model's `Span`s, leaving attributes, events and
links undecoded (`msgspec.Raw`); big inputs are read a piece of `resourceSpans` at a time, big
files while they are being read (`stream_file`). A document the fast types refuse goes through
typed wire structs, and one that does not fit those either is decoded into plain objects and
read span by span, so one bad span costs only itself.
Tolerates what real producers write (see docs/formats.md): hex or base64 ids, int64 as strings,
the OTel-JS `{"low","high"}` int64, enum names, snake_case keys, `instrumentationLibrarySpans`,
and the Tempo/Jaeger wrappers `{"batches"}`, `{"trace"}`, `{"result"}`, `{"data"}`.
"""


import mmap
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from itertools import islice
from operator import attrgetter
from typing import Any, Union

import msgspec

from tracetui.loaders.problems import Batch, Problem
from tracetui.loaders.salvage import Salvage, cut_otlp, documents, is_trailing_error, salvage
from tracetui.model.gcpause import gc_paused
from tracetui.model.ids import normalize_id
from tracetui.model.span import NO_RESOURCE, NO_SCOPE, UNKNOWN_SERVICE, Resource, Scope, Span
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


def _containers(span_cls: type, rename):
    """The document around spans (resource, scope, Tempo/Jaeger wrappers) for one key style."""

    class WScope(msgspec.Struct, rename=rename):
        name: str = ""
        version: str = ""
        attributes: list[Any] = []

    class WScopeSpans(msgspec.Struct, rename=rename):
        scope: Union[WScope, None] = None
        instrumentation_library: Union[WScope, None] = None
        spans: list[span_cls] = []  # type: ignore[valid-type]

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

    return WDoc, WWrapper


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

    WDoc, WWrapper = _containers(WSpan, rename)
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


# -- the fast path: decode straight into the model's spans -----------------------------------
#
# The typed path above decodes into wire structs, then builds every `Span` in a Python loop: for
# 1M spans that loop cost more than the decode itself. Here msgspec decodes each span directly
# into a subclass of `Span` with the same fields, renamed to the OTLP keys (times as decimal
# strings become ints with `strict=False`; the nested `status` lands in the `status` field as an
# object and is flattened). A short loop then moves each span into the `Span` class itself (same
# layout, so `__class__` can be reassigned), sets its resource and scope, and shares repeated
# strings. Ids are checked in bulk; a document with anything unusual (upper-case or base64 ids,
# missing ids, ends before starts) is fixed span by span, and one that does not fit the types at
# all (enum names, `{"low","high"}` times) goes the typed path.


class _FStatus(msgspec.Struct, gc=False):
    code: Union[int, str] = 0
    message: str = ""


def _fast_structs(snake: bool):
    def k(camel: str) -> str:
        return _snake(camel) if snake else camel

    span_keys = {
        "trace_id": k("traceId"), "span_id": k("spanId"), "parent_id": k("parentSpanId"),
        "start_ns": k("startTimeUnixNano"), "end_ns": k("endTimeUnixNano"), "status": "status",
        "raw_attributes": "attributes", "raw_events": "events", "raw_links": "links",
        "trace_state": k("traceState"),
        # Not OTLP keys: filled after decoding.
        "status_message": "$status_message", "resource": "$resource", "scope": "$scope",
        "follows_from": "$follows_from",
    }

    class FSpan(Span, rename=span_keys, gc=False):
        # Every field of `Span`, in its order (msgspec renames only fields a class defines).
        trace_id: str
        span_id: str
        parent_id: str = ""
        name: str = ""
        kind: int = 0
        start_ns: int = 0
        end_ns: int = 0
        status: Union[int, _FStatus] = 0
        status_message: str = ""
        resource: Any = NO_RESOURCE
        scope: Any = NO_SCOPE
        raw_attributes: msgspec.Raw = None  # type: ignore[assignment]
        raw_events: msgspec.Raw = None  # type: ignore[assignment]
        raw_links: msgspec.Raw = None  # type: ignore[assignment]
        follows_from: bool = False
        trace_state: str = ""

    return _containers(FSpan, None if snake else _camel)


def _snake(camel: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in camel)


_FAST: dict[tuple[bool, bool], msgspec.json.Decoder] = {}


def _fast_decoder(snake: bool, wrapped: bool) -> msgspec.json.Decoder:
    key = (snake, wrapped)
    dec = _FAST.get(key)
    if dec is None:
        doc, wrapper = _fast_structs(snake)
        dec = _FAST[key] = msgspec.json.Decoder(wrapper if wrapped else doc, strict=False)
    return dec


_SPAN_ID, _PARENT_ID = attrgetter("span_id"), attrgetter("parent_id")
_HEX_LOWER = b"0123456789abcdef"
_ZERO16 = "0" * 16


def _ids_ok(span_ids: list[str], parent_ids: list[str], trace_ids: list[str]) -> bool:
    """Whether every id is already lower-case hex of its size (span 16; parent 16 or empty;
    trace 32 or 16) and none all zeros: then `normalize_id` would return each unchanged."""
    if (not set(map(len, span_ids)) <= {16} or not set(map(len, parent_ids)) <= {0, 16}
            or not set(map(len, trace_ids)) <= {16, 32}):
        return False
    joined = "".join(span_ids) + "".join(parent_ids) + "".join(trace_ids)
    if not joined.isascii() or joined.encode().translate(None, _HEX_LOWER):
        return False
    # A false alarm (zeros across two ids) only sends these spans the careful way.
    return _ZERO16 not in joined


def _resource_spans(doc: Any, batch: Batch, source: str, where: str) -> list:
    """A document's ResourceSpans (itself, when it is a bare one); a problem when it has none."""
    rss = list(doc.resource_spans) + list(doc.batches)
    if doc.resource is not None or doc.scope_spans or doc.instrumentation_library_spans:
        rss.append(doc)
    if not rss and _empty(doc):
        batch.problems.append(Problem(source, where, "not OTLP trace data (no resourceSpans)"))
    return rss


def _fast_convert(doc: Any, source: str, where: str) -> Batch:
    batch = Batch()
    rss = _resource_spans(doc, batch, source, where)
    _FastConverter(source, where).convert(rss, 0, batch)
    return batch


class _FastConverter:
    """Moves fast-decoded spans into the model, sharing repeated strings across calls."""

    MAX_NAMES = 100_000  # past this many distinct names, sharing them costs more than it saves

    def __init__(self, source: str, where: str) -> None:
        self.source, self.where = source, where
        self.trace_ids: dict[str, str] = {}
        self.names: dict[str, str] = {}

    def convert(self, rss: list, r0: int, batch: Batch) -> None:
        """Append the spans of these resourceSpans (the first is number `r0`) to the batch."""
        first = len(batch.spans)
        out = batch.spans
        trace_ids = self.trace_ids
        names = self.names
        if len(names) > self.MAX_NAMES:
            names.clear()
        careful = False
        span_cls = Span
        n_trace_ids = len(trace_ids)
        for rs in rss:
            resource = _resource(rs.resource.attributes if rs.resource else [])
            for ss in (rs.scope_spans + rs.instrumentation_library_spans
                       if rs.instrumentation_library_spans else rs.scope_spans):
                sc = ss.scope or ss.instrumentation_library
                scope = Scope(sc.name, sc.version, key_values(sc.attributes)) if sc else NO_SCOPE
                spans = ss.spans
                for s in spans:
                    s.__class__ = span_cls  # same layout: the span becomes a plain `Span`
                    s.resource = resource
                    s.scope = scope
                    t = s.trace_id
                    s.trace_id = trace_ids.setdefault(t, t)
                    n = s.name
                    s.name = names.setdefault(n, n)
                    st = s.status
                    if st.__class__ is not int:
                        s.status = _enum(st.code, STATUS_BY_NAME)
                        s.status_message = st.message
                    if s.end_ns < s.start_ns:
                        careful = True
                    r = s.raw_attributes
                    if r is not None and len(r) < 3:  # "[]", "{}": nothing
                        s.raw_attributes = None
                    r = s.raw_events
                    if r is not None and len(r) < 3:
                        s.raw_events = None
                    r = s.raw_links
                    if r is not None and len(r) < 3:
                        s.raw_links = None
                out += spans
        added = out[first:] if first else out
        if not added:
            return
        span_ids = list(map(_SPAN_ID, added))
        parent_ids = list(map(_PARENT_ID, added))
        new_trace_ids = list(islice(reversed(trace_ids), len(trace_ids) - n_trace_ids))
        if careful or not _ids_ok(span_ids, parent_ids, new_trace_ids):
            trace_ids.clear()  # it may hold ids as written (upper case, base64): not to be shared
            del out[first:]
            out += _careful(rss, r0, batch, self.source, self.where)
            return
        # A parent id among these spans becomes the parent's own span id string: one string
        # fewer per span (80 bytes each). Only within one call: a dict of every span id loaded
        # so far cost 1 us per insert at 1M spans (cache misses), twice what it saved.
        known = dict(zip(span_ids, span_ids, strict=True))
        for s, p in zip(added, map(known.get, parent_ids, parent_ids), strict=True):
            s.parent_id = p


def _careful(rss: list, r0: int, batch: Batch, source: str, where: str) -> list[Span]:
    """Ids and times of already converted spans, span by span, as `_span` does."""
    out: list[Span] = []
    ids: dict[str, str] = {}
    for r_i, rs in enumerate(rss, start=r0):
        for ss_i, ss in enumerate(rs.scope_spans + rs.instrumentation_library_spans):
            for s_i, s in enumerate(ss.spans):
                tid = ids.get(s.trace_id)
                if tid is None:
                    tid = ids[s.trace_id] = normalize_id(s.trace_id)
                sid = normalize_id(s.span_id)
                if not tid or not sid:
                    missing = "traceId" if not tid else "spanId"
                    batch.problems.append(
                        Problem(source, _where(where, (r_i, ss_i, s_i)), f"span without {missing}: skipped", 1))
                    continue
                if s.end_ns < s.start_ns:
                    batch.problems.append(Problem(
                        source, _where(where, (r_i, ss_i, s_i)),
                        f"span {sid} ends before it starts: shown with zero duration", warning=True))
                    s.end_ns = s.start_ns
                s.trace_id = tid
                s.span_id = sid
                s.parent_id = normalize_id(s.parent_id) if s.parent_id else ""
                out.append(s)
    return out


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
    if not data or data.isspace():
        yield Batch(problems=[Problem(source, where, "empty input")])
        return
    if _compact_prefix(data[:64].lstrip()) is not None:
        yield from _read_lines(_Buffer(data), source, where)
        return
    # Not stripped: a copy of a 1 GB input would double the memory (msgspec skips whitespace).
    batch = _read_document(data, source, where)
    if batch is not None:
        yield batch
        return
    if not any(_is_json(line) for _, line in islice(_lines(data), 2)):
        # Not JSON Lines but one (pretty-printed) document that is broken, e.g. a cut-off
        # download: one problem, not one per line (and its complete spans, see `_salvage`).
        yield _fallback(data.strip(), source, where)
        return
    yield from read_otlp_jsonl(data, source, where=where)


# -- big inputs, read resourceSpans by resourceSpans as the bytes arrive -----------------------
#
# A single 1 GB request decoded at once holds every temporary of the decode until the end; its
# freed strings then stay as holes in the allocator's arenas (measured: 700 MB of Python objects
# for 1M spans, against 526 MB for the same spans read as JSON Lines). Decoding one resourceSpans
# at a time lets the next one reuse that memory, and the first spans reach the UI at once: a big
# file is read into a bytearray of its size step by step (`stream_file`), so the first trace
# rows paint before the file is read (reading 1 GB alone took 0.9-1.3 s here).
# A line (the whole input, or one of JSON Lines) that starts `{"resourceSpans":[` is split at
# `},{"resource":` (inside JSON strings a quote is always escaped, so this only matches between
# objects); a piece that does not decode (a split at the wrong depth, extra keys, damage) sends
# the rest of its line the ordinary way, as its own document.

CHUNK_BATCH_SPANS = 16_384  # spans per batch handed to the store (and the UI) while reading
STREAM_MIN_BYTES = 32 << 20  # smaller files are read whole: no gain in streaming them
READ_STEP = 8 << 20
WHOLE_LINE_BYTES = 8 << 20  # JSON Lines up to this long are decoded line by line
PIECE_BYTES = 1 << 20  # a piece of a long request read from a file: resourceSpans of ~1 MB
_SPLIT = b'},{"resource":'
_PREFIXES = ((b'{"resourceSpans":[', False), (b'{"resource_spans":[', True))


def _compact_prefix(head: bytes) -> tuple[bytes, bool] | None:
    for prefix, snake in _PREFIXES:
        if head.startswith(prefix):
            return prefix, snake
    return None


class _Buffer:
    """The input: whole in memory, or a file being read into a bytearray of its size."""

    def __init__(self, data: bytes | mmap.mmap, file: Any = None) -> None:
        self.data = data
        self.view = memoryview(data)
        self.file = file
        self.filled = 0 if file is not None else len(data)
        self.size = len(data)

    def more(self) -> bool:
        """Read the next step of the file; False at its end."""
        if self.file is None or self.filled >= self.size:
            return False
        got = self.file.readinto(self.view[self.filled:self.filled + READ_STEP])
        if not got:  # the file shrank while being read: what was read is the input
            self.size = self.filled
            return False
        self.filled += got
        return True

    def find(self, sub: bytes, start: int, end: int | None = None) -> int:
        """Like bytes.find, reading more of the file until found, `end` or the end of input."""
        searched = start
        while True:
            stop = self.filled if end is None else min(end, self.filled)
            i = self.data.find(sub, searched, stop)
            if i >= 0 or (end is not None and self.filled >= end) or not self.more():
                return i
            searched = max(start, stop - len(sub) + 1)


def stream_file(path: str, source: str) -> Iterator[Batch] | None:
    """Batches from a big, uncompressed OTLP JSON file (one request or JSON Lines of them,
    compact, as exporters write them) while it is being read; None for any other file (read it
    whole as usual)."""
    try:
        if os.path.getsize(path) < STREAM_MIN_BYTES:
            return None
        with open(path, "rb") as f:
            head = f.read(4096).lstrip()
    except OSError:
        return None
    if _compact_prefix(head) is None:
        return None
    return _stream_file(path, source)


def _stream_file(path: str, source: str) -> Iterator[Batch]:
    try:
        f = open(path, "rb", buffering=0)  # noqa: SIM115 (closed below, after the generator)
        size = os.fstat(f.fileno()).st_size
        # Anonymous memory the kernel zero-fills page by page as it is written: bytearray(size)
        # would write 1 GB of zeros first (0.6 s before the first span).
        buf = _Buffer(mmap.mmap(-1, size), f)
    except OSError as e:
        yield Batch(problems=[Problem(source, "", e.strerror or str(e))])
        return
    try:
        yield from _read_lines(buf, source)
    finally:
        f.close()


def _read_lines(buf: _Buffer, source: str, where: str = "") -> Iterator[Batch]:
    """Every line of the input: compact OTLP requests piece by piece, others whole."""
    outer = f"{where}: " if where else ""
    batch = Batch()
    held: list[Problem] = []  # line 1's problems: "line 1: …" only if more lines follow
    pos, lineno, lines, first_line = 0, 0, 0, 1
    while True:
        while buf.filled < min(pos + 64, buf.size) and buf.more():
            pass
        if pos >= buf.filled:
            break
        lineno += 1
        head = bytes(buf.data[pos:pos + 64]).lstrip(b" \t\r")
        found = _compact_prefix(head)
        if head[:1] == b"\n" or not head:
            pos += len(buf.data[pos:pos + 64]) - len(head) + 1  # a blank line
            continue
        lines += 1
        if lines == 2 and held:  # JSON Lines after all: say which line
            batch.problems.extend(_on_line(p, where, first_line) for p in held)
            held = []
        if lines == 1:
            first_line = lineno
        line_where = where if lines == 1 else f"{outer}line {lineno}"
        # A line of a few MB is decoded whole (as fast, and the same document); a longer one
        # that is a compact request, piece by piece as it arrives.
        nl = buf.find(b"\n", pos, pos + WHOLE_LINE_BYTES)
        if nl < 0 and found is not None:
            start = pos + (len(buf.data[pos:pos + 64]) - len(head)) + len(found[0])
            pieces = _read_request_pieces(buf, start, found, source, line_where, batch)
            while True:
                try:
                    next(pieces)  # the batch is full
                except StopIteration as done:
                    pos = done.value
                    break
                if lines == 1:
                    held += batch.problems
                    batch.problems = []
                yield Batch(batch.spans, batch.problems)
                batch.spans, batch.problems = [], []
        else:
            if nl < 0:
                nl = buf.find(b"\n", pos)
            end = nl if nl >= 0 else buf.filled
            line = buf.view[pos:end]
            with gc_paused():
                b = _read_document_utf8(line, source, f"{outer}line {lineno}")
                if b is None:
                    b = _fallback(line, source, f"{outer}line {lineno}")
            batch.spans.extend(b.spans)
            batch.problems.extend(b.problems)
            pos = end + 1
        if lines == 1:
            held += batch.problems
            batch.problems = []
        if len(batch.spans) >= CHUNK_BATCH_SPANS:
            yield batch
            batch = Batch()
    batch.problems.extend(held)
    if batch.spans or batch.problems:
        yield batch


def _read_document_utf8(doc: bytes | memoryview, source: str, where: str) -> Batch | None:
    """`_read_document`, with bytes that are not UTF-8 replaced (U+FFFD) and a warning, as
    `read_bytes` does for input read whole (a streamed file does not pass there)."""
    try:
        return _read_document(doc, source, where, single=False)
    except UnicodeDecodeError:
        raw = bytes(doc)
        try:
            raw.decode("utf-8")
            at = 0
        except UnicodeDecodeError as e:
            at = e.start
        got = _read_document(raw.decode("utf-8", "replace").encode("utf-8"), source, where, single=False) or Batch()
        got.problems.insert(0, Problem(source, f"{where}: byte {at:,}" if where else f"byte {at:,}",
                                       "invalid UTF-8 (here and maybe further on): shown as \ufffd", warning=True))
        return got


def _on_line(p: Problem, where: str, lineno: int) -> Problem:
    """A problem of the first line, read as if it were the whole input, numbered as a line."""
    loc = p.where[len(where):].removeprefix(": ") if where and p.where.startswith(where) else p.where
    line = f"{where}: line {lineno}" if where else f"line {lineno}"
    return replace(p, where=f"{line}: {loc}" if loc else line)


def _read_request_pieces(buf: _Buffer, start: int, found: tuple[bytes, bool], source: str, where: str,
                         batch: Batch) -> Iterator[None]:
    """The resourceSpans of one compact request line, a piece at a time, into `batch`; yields
    when it is full (the caller hands its contents out) and returns where the next line starts.

    In a file being read (writable memory) a piece holds the resourceSpans of about
    PIECE_BYTES: the commas around it become `[` and `]` while it is decoded as a list, so the
    split is searched for once per piece instead of once per resourceSpans (the search over
    1 GB cost 0.3-0.4 s). Input held as bytes is split at every resourceSpans.
    """
    prefix, snake = found
    one, many = _fast_rs_decoders(snake)
    data, view = buf.data, buf.view
    mutable = isinstance(data, mmap.mmap)
    conv = _FastConverter(source, where)
    r_i = 0
    while True:
        # No newline search per piece: a piece across a line end (JSON Lines of long lines)
        # cannot decode, and the failure below finds the line's end.
        q = buf.find(_SPLIT, start + PIECE_BYTES if mutable else start)
        if q >= 0:
            piece_end, line_end = q + 1, -1
        else:  # the line's last resourceSpans: up to its closing "]}"
            nl = buf.find(b"\n", start)
            line_end = nl if nl >= 0 else buf.filled
            e = line_end
            while e > start and data[e - 1] in b" \t\r":
                e -= 1
            piece_end = e - 2 if data[e - 3:e] == b"}]}" else -1
        failed = piece_end < 0
        if not failed:
            with gc_paused():
                try:
                    if mutable:
                        before, after = data[start - 1], data[piece_end]
                        data[start - 1], data[piece_end] = 0x5B, 0x5D  # "[", "]"
                        try:
                            got = many.decode(view[start - 1:piece_end + 1])
                        finally:
                            data[start - 1], data[piece_end] = before, after
                    else:
                        got = [one.decode(view[start:piece_end])]
                except msgspec.ValidationError:
                    if data.find(b"\n", start, piece_end) >= 0:
                        failed = True  # runs into the next line: the line end is found below
                    else:
                        # Valid JSON with values the fast types refuse: these the careful way.
                        got = []
                        _as_document(data, start, piece_end, r_i, prefix, source, where, batch)
                        r_i += bytes(data[start:piece_end]).count(_SPLIT)
                except (msgspec.DecodeError, UnicodeDecodeError):
                    failed = True  # (invalid UTF-8: the rest of the line is read with it replaced)
                else:
                    conv.convert(got, r_i, batch)
                    r_i += len(got) - 1
        if failed:
            # A split at the wrong depth, keys after the list, broken JSON: the rest of the
            # line as a document of its own (the prefix, then the line from this piece on).
            if line_end < 0:
                nl = buf.find(b"\n", start)
                line_end = nl if nl >= 0 else buf.filled
            _as_document(data, start, line_end, r_i, prefix, source, where, batch, whole_rest=True)
            return line_end + 1
        if line_end >= 0:
            return line_end + 1
        start, r_i = q + 2, r_i + 1
        if len(batch.spans) >= CHUNK_BATCH_SPANS:
            yield


def _fast_rs_decoders(snake: bool) -> tuple[msgspec.json.Decoder, msgspec.json.Decoder]:
    decs = _FAST_RS.get(snake)
    if decs is None:
        doc_type, _ = _fast_structs(snake)
        rs_type = doc_type.__annotations__["resource_spans"].__args__[0]
        decs = _FAST_RS[snake] = (msgspec.json.Decoder(rs_type, strict=False),
                                  msgspec.json.Decoder(list[rs_type], strict=False))
    return decs


_FAST_RS: dict[bool, tuple[msgspec.json.Decoder, msgspec.json.Decoder]] = {}


def _as_document(data: bytes | mmap.mmap, start: int, stop: int, r0: int, prefix: bytes, source: str,
                 where: str, batch: Batch, whole_rest: bool = False) -> None:
    """Read resourceSpans from number `r0` (bytes `start:stop`) as a document of their own:
    one piece (closed here), or the rest of a line (which brings its own closing)."""
    doc = prefix + bytes(data[start:stop]) + (b"" if whole_rest else b"]}")
    with gc_paused():
        got = _read_document_utf8(doc, source, "") or Batch()
    batch.spans.extend(got.spans)
    for p in got.problems:
        loc = p.where
        if loc.startswith("resourceSpans["):  # number them as in the whole input
            i, rest = loc[len("resourceSpans["):].split("]", 1)
            loc = f"resourceSpans[{r0 + int(i)}]{rest}"
        loc = f"{where}: {loc}" if where and loc else (where or loc)
        batch.problems.append(replace(p, where=loc))


_validate = msgspec.json.Decoder(msgspec.Raw)  # checks the JSON, builds no objects


def _is_json(line: bytes | memoryview) -> bool:
    try:
        _validate.decode(line)
    except msgspec.DecodeError:
        return False
    return True


def read_otlp_jsonl(data: bytes, source: str, lines_per_batch: int = 256, where: str = "") -> Iterator[Batch]:
    """JSON Lines: one document per line; a bad line is reported with its number and skipped
    (what is complete in a cut or damaged line is still read)."""
    out = Batch()
    count = 0
    prefix = f"{where}: " if where else ""
    for lineno, line in _lines(data):
        b = _read_document(line, source, f"{prefix}line {lineno}", single=False)
        if b is None:
            b = _fallback(line, source, f"{prefix}line {lineno}")
        out.spans.extend(b.spans)
        out.problems.extend(b.problems)
        count += 1
        # Small batches early: the first trace rows paint while the rest is still read.
        if count >= lines_per_batch or len(out.spans) >= CHUNK_BATCH_SPANS:
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


def _lines(data: bytes) -> Iterator[tuple[int, memoryview]]:
    """(line number, line) for the non-blank lines, as views: no copy of the input."""
    view = memoryview(data)
    n = len(data)
    start = 0
    lineno = 0
    while start < n:
        lineno += 1
        end = data.find(b"\n", start)
        if end < 0:
            end = n
        if end - start > 16 or (end > start and not data[start:end].isspace()):
            yield lineno, view[start:end]
        start = end + 1


def _read_document(doc: bytes | memoryview, source: str, where: str, single: bool = True) -> Batch | None:
    """Typed decode of one document. None when it is not one JSON document (try JSON Lines)."""
    with gc_paused():
        return _read_document_gc(doc, source, where, single)


def _read_document_gc(doc: bytes | memoryview, source: str, where: str, single: bool) -> Batch | None:
    head = bytes(doc[:4096]).lstrip()
    snake = _is_snake(head)
    # Decided by the first key: `{"trace":{"resourceSpans":…` has "resourceSpans" in its head too.
    wrapped = _WRAPPER.match(head) is not None
    # The fast path: decode straight into spans; anything unusual goes the typed path below.
    try:
        fast = _fast_decoder(snake, wrapped).decode(doc)
    except msgspec.ValidationError:
        pass  # enum names, {"low","high"} times, odd types: the typed path copes
    except msgspec.DecodeError as e:
        return _not_json(doc, head, source, where, single, e)
    else:
        found = _trace_data(fast, wrapped, head, doc, source, where)
        return found if isinstance(found, Batch) else _fast_convert(found, source, where)
    try:
        parsed = _decoder(snake, wrapped).decode(doc)
    except msgspec.ValidationError:
        return _fallback(doc, source, where)
    except msgspec.DecodeError as e:
        return _not_json(doc, head, source, where, single, e)
    found = _trace_data(parsed, wrapped, head, doc, source, where)
    return found if isinstance(found, Batch) else _convert_doc(found, source, where)


def _trace_data(parsed: Any, wrapped: bool, head: bytes, doc: bytes | memoryview, source: str,
                where: str) -> Any:
    """The decoded document's trace data (inside a Tempo/Jaeger wrapper), or the Batch to give
    instead: a problem, nothing (a logs or metrics line), or the tolerant path's reading."""
    if wrapped:
        parsed = parsed.trace or parsed.result or parsed.data
        if parsed is None:
            return Batch(problems=[Problem(source, where, "no OTLP trace data in this document")])
    elif _empty(parsed) and _is_other_signal(head):
        return Batch()  # a logs or metrics line among the traces: skipped quietly
    elif _empty(parsed) and parsed.resource is None and not parsed.scope_spans:
        return _fallback(doc, source, where)  # e.g. a wrapper whose key is not the first one
    return parsed


def _not_json(doc, head: bytes, source: str, where: str, single: bool, e: Exception) -> Batch | None:
    if single and _inner_newline(doc):
        return None  # maybe JSON Lines
    if _is_other_signal(head):
        return Batch()
    # Salvage counts bytes from the document's first character, as if it had been stripped.
    return _fallback(bytes(doc).strip(), source, where, str(e))


def _inner_newline(doc: bytes | memoryview) -> bool:
    """Whether a newline comes before the trailing whitespace (without copying the input)."""
    end = len(doc)
    while end and doc[end - 1] in b" \t\r\n":
        end -= 1
    return bytes(doc[:end]).find(b"\n") >= 0 if isinstance(doc, memoryview) else doc.find(b"\n", 0, end) >= 0


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
    rss = _resource_spans(doc, batch, source, where)
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
