"""Loaders turn bytes into spans: no I/O, no Textual, no printing. One module per format.

`read_bytes` is the entry point: it undoes compression, decides the format from the content
(`detect.detect_format`) and hands the bytes to that format's reader. It never raises: what
cannot be read comes back as `Problem`s next to everything that could.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tracetui.loaders.sizes import DEFAULT_LIMIT

if TYPE_CHECKING:
    from tracetui.loaders.problems import Batch, Problem

__all__ = ["Batch", "Problem", "detect_format", "input_skipped", "problems_summary", "read_bytes"]

INTERNAL_ERROR = "internal error while reading"

# Re-exported names, imported on first use (PEP 562): importing a small module of this package
# (`loaders.sizes` for the command line's options) must not import every format's reader, and a
# format's reader is imported only when its format is met (`_read_text`).
_LAZY = {"Batch": "problems", "Problem": "problems", "input_skipped": "problems", "problems_summary": "problems",
         "detect_format": "detect"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def read_bytes(data: bytes, source: str, where: str = "", limit: int = DEFAULT_LIMIT) -> Iterator[Batch]:
    """Read a dump of any supported format, compressed or not, into batches of spans.

    `source` names the input in problems (a path, "<stdin>"); `where` locates a part of it
    (a record); `limit` caps the bytes decompression may produce (a bomb is cut there).
    """
    from tracetui.loaders.other_signals import count_set_aside
    from tracetui.loaders.problems import Batch, Problem

    try:
        yield from count_set_aside(_read(data, source, where, limit, 0), source, where)
    except RecursionError:  # msgspec's answer to thousands of nested brackets
        yield Batch(problems=[Problem(source, where, "nested too deeply to be trace data (thousands of brackets): "
                                      "the rest was skipped")])
    except Exception as e:  # a safety net: a bug here must not cost the user the other files
        yield Batch(problems=[Problem(source, where, f"{INTERNAL_ERROR} ({type(e).__name__}: {e}); "
                                      "please report it with the file")])


def _read(data: bytes, source: str, where: str, limit: int, depth: int) -> Iterator[Batch]:
    from tracetui.loaders.problems import Batch
    from tracetui.loaders.text_encoding import to_utf8

    data, offsets, problems = to_utf8(data, source, where)
    if problems:
        yield Batch(problems=problems)
    if offsets is not None:  # problems name offsets in the file, not in the UTF-8 made of it
        yield from offsets.batches(_read_text(data, source, where, limit, depth))
    else:
        yield from _read_text(data, source, where, limit, depth)


def _read_text(data: bytes, source: str, where: str, limit: int, depth: int) -> Iterator[Batch]:
    from tracetui.loaders.detect import (
        COMPRESSED,
        CONSOLE_JSON,
        JAEGER_JSON,
        OTLP_JSON,
        OTLP_LOGS_PROTO,
        OTLP_PROTO,
        RECORDS,
        ZIPKIN_JSON,
        detect_format,
    )
    from tracetui.loaders.problems import Batch, Problem

    fmt = detect_format(data)
    if fmt == COMPRESSED:
        if depth >= 3:
            yield Batch(problems=[Problem(source, where, "compressed data nested too deep: skipped")])
            return
        from tracetui.loaders.compression import decompress

        data, problems = decompress(data, source, where, limit)
        if problems:
            yield Batch(problems=problems)
        if data:
            yield from _read(data, source, where, limit, depth + 1)
        return
    if fmt in (OTLP_JSON, JAEGER_JSON, ZIPKIN_JSON, CONSOLE_JSON) and not data.isascii():
        data, problem = _valid_utf8(data, source, where)
        if problem is not None:
            yield Batch(problems=[problem])
    if fmt == RECORDS:
        from tracetui.loaders import records

        yield from records.read_records(data, source, lambda d, s, where, limit: _read(d, s, where, limit, depth + 1),
                                        limit)
    elif fmt == OTLP_PROTO:
        from tracetui.loaders import otlp_proto  # protobuf: ~25 ms of import, only for .pb input

        yield from otlp_proto.read_otlp_proto(data, source, where)
    elif fmt == OTLP_LOGS_PROTO:
        from tracetui.loaders.otlp_logs import read_logs_proto

        yield from read_logs_proto(data, source, where)
    elif fmt == OTLP_JSON:
        from tracetui.loaders import otlp_json

        yield from otlp_json.read_otlp_json(data, source, where, count_set_aside_here=False)
    elif fmt == JAEGER_JSON:
        from tracetui.loaders import jaeger_json

        yield from jaeger_json.read_jaeger_json(data, source)
    elif fmt == ZIPKIN_JSON:
        from tracetui.loaders import zipkin_json

        yield from zipkin_json.read_zipkin_json(data, source)
    elif fmt == CONSOLE_JSON:
        from tracetui.loaders import console_json

        yield from console_json.read_console_json(data, source)
    else:
        yield Batch(problems=[Problem(source, where, _unknown(data))])


def _valid_utf8(data: bytes, source: str, where: str) -> tuple[bytes, Problem | None]:
    """JSON text must be UTF-8; bytes that are not are replaced (U+FFFD) rather than losing the file."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        loc = f"{where}: byte {e.start:,}" if where else f"byte {e.start:,}"
        from tracetui.loaders.problems import Problem

        return data.decode("utf-8", "replace").encode("utf-8"), Problem(
            source, loc, "invalid UTF-8 (here and maybe further on): shown as \ufffd", warning=True)
    return data, None


def _unknown(data: bytes) -> str:
    from tracetui.loaders.compression import ZSTD_MAGIC
    from tracetui.loaders.detect import json_text

    if not data.strip():
        return "empty input: no spans"
    text = json_text(data)
    if text is not None:
        if text[:1] == b"[" and text[1:].lstrip()[:1] == b"]":
            return "an empty JSON list: no spans"
        answer = _error_answer(text)
        if answer:
            return f"the backend answered with an error, not a trace: {answer}"
        return ("JSON, but not a trace dump this reader knows "
                "(OTLP JSON, Jaeger JSON, Zipkin v2 JSON, Python's ConsoleSpanExporter): " + _keys(text))
    if data[:1] == b"\x0a":
        return "not a trace dump: binary data that does not parse as an OTLP protobuf request with spans"
    if len(data) > 8 and data[:1] == b"\0" and (data[4:8] == ZSTD_MAGIC or data[4:5] in (b"\x0a", b"{")):
        n = int.from_bytes(data[:4], "big")
        return (f"looks like the Collector file exporter's records, but the file ends inside the first one "
                f"({n:,} bytes announced, {len(data) - 4:,} there): nothing could be read")
    try:
        text = data[:200].decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and text.replace("\n", " ").replace("\r", " ").replace("\t", " ").isprintable():
        first = " ".join(text.split())[:80]
        return f"not a trace dump: text starting {first!r}; expected JSON, OTLP protobuf, gzip or zstd"
    return f"not a trace dump (starts with bytes {data[:8].hex(' ')}): expected JSON, OTLP protobuf, gzip or zstd"


def _error_answer(text: bytes) -> str:
    """The message of an API error body: Jaeger API v3 `{"error": {"httpCode", "message"}}`,
    or `{"error": "..."}` / `{"message": "..."}` as other backends write them."""
    if len(text) > 65536:
        return ""
    try:
        import msgspec

        obj = msgspec.json.decode(text)
    except Exception:
        return ""
    if not isinstance(obj, dict):
        return ""
    err = obj.get("error")
    if isinstance(err, dict) and (err.get("message") or err.get("httpCode")):
        code = f" (HTTP {err['httpCode']})" if err.get("httpCode") else ""
        return f"{err.get('message', '')}{code}"
    if isinstance(err, str) and err:
        return err
    if set(obj) <= {"message", "status", "code", "statusCode", "details"} and isinstance(obj.get("message"), str):
        return obj["message"]
    return ""


def _keys(text: bytes) -> str:
    import re

    keys = []
    for m in re.finditer(rb'"([^"\\\x00-\x1f]{1,40})"\s*:', text[:4096]):
        k = m.group(1).decode("utf-8", "replace")
        if k not in keys:
            keys.append(k)
        if len(keys) == 6:
            break
    return "first keys " + ", ".join(keys) if keys else "no object keys near the start"
