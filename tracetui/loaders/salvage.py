"""Recover the complete parts of a JSON document that is cut short or damaged.

Used only when a document fails to decode (the fast path never pays for it). It walks the
document's outer structure by hand — objects and arrays under the keys that lead to spans
(`resourceSpans` → `scopeSpans` → `spans`, the wrappers, Jaeger's `data`, a list of Zipkin
spans) — and decodes everything else (each span, resource, scope) whole with the C scanner of
Python's `json`. It stops at the first element that does not decode, and returns a pruned copy
of the document holding every element that was complete before that point, plus where it stopped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")
_scan = json.JSONDecoder().scan_once  # (text, index) -> (value, end); StopIteration / JSONDecodeError

# Keys whose values are walked into (not decoded whole): the way down to the spans.
OTLP_PATH = frozenset({
    "resourceSpans", "resource_spans", "batches", "scopeSpans", "scope_spans",
    "instrumentationLibrarySpans", "instrumentation_library_spans", "spans",
    "trace", "result", "data",
})
# Arrays under these keys hold leaves: decoded whole, kept only when complete.
LEAF_ARRAYS = frozenset({"spans"})
_MAX_DEPTH = 12


# What stands in for a leaf nested too deeply to decode (thousands of brackets, or a few hundred
# levels of OTLP `kvlistValue`): it survives a JSON round trip, and the reader reports it.
TOO_DEEP: dict[str, str] = {"\u0000tracetui": "nested too deeply"}


@dataclass
class Salvage:
    value: Any  # the pruned document (None when nothing at all was readable)
    stop_byte: int  # byte offset where reading stopped
    truncated: bool  # True when the text simply ends there (a cut file), False when it is damaged
    complete: bool = False  # the whole document was walked: nothing is missing but TOO_DEEP leaves


class _Stop(Exception):
    pass


def salvage(doc: bytes, path: frozenset[str] = OTLP_PATH, leaf_arrays: frozenset[str] = LEAF_ARRAYS,
            top_leaves: bool = False) -> Salvage:
    """Walk `doc` and keep what is complete. `top_leaves`: a top-level array's elements are
    leaves (a list of Zipkin spans, a list of Jaeger traces)."""
    text = doc.decode("utf-8", "surrogateescape")
    w = _Walker(text, path, leaf_arrays)
    value: Any = None
    complete = False
    try:
        w.skip_ws()
        if w.peek() == "[":
            value = []
            w.array(value, "", 0, leaves=top_leaves)
        elif w.peek() == "{":
            value = {}
            w.object(value, 0)
        else:
            raise _Stop
    except _Stop:
        pass
    else:
        w.skip_ws()
        w.fail = w.pos  # trailing data after a complete document
        complete = w.pos >= len(text)
    stop = w.fail if w.fail is not None else w.pos
    truncated = not text[stop:].strip() or _only_cut_value(text, stop)
    return Salvage(value, len(text[:stop].encode("utf-8", "surrogateescape")), truncated, complete)


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def skip_value(text: str, pos: int) -> int | None:
    """The end of the array or object at `pos`, found without recursion (its depth is only
    counted); None when it does not close."""
    depth = 0
    for m in _TOKEN.finditer(text, pos):
        c = m.group()
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return m.end()
    return None


def _only_cut_value(text: str, start: int) -> bool:
    """Whether the text from `start` is a value that is merely cut short (decodes nowhere
    because it ends), rather than one that is malformed."""
    try:
        _scan(text, start)
    except json.JSONDecodeError as e:
        return e.pos >= len(text.rstrip()) - 1 or "Unterminated" in e.msg
    except StopIteration as e:  # the scanner's way of saying "no value at e.value"
        at = e.value if isinstance(e.value, int) else start
        return at >= len(text.rstrip()) - 1
    return False


class _Walker:
    def __init__(self, text: str, path: frozenset[str], leaf_arrays: frozenset[str]) -> None:
        self.t = text
        self.pos = 0
        self.path = path
        self.leaf_arrays = leaf_arrays
        self.fail: int | None = None

    def peek(self) -> str:
        return self.t[self.pos:self.pos + 1]

    def skip_ws(self) -> None:
        self.pos = _WS.match(self.t, self.pos).end()

    def stop(self) -> None:
        if self.fail is None:
            self.fail = self.pos
        raise _Stop

    def leaf(self) -> Any:
        try:
            value, end = _scan(self.t, self.pos)
        except RecursionError:
            # Too deep to decode, but maybe well-formed: skip it (its reader reports TOO_DEEP).
            end = skip_value(self.t, self.pos) if self.peek() in ("[", "{") else None
            if end is None:
                self.stop()
            self.pos = end
            return dict(TOO_DEEP)
        except (StopIteration, json.JSONDecodeError):
            self.stop()
        self.pos = end
        return value

    def object(self, out: dict, depth: int) -> None:
        if depth > _MAX_DEPTH:
            self.stop()
        self.pos += 1  # "{"
        self.skip_ws()
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            self.skip_ws()
            if self.peek() != '"':
                self.stop()
            key = self.leaf()
            self.skip_ws()
            if self.peek() != ":":
                self.stop()
            self.pos += 1
            self.skip_ws()
            c = self.peek()
            if key in self.path and c == "{":
                child: dict = {}
                out[key] = child
                self.object(child, depth + 1)
            elif key in self.path and c == "[":
                items: list = []
                out[key] = items
                self.array(items, key, depth + 1, leaves=key in self.leaf_arrays)
            else:
                out[key] = self.leaf()
            self.skip_ws()
            c = self.peek()
            self.pos += 1
            if c == "}":
                return
            if c != ",":
                self.pos -= 1
                self.stop()

    def array(self, out: list, key: str, depth: int, leaves: bool) -> None:
        if depth > _MAX_DEPTH:
            self.stop()
        self.pos += 1  # "["
        self.skip_ws()
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            self.skip_ws()
            if not leaves and self.peek() == "{":
                child: dict = {}
                self.object_item(out, child, depth + 1)
            else:
                out.append(self.leaf())
            self.skip_ws()
            c = self.peek()
            self.pos += 1
            if c == "]":
                return
            if c != ",":
                self.pos -= 1
                self.stop()

    def object_item(self, out: list, child: dict, depth: int) -> None:
        # A container element is kept even when cut: its complete parts are what we came for.
        out.append(child)
        self.object(child, depth)


def documents(doc: bytes) -> list[tuple[int, bytes]]:
    """(byte offset, bytes) of each JSON value written back to back in `doc` (`cat a.json b.json`).

    Called only after a decode failed with trailing characters. What does not decode is returned
    as the last piece, for the caller to salvage and report.
    """
    text = doc.decode("utf-8", "surrogateescape")
    out: list[tuple[int, bytes]] = []
    pos, byte, n = 0, 0, len(text)
    dec = json.JSONDecoder()
    while True:
        start = _WS.match(text, pos).end()
        byte += len(text[pos:start].encode("utf-8", "surrogateescape"))
        pos = start
        if pos >= n:
            return out
        try:
            _, end = dec.raw_decode(text, pos)
        except RecursionError:  # nested too deeply to decode: its end is found by counting
            end = skip_value(text, pos)
            if end is None:
                out.append((byte, text[pos:].encode("utf-8", "surrogateescape")))
                return out
        except json.JSONDecodeError:
            out.append((byte, text[pos:].encode("utf-8", "surrogateescape")))
            return out
        piece = text[pos:end].encode("utf-8", "surrogateescape")
        out.append((byte, piece))
        byte += len(piece)
        pos = end


def is_trailing_error(error: Exception | str) -> bool:
    """Whether a msgspec decode error says one document ended and more text follows."""
    return "trailing characters" in str(error)


_SPANS_KEY = re.compile(rb'"spans"\s*:\s*\[')
_OTLP_CLOSINGS = [b"]" + b"}]" * m + b"}" * w for m in (2, 1) for w in (1, 2, 3)]


def cut_otlp(doc: bytes, decodes) -> tuple[bytes, int] | None:
    """A fast salvage for the common case, an OTLP JSON document simply cut short: keep the text
    up to the last complete span of the last `spans` array and close the brackets.

    Only that last array is scanned (with the C scanner); the closing brackets are found by trying
    the few that OTLP's shape allows (`decodes(candidate)` says whether a candidate decodes).
    Returns (the repaired document, the byte offset of the cut) or None (use `salvage`).
    """
    k = doc.rfind(b'"spans"')
    if k < 0:
        return None
    m = _SPANS_KEY.match(doc, k)
    if m is None:
        return None
    start = m.end()  # just after "["
    tail = doc[start:].decode("utf-8", "surrogateescape")
    pos, last_end = 0, 0
    while True:
        pos = _WS.match(tail, pos).end()
        if tail[pos:pos + 1] != "{":
            break
        try:
            _, end = _scan(tail, pos)
        except (StopIteration, json.JSONDecodeError, RecursionError):
            break
        last_end = end
        pos = _WS.match(tail, end).end()
        if tail[pos:pos + 1] != ",":
            break
        pos += 1
    cut = start + len(tail[:last_end].encode("utf-8", "surrogateescape"))
    head = doc[:cut]
    for closing in _OTLP_CLOSINGS:
        candidate = head + closing
        if decodes(candidate):
            return candidate, cut
    return None
