"""Decide a dump's format from its first bytes, never from its file name.

`detect_format` is the one place that decides. Binary first (compression magic, the Collector
file exporter's length-prefixed records, OTLP protobuf), then JSON by the keys near the start.
"""

from __future__ import annotations

from tracetui.loaders.compression import GZIP_MAGIC, ZSTD_MAGIC

COMPRESSED = "compressed"  # gzip or zstd: undo, then detect again
RECORDS = "records"  # 4-byte big-endian length + (zstd'd) OTLP proto or JSON, repeated
OTLP_PROTO = "otlp-proto"
OTLP_LOGS_PROTO = "otlp-logs-proto"  # an ExportLogsServiceRequest
OTLP_JSON = "otlp-json"
JAEGER_JSON = "jaeger-json"
ZIPKIN_JSON = "zipkin-json"
CONSOLE_JSON = "console-json"  # Python ConsoleSpanExporter
UNKNOWN = "unknown"

_HEAD = 65536
_WS = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"

_OTLP_KEYS = (
    b'"resourceSpans"', b'"resource_spans"', b'"scopeSpans"', b'"scope_spans"',
    b'"instrumentationLibrarySpans"', b'"instrumentation_library_spans"', b'"batches"',
)
_OTHER_SIGNALS = (b'"resourceLogs"', b'"resourceMetrics"', b'"resource_logs"', b'"resource_metrics"',
                  b'"resourceProfiles"')


def detect_format(data: bytes) -> str:
    """The format of `data` (one of the constants above), from its first bytes."""
    if data[:2] == GZIP_MAGIC or data[:4] == ZSTD_MAGIC:
        return COMPRESSED
    text = json_text(data)
    if text is not None:
        return _json_format(text[:_HEAD])
    # A request starts with 0x0a; a record file would only if its first record were > 160 MiB.
    if looks_like_otlp_proto(data):
        return OTLP_PROTO
    if looks_like_otlp_logs_proto(data):
        return OTLP_LOGS_PROTO
    if looks_like_records(data):
        return RECORDS
    return UNKNOWN


def json_text(data: bytes) -> bytes | None:
    """`data` without a BOM and leading white space, if it looks like JSON text; else None."""
    if data[:3] == _BOM:
        data = data[3:]
    stripped = data.lstrip(_WS)
    if stripped[:1] not in (b"{", b"["):
        return None
    if data[:1] == b"\n" and not _texty(data[:1024]):
        return None  # protobuf also starts with 0x0a; its binary ids give it away
    return stripped


def _texty(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # a multi-byte character cut by the 1024-byte slice is fine
            return False
        text = head[: e.start].decode("utf-8")
    return all(c >= " " or c in "\t\r\n" for c in text)


def _json_format(head: bytes) -> str:
    if any(k in head for k in _OTLP_KEYS):
        return OTLP_JSON
    if any(k in head for k in _OTHER_SIGNALS):
        return OTLP_JSON  # logs/metrics lines of a Collector dump: the OTLP reader skips them quietly
    if b'"traceID"' in head and (b'"spanID"' in head or b'"spans"' in head or b'"processes"' in head):
        return JAEGER_JSON
    if b'"context"' in head and b'"span_id"' in head and b'"0x' in head:
        return CONSOLE_JSON
    if head[:1] == b"[" and b'"traceId"' in head and b'"id"' in head:
        return ZIPKIN_JSON
    if b'"data"' in head and (b'"errors"' in head or b'"data":null' in head.replace(b" ", b"")):
        return JAEGER_JSON  # the query API's answer when it found nothing
    return UNKNOWN


def looks_like_records(data: bytes) -> bool:
    """The Collector file exporter's framing: records of a 4-byte big-endian length and a payload
    that is zstd, OTLP protobuf (field 1, length-delimited: 0x0a) or JSON."""
    if len(data) < 5:
        return False
    n = int.from_bytes(data[:4], "big")
    if n == 0 or n > len(data) - 4:  # the first record must be whole
        return False
    payload = data[4:8]
    return payload[:4] == ZSTD_MAGIC or payload[:1] in (b"\x0a", b"{")


def looks_like_otlp_logs_proto(data: bytes) -> bool:
    """An `ExportLogsServiceRequest`: field 1 (resource_logs) too, told apart by a log record with
    a time in its first ResourceLogs (a traces request never parses as one)."""
    if data[:1] != b"\x0a":
        return False
    from tracetui.loaders.otlp_logs import first_resource_logs_has_records

    return first_resource_logs_has_records(data)


def looks_like_otlp_proto(data: bytes) -> bool:
    """An `ExportTraceServiceRequest` starts with field 1 (resource_spans, length-delimited), whose
    first ResourceSpans must parse and hold a span with ids. Random binary almost never does."""
    if data[:1] != b"\x0a":
        return False
    from tracetui.loaders.otlp_proto import first_resource_spans_has_span

    return first_resource_spans_has_span(data)
