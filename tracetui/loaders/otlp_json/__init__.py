"""OTLP JSON: one `ExportTraceServiceRequest`/`TracesData`, or one per line (JSON Lines).

Fast path (fast.py): msgspec decodes straight into the model's `Span`s, leaving attributes,
events and links undecoded (`msgspec.Raw`); big inputs are read a piece of `resourceSpans` at a
time (streaming.py), big files while a source is still reading them (`read_growing`). A document
the fast types refuse goes through typed wire structs (wire.py, typed.py), and one that does not
fit those either is decoded into plain objects and read span by span (tolerant.py), so one bad
span costs only itself.
Tolerates what real producers write (see docs/formats.md): hex or base64 ids, int64 as strings,
the OTel-JS `{"low","high"}` int64, enum names, snake_case keys, `instrumentationLibrarySpans`,
and the Tempo/Jaeger wrappers `{"batches"}`, `{"trace"}`, `{"result"}`, `{"data"}`.
"""

from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from tracetui.loaders.other_signals import count_set_aside
from tracetui.loaders.otlp_json.document import looks_like_otlp, read_document
from tracetui.loaders.otlp_json.streaming import (
    GrowingBuffer,
    compact_prefix,
    is_json,
    lines_of,
    read_lines,
    read_otlp_jsonl,
)
from tracetui.loaders.otlp_json.tolerant import fallback
from tracetui.loaders.problems import Batch, Problem

__all__ = ["compact_prefix", "looks_like_otlp", "read_growing", "read_otlp_json", "read_otlp_jsonl"]


def read_otlp_json(data: bytes, source: str, where: str = "", count_set_aside_here: bool = True) -> Iterator[Batch]:
    """Read a whole OTLP JSON document, or JSON Lines of them; yield a batch per document.

    Logs and metrics requests among them are counted in one warning at the end; `read_bytes`
    counts them itself, over all the records of a file (`count_set_aside_here=False`)."""
    if count_set_aside_here:
        yield from count_set_aside(read_otlp_json(data, source, where, False), source, where)
        return
    if not data or data.isspace():
        yield Batch(problems=[Problem(source, where, "empty input")])
        return
    if compact_prefix(data[:64].lstrip()) is not None:
        yield from read_lines(GrowingBuffer(data), source, where)
        return
    # Not stripped: a copy of a 1 GB input would double the memory (msgspec skips whitespace).
    batch = read_document(data, source, where)
    if batch is not None:
        yield batch
        return
    if not any(is_json(line) for _, line in islice(lines_of(data), 2)):
        # Not JSON Lines but one (pretty-printed) document that is broken, e.g. a cut-off
        # download: one problem, not one per line (and its complete spans, see `salvage_document`).
        yield fallback(data.strip(), source, where)
        return
    yield from read_otlp_jsonl(data, source, where=where)


def read_growing(memory: Any, fill: Callable[[memoryview], int], source: str) -> Iterator[Batch]:
    """Batches from a compact OTLP JSON input (one request or JSON Lines of them, as exporters
    write them) while it arrives: `memory` is writable memory of the input's size, and
    `fill(view)` copies the next bytes into `view`, returning how many (0 at the end)."""
    yield from count_set_aside(read_lines(GrowingBuffer(memory, fill), source), source)
