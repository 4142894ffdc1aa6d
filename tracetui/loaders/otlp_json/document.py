"""One OTLP JSON document: the fast path first, the typed path for what it refuses, the tolerant
path for what fits neither (and for text that is not JSON)."""

import re
from typing import Any

import msgspec

from tracetui.loaders.other_signals import set_aside, signal_in
from tracetui.loaders.otlp_json.fast import BatchIds, fast_convert
from tracetui.loaders.otlp_json.tolerant import NO_RESOURCE_SPANS, TOO_DEEP_ERROR, fallback, salvage_document
from tracetui.loaders.otlp_json.typed import convert_doc, no_resource_spans
from tracetui.loaders.otlp_json.wire import decoder, fast_decoder
from tracetui.loaders.otlp_logs import read_logs_json
from tracetui.loaders.problems import Batch, Problem
from tracetui.model.gcpause import gc_paused


def looks_like_otlp(head: bytes) -> bool:
    return any(
        k in head
        for k in (
            b'"resourceSpans"', b'"resource_spans"', b'"scopeSpans"', b'"scope_spans"',
            b'"instrumentationLibrarySpans"', b'"batches"',
        )
    )


def is_other_signal(head: bytes) -> bool:
    return signal_in(head) is not None and not looks_like_otlp(head)


_CAMEL_KEYS = (b'"resourceSpans"', b'"scopeSpans"', b'"instrumentationLibrarySpans"', b'"traceId"')
_SNAKE_KEYS = (b'"resource_spans"', b'"scope_spans"', b'"instrumentation_library_spans"', b'"trace_id"')


def is_snake(head: bytes) -> bool:
    """The key style, from whichever structural key comes first: a span attribute named
    "trace_id" further on must not turn a camelCase document into an empty snake_case one."""
    if head.startswith(b'{"resourceSpans":'):  # as exporters write it (every line of a big dump): no search
        return False

    def first(keys: tuple[bytes, ...]) -> int:
        return min((i for i in (head.find(k) for k in keys) if i >= 0), default=-1)

    snake, camel = first(_SNAKE_KEYS), first(_CAMEL_KEYS)
    return snake >= 0 and (camel < 0 or snake < camel)


_INVALID_UTF8 = "Invalid UTF-8"  # msgspec's DecodeError for bytes that are not UTF-8
WRAPPER = re.compile(rb'\{\s*"(?:trace|result|data)"\s*:')
_EMPTY_OBJECT = re.compile(rb"\{\s*\}\s*")
WRAPPER_KEY = re.compile(rb'"(?:trace|result|data)"\s*:')
_LOGS_FIRST = re.compile(rb'\{\s*"resource_?[lL]ogs"\s*:')  # a logs request, as exporters write one


def read_document(doc: bytes | memoryview, source: str, where: str, single: bool = True,
                  ids: BatchIds | None = None) -> Batch | None:
    """Typed decode of one document. None when it is not one JSON document (try JSON Lines).
    `ids`: the span ids of the batch it goes into (see `fast.BatchIds`)."""
    with gc_paused():
        return _read_document_gc(doc, source, where, single, ids)


def _read_document_gc(doc: bytes | memoryview, source: str, where: str, single: bool,
                      ids: BatchIds | None = None) -> Batch | None:
    head = bytes(doc[:4096]).lstrip()
    if len(head) < 64 and _EMPTY_OBJECT.fullmatch(head):
        # `{}`, as `yes '{}'` writes forever: the answer without a decode or a key search.
        return Batch(problems=[Problem(source, where, NO_RESOURCE_SPANS)])
    if _LOGS_FIRST.match(head):
        return read_logs_json(doc, source, where, single)  # (a spans document never pays for this test)
    snake = is_snake(head)
    # Decided by the first key: `{"trace":{"resourceSpans":…` has "resourceSpans" in its head too.
    wrapped = WRAPPER.match(head) is not None
    # The fast path: decode straight into spans; anything unusual goes the typed path below.
    try:
        fast = fast_decoder(snake, wrapped).decode(doc)
    except RecursionError:  # e.g. an attribute hundreds of levels deep: only its span is lost
        return salvage_document(doc, source, where, TOO_DEEP_ERROR)
    except msgspec.ValidationError:
        pass  # enum names, {"low","high"} times, odd types: the typed path copes
    except msgspec.DecodeError as e:
        return _not_json(doc, head, source, where, single, e)
    else:
        found = _trace_data(fast, wrapped, head, doc, source, where)
        return found if isinstance(found, Batch) else fast_convert(found, source, where, ids)
    try:
        parsed = decoder(snake, wrapped).decode(doc)
    except RecursionError:
        return salvage_document(doc, source, where, TOO_DEEP_ERROR)
    except msgspec.ValidationError:
        return fallback(doc, source, where)
    except msgspec.DecodeError as e:
        return _not_json(doc, head, source, where, single, e)
    found = _trace_data(parsed, wrapped, head, doc, source, where)
    return found if isinstance(found, Batch) else convert_doc(found, source, where)


def _trace_data(parsed: Any, wrapped: bool, head: bytes, doc: bytes | memoryview, source: str,
                where: str) -> Any:
    """The decoded document's trace data (inside a Tempo/Jaeger wrapper), or the Batch to give
    instead: a problem, nothing (a logs or metrics line), or the tolerant path's reading."""
    if wrapped:
        parsed = parsed.trace or parsed.result or parsed.data
        if parsed is None:
            return Batch(problems=[Problem(source, where, "no OTLP trace data in this document")])
    elif no_resource_spans(parsed) and is_other_signal(head):
        signal = signal_in(head)
        if signal == "log":
            return read_logs_json(doc, source, where)
        return set_aside(source, where, signal or "metric")  # a metrics line: counted
    elif no_resource_spans(parsed) and parsed.resource is None and not parsed.scope_spans:
        if len(doc) <= len(head) and not looks_like_otlp(head) and not WRAPPER_KEY.search(head):
            # A whole small object without any trace key (`{}`, a stray record): what the
            # tolerant path would say, without decoding it again (a stream of them stays cheap).
            return Batch(problems=[Problem(source, where, NO_RESOURCE_SPANS)])
        return fallback(doc, source, where)  # e.g. a wrapper whose key is not the first one
    return parsed


def _not_json(doc, head: bytes, source: str, where: str, single: bool, e: Exception) -> Batch | None:
    if _INVALID_UTF8 in str(e):
        # msgspec >= 0.19 says so with a DecodeError, older versions raise UnicodeDecodeError:
        # one answer for both, which the caller that can replace the bytes catches
        # (`streaming.read_document_utf8`; `read_bytes` replaces them before any reader).
        raise UnicodeDecodeError("utf-8", b"", 0, 1, str(e))
    if single and _inner_newline(doc):
        return None  # maybe JSON Lines
    if is_other_signal(head):
        signal = signal_in(head)
        if signal == "log":
            return read_logs_json(doc, source, where)  # (says what is wrong with it)
        return set_aside(source, where, signal or "metric")
    # Salvage counts bytes from the document's first character, as if it had been stripped.
    return fallback(bytes(doc).strip(), source, where, str(e))


def _inner_newline(doc: bytes | memoryview) -> bool:
    """Whether a newline comes before the trailing whitespace (without copying the input)."""
    end = len(doc)
    while end and doc[end - 1] in b" \t\r\n":
        end -= 1
    return bytes(doc[:end]).find(b"\n") >= 0 if isinstance(doc, memoryview) else doc.find(b"\n", 0, end) >= 0


def read_pieces(pieces: list[tuple[int, bytes]], source: str, where: str) -> Batch:
    """Several documents back to back (`cat a.json b.json`): each read on its own."""
    out = Batch()
    for off, piece in pieces:
        b = read_document(piece, source, f"{where}: byte {off:,}" if where else f"byte {off:,}",
                           single=False) or Batch()
        out.spans.extend(b.spans)
        out.problems.extend(b.problems)
        out.logs.extend(b.logs)
    return out
