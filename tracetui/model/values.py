"""Decoding OTLP JSON attribute values (`AnyValue`, `KeyValue` lists), camelCase or snake_case.

Spans keep their attributes undecoded (`msgspec.Raw`) until shown; these functions turn them into
plain Python values: str, bool, int, float, bytes (as base64 text), lists and dicts.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from tracetui.model.ids import normalize_id

_json = msgspec.json.Decoder()

_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def any_value(v: Any) -> Any:
    """One OTLP JSON `AnyValue` object to a Python value ({} gives None)."""
    if not isinstance(v, dict):
        return v
    for key, val in v.items():
        if key in ("stringValue", "string_value"):
            return val
        if key in ("boolValue", "bool_value"):
            return bool(val)
        if key in ("intValue", "int_value"):
            return _int(val)
        if key in ("doubleValue", "double_value"):
            if isinstance(val, str):
                return _FLOATS.get(val, _float(val))
            return float(val)
        if key in ("bytesValue", "bytes_value"):
            return val
        if key in ("arrayValue", "array_value"):
            return [any_value(x) for x in (val or {}).get("values", [])]
        if key in ("kvlistValue", "kvlist_value"):
            return key_values((val or {}).get("values", []))
    return None


def _int(val: Any) -> int | Any:
    if isinstance(val, dict) and "low" in val:
        return (int(val.get("high", 0)) << 32) | (int(val.get("low", 0)) & 0xFFFFFFFF)
    try:
        return int(val)
    except (TypeError, ValueError):
        return val


def _float(val: str) -> float | str:
    try:
        return float(val)
    except ValueError:
        return val


def key_values(items: Any) -> dict[str, Any]:
    """A list of OTLP `KeyValue` objects to a dict (later keys win, as in the SDKs)."""
    out: dict[str, Any] = {}
    if not isinstance(items, list):
        return out
    for kv in items:
        if isinstance(kv, dict) and "key" in kv:
            out[str(kv["key"])] = any_value(kv.get("value") or {})
    return out


def decode_key_values(raw: msgspec.Raw | bytes) -> dict[str, Any]:
    try:
        return key_values(_json.decode(raw))
    except msgspec.DecodeError:
        return {}


class _Fast(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An `AnyValue` of a common kind (string, int, bool, double; camelCase), decoded in C. Any
    other key (lists, maps, bytes, snake_case) fails, as does a null or a type `any_value` would
    read another way: such a list is read the generic way."""

    stringValue: str | UnsetType = UNSET  # noqa: N815 (OTLP JSON's names)
    intValue: int | str | UnsetType = UNSET  # noqa: N815
    boolValue: bool | UnsetType = UNSET  # noqa: N815
    doubleValue: float | UnsetType = UNSET  # noqa: N815


class _FastKeyValue(msgspec.Struct, gc=False):
    key: str
    value: _Fast | UnsetType = UNSET


_fast_list = msgspec.json.Decoder(list[_FastKeyValue])


def fast_key_values(raw: msgspec.Raw | bytes) -> dict[str, Any] | None:
    """What `decode_key_values(raw)` gives, decoded in C (several times faster), for lists of
    the common kinds; None for any other (lists, maps, bytes, snake_case, NaN as text, nulls,
    two kinds in one value), which only `decode_key_values` reads as it must."""
    try:
        items = _fast_list.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    out: dict[str, Any] = {}
    for kv in items:
        v = kv.value
        if v is UNSET:
            out[kv.key] = None
            continue
        string, i, b, d = v.stringValue, v.intValue, v.boolValue, v.doubleValue
        if i is UNSET and b is UNSET and d is UNSET:
            out[kv.key] = None if string is UNSET else string
            continue
        if string is not UNSET or (i is not UNSET) + (b is not UNSET) + (d is not UNSET) > 1:
            return None  # two kinds: `any_value` takes the one written first, not known here
        if i is not UNSET:
            if i.__class__ is str:
                try:
                    i = int(i)
                except ValueError:
                    return None
            out[kv.key] = i
        else:
            out[kv.key] = b if d is UNSET else float(d)
    return out


def decode_events(raw: msgspec.Raw | bytes) -> list:
    from tracetui.model.span import Event

    try:
        items = _json.decode(raw)
    except msgspec.DecodeError:
        return []
    out = []
    for ev in items if isinstance(items, list) else []:
        if not isinstance(ev, dict):
            continue
        t = ev.get("timeUnixNano", ev.get("time_unix_nano", 0))
        out.append(
            Event(
                time_ns=_int(t) if not isinstance(_int(t), str) else 0,
                name=str(ev.get("name", "")),
                attributes=key_values(ev.get("attributes", [])),
            )
        )
    return out


def decode_links(raw: msgspec.Raw | bytes) -> list:
    from tracetui.model.span import Link

    try:
        items = _json.decode(raw)
    except msgspec.DecodeError:
        return []
    out = []
    for ln in items if isinstance(items, list) else []:
        if not isinstance(ln, dict):
            continue
        out.append(
            Link(
                trace_id=normalize_id(str(ln.get("traceId", ln.get("trace_id", "")))),
                span_id=normalize_id(str(ln.get("spanId", ln.get("span_id", "")))),
                attributes=key_values(ln.get("attributes", [])),
                trace_state=str(ln.get("traceState", ln.get("trace_state", ""))),
            )
        )
    return out
