"""OTLP protobuf messages written as OTLP JSON, the way the spec says a producer writes it.

`google.protobuf.json_format.MessageToDict` is not OTLP JSON: it writes trace and span ids as
base64 and enums as names. The OTLP spec (otlp.md, "JSON Protobuf Encoding") differs from the
standard proto3 mapping in exactly those two points, so this writer walks the message itself:

- `traceId`, `spanId`, `parentSpanId` (and a link's ids) are lower-case hex; empty ids are left out;
- enums (`kind`, `status.code`) are integers;
- 64-bit integers (`startTimeUnixNano`, `intValue`, …) are decimal strings, as proto3 JSON says;
- keys are lowerCamelCase; fields at their default value are left out (receivers treat a missing
  field as its default); a sub-message that is set is written even when empty (`"status": {}`);
- doubles are numbers, except NaN and the infinities: `"NaN"`, `"Infinity"`, `"-Infinity"`;
  other `bytes` fields (`bytesValue`) are base64.

Works on any OTLP message (`ExportTraceServiceRequest`, `TracesData`, `ResourceSpans`, logs and
metrics too); used for the sample traces, `record` capture files and exports.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable
from typing import IO, Any

import orjson
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

# Bytes fields that hold ids: hex in OTLP JSON, not base64.
_ID_FIELDS = frozenset({"trace_id", "span_id", "parent_span_id"})

_INT64_TYPES = frozenset({
    FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_SFIXED64, FieldDescriptor.TYPE_SINT64,
})
_FLOAT_TYPES = frozenset({FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT})

# How each field is written, worked out once per field descriptor (ListFields hands back the same
# descriptor objects): about 30% faster than deciding per value (16k → 22k spans/s).
_ID, _MESSAGE, _INT64, _FLOAT, _BYTES, _PLAIN = range(6)
_PLANS: dict[FieldDescriptor, tuple[str, int, bool]] = {}


def _plan(field: FieldDescriptor) -> tuple[str, int, bool]:
    t = field.type
    if t == FieldDescriptor.TYPE_BYTES and field.name in _ID_FIELDS:
        kind = _ID
    elif t == FieldDescriptor.TYPE_MESSAGE:
        kind = _MESSAGE
    elif t in _INT64_TYPES:
        kind = _INT64
    elif t in _FLOAT_TYPES:
        kind = _FLOAT
    elif t == FieldDescriptor.TYPE_BYTES:
        kind = _BYTES
    else:
        kind = _PLAIN  # str, bool, int32/uint32, enums (as their integer)
    # `label` is gone from protobuf 7's descriptors; `is_repeated` is missing from protobuf 4's.
    rep = getattr(field, "is_repeated", None)
    repeated = rep if isinstance(rep, bool) else field.label == FieldDescriptor.LABEL_REPEATED
    plan = _PLANS[field] = (field.json_name, kind, repeated)
    return plan


def to_otlp_json(message: Message) -> dict[str, Any]:
    """The OTLP JSON object for a protobuf message (a plain dict, ready for any JSON encoder)."""
    out: dict[str, Any] = {}
    plans = _PLANS
    for field, value in message.ListFields():
        name, kind, repeated = plans.get(field) or _plan(field)
        if kind == _ID:
            if value:  # an empty id (a root's parent) is left out
                out[name] = value.hex()
        elif repeated:
            out[name] = [_value(kind, v) for v in value]
        else:
            out[name] = _value(kind, value)
    return out


def _value(kind: int, value: Any) -> Any:
    if kind == _PLAIN:
        return value
    if kind == _MESSAGE:
        return to_otlp_json(value)
    if kind == _INT64:
        return str(value)
    if kind == _FLOAT:
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return base64.b64encode(value).decode("ascii")  # bytesValue


def dumps(message: Message, *, indent: bool = False) -> bytes:
    """OTLP JSON bytes for one message: compact (one line, for JSON Lines) or indented."""
    return orjson.dumps(to_otlp_json(message), option=orjson.OPT_INDENT_2 if indent else 0)


def write_jsonl(messages: Iterable[Message], out: IO[bytes]) -> int:
    """Write one message per line, as the Collector's file exporter does; return the line count."""
    n = 0
    for m in messages:
        out.write(dumps(m) + b"\n")
        n += 1
    return n
