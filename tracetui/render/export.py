"""Writing traces out: OTLP JSON (the Collector's file exporter), Jaeger JSON (what Jaeger UI's
upload reads), Zipkin v2 JSON. What each format cannot carry is listed in each writer's module
and in the README; `tracetui export` and the explorer's export dialog both write through here.

Text is written exactly as read (a JSON reader gets the same strings back); characters a
terminal could act on are `\\uXXXX` escapes (`json_bytes`), so `-o -` on a terminal is safe too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from tracetui.model.trace import Trace

FORMATS = ("otlp", "jaeger", "zipkin")


def write_traces(traces: Iterable[Trace], fmt: str, out: IO[bytes]) -> int:
    """Write `traces` to `out` in format `fmt`; return the number of spans written."""
    if fmt == "otlp":
        from tracetui.render.export_otlp import write_otlp

        return write_otlp(traces, out)
    if fmt == "jaeger":
        from tracetui.render.export_jaeger import write_jaeger

        return write_jaeger(traces, out)
    if fmt == "zipkin":
        from tracetui.render.export_zipkin import write_zipkin

        return write_zipkin(traces, out)
    raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")


def ordered_spans(trace: Trace) -> list:
    """A trace's spans in tree order (parents first), as readers expect them, with their times
    as read: an export is the data, not the explorer's clock-skew adjustment of it."""
    original = trace.original
    return [original(i) for i in trace.order]
