"""Loaders turn bytes into spans: no I/O, no Textual, no printing. One module per format."""

from __future__ import annotations

from collections.abc import Iterator

from tracetui.loaders import jaeger_json, otlp_json
from tracetui.loaders.detect import JAEGER_JSON, OTLP_JSON, detect_format
from tracetui.loaders.problems import Batch, Problem

__all__ = ["Batch", "Problem", "detect_format", "read_bytes"]


def read_bytes(data: bytes, source: str) -> Iterator[Batch]:
    """Read a dump of any supported format (already decompressed) into batches of spans."""
    fmt = detect_format(data)
    if fmt == OTLP_JSON:
        yield from otlp_json.read_otlp_json(data, source)
        return
    if fmt == JAEGER_JSON:
        yield from jaeger_json.read_jaeger_json(data, source)
        return
    # Unknown: let the OTLP reader try (it reports clearly what it found instead).
    yield from otlp_json.read_otlp_json(data, source)
