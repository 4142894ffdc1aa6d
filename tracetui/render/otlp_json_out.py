"""OTLP protobuf messages written as OTLP JSON (the spec's JSON encoding, what the Collector's
file exporter writes), for `tracetui record` captures.

Not `json_format.MessageToDict`: OTLP JSON differs from the proto3 mapping in that trace and span
ids are hex (not base64) and enums are integers. Also: camelCase keys, 64-bit integers as decimal
strings, fields at their default left out, NaN/Infinity as strings, other bytes as base64.

(Placeholder until the `samples` branch's writer of the same name and interface lands on main.)
"""

from __future__ import annotations

import base64
import math
from typing import Any

import orjson
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

_ID_FIELDS = frozenset({"trace_id", "span_id", "parent_span_id"})
_INT64 = frozenset({FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64,
                    FieldDescriptor.TYPE_SFIXED64, FieldDescriptor.TYPE_SINT64})
_FLOAT = frozenset({FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT})


# How to write each field, worked out once per field (ListFields gives the same descriptors back).
_ID, _MSG, _INT64_K, _FLOAT_K, _BYTES, _PLAIN = range(6)
_PLANS: dict[Any, tuple[str, int, bool]] = {}


def _plan(field: FieldDescriptor) -> tuple[str, int, bool]:
    t = field.type
    if t == FieldDescriptor.TYPE_BYTES and field.name in _ID_FIELDS:
        kind = _ID
    elif t == FieldDescriptor.TYPE_MESSAGE:
        kind = _MSG
    elif t in _INT64:
        kind = _INT64_K
    elif t in _FLOAT:
        kind = _FLOAT_K
    elif t == FieldDescriptor.TYPE_BYTES:
        kind = _BYTES
    else:
        kind = _PLAIN  # str, bool, int32/uint32, enums (as their integer)
    rep = getattr(field, "is_repeated", None)
    repeated = rep if isinstance(rep, bool) else field.label == FieldDescriptor.LABEL_REPEATED
    plan = _PLANS[field] = (field.json_name, kind, repeated)
    return plan


def to_otlp_json(message: Message) -> dict[str, Any]:
    """The OTLP JSON object of any OTLP protobuf message, as plain dicts and lists."""
    out: dict[str, Any] = {}
    plans = _PLANS
    for field, value in message.ListFields():
        name, kind, repeated = plans.get(field) or _plan(field)
        if kind == _ID:
            if value:
                out[name] = value.hex()
        elif repeated:
            out[name] = [_value(kind, v) for v in value]
        else:
            out[name] = _value(kind, value)
    return out


def _value(kind: int, value: Any) -> Any:
    if kind == _PLAIN:
        return value
    if kind == _MSG:
        return to_otlp_json(value)
    if kind == _INT64_K:
        return str(value)
    if kind == _FLOAT_K:
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return base64.b64encode(value).decode("ascii")


def dumps(message: Message, *, indent: bool = False) -> bytes:
    """OTLP JSON bytes of one message: compact (one line, for JSON Lines) or indented."""
    return orjson.dumps(to_otlp_json(message), option=orjson.OPT_INDENT_2 if indent else 0)
