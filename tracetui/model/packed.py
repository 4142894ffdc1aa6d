"""Span attributes packed small, for spans kept a long time in memory (the live receiver's store).

As a dict, ten attributes cost ~860 bytes a span (the dict, a string or int per value); as
undecoded OTLP JSON ~680 (and a `msgspec.Raw` keeps the whole request it was read from alive).
Packed they cost ~170: the values in msgpack, behind two bytes that name their keys. Spans of
one kind carry the same keys in the same order, so each list of keys (a *shape*) is stored once,
in a table shared by the process; `Span.attributes` unpacks on demand into the same dict the
eager decode gives (str, int, float, bool, None, lists, dicts; bytes as base64 text).

Packed attributes are plain `bytes` (a subclass would put every span's attributes under the
cyclic collector's eye); `msgspec.Raw` stays undecoded OTLP JSON, dicts stay dicts.

The table only grows (a span packed with shape n must find it later) and is bounded: past
`MAX_SHAPES` shapes or `MAX_KEYS` keys in all, attributes carry their keys themselves (shape 0).
"""

from __future__ import annotations

import threading
from sys import intern
from typing import Any

import msgspec

from tracetui.model.values import decode_events, decode_key_values, fast_key_values

MAX_SHAPES = 65_535  # (two bytes name a shape; 0 is "keys inline")
MAX_KEYS = 200_000  # keys in all the shapes: a sender inventing keys cannot grow the table past ~15 MB
MAX_SHAPE_LEN = 128  # attributes with more keys than this carry them inline

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder().decode
_INLINE = b"\x00\x00"

_shapes: dict[tuple[str, ...], bytes] = {}  # keys -> the two bytes naming them
_keys: list[tuple[str, ...]] = [()]  # shape number -> keys (0: inline)
_key_count = 0
_lock = threading.Lock()


def _shape(keys: tuple[str, ...]) -> bytes:
    """The two bytes naming these keys (registered now if new and there is room; else inline)."""
    global _key_count
    with _lock:
        got = _shapes.get(keys)
        if got is not None:
            return got
        if len(_keys) > MAX_SHAPES or _key_count + len(keys) > MAX_KEYS or len(keys) > MAX_SHAPE_LEN:
            return _INLINE
        keys = tuple(intern(k) if type(k) is str else k for k in keys)
        prefix = len(_keys).to_bytes(2, "big")
        _keys.append(keys)
        _key_count += len(keys)
        _shapes[keys] = prefix
        return prefix


def pack(attributes: dict[str, Any]) -> bytes | None:
    """The attributes packed; None when a value cannot be packed exactly (an integer beyond 64
    bits, a string with a lone surrogate: the caller keeps them as they are)."""
    keys = tuple(attributes)
    prefix = _shapes.get(keys) or _shape(keys)
    try:
        if prefix is _INLINE:
            return prefix + _encode((keys, tuple(attributes.values())))
        return prefix + _encode(tuple(attributes.values()))
    except (msgspec.EncodeError, OverflowError, UnicodeEncodeError, TypeError, ValueError):
        return None


def unpack(data: bytes) -> dict[str, Any]:
    """The attributes as a new dict (what the eager decode of the request would have given)."""
    n = (data[0] << 8) | data[1]
    values = _decode(memoryview(data)[2:])
    if n:
        return dict(zip(_keys[n], values, strict=True))
    keys, values = values
    return dict(zip(keys, values, strict=True))


def keys(data: bytes) -> tuple[str, ...]:
    """The attribute keys, without decoding the values when they have a shape."""
    n = (data[0] << 8) | data[1]
    if n:
        return _keys[n]
    return tuple(_decode(memoryview(data)[2:])[0])


def pack_events(events: list) -> bytes | None:
    """A span's events (`Event`s) packed: [time, name, packed attributes or None] each; None
    when one cannot be packed exactly."""
    out = []
    for e in events:
        attributes = e.attributes
        packed = None
        if attributes:
            packed = pack(attributes)
            if packed is None:
                return None
        out.append((e.time_ns, e.name, packed))
    try:
        return _encode(out)
    except (msgspec.EncodeError, OverflowError, UnicodeEncodeError, TypeError, ValueError):
        return None


def unpack_events(data: bytes) -> list:
    """The events as new `Event`s."""
    from tracetui.model.span import Event

    return [Event(t, name, unpack(a) if a is not None else {}) for t, name, a in _decode(data)]


def compact(spans: list) -> None:
    """Spans about to be kept long (the live store), made small in place: attributes and events
    packed, whether decoded (OTLP protobuf) or undecoded OTLP JSON, whose `msgspec.Raw` would keep
    the whole request it was read from alive (~900 bytes a span); links copied out of it; a
    parent id made the parent's own span id string where the parent came in the same request.
    What they decode to does not change.

    Only for spans that stay in this process: the shapes are this process's."""
    Raw = msgspec.Raw
    own = {s.span_id: s.span_id for s in spans}
    for s in spans:
        p = s.parent_id
        if p:
            s.parent_id = own.get(p, p)
        raw = s.raw_attributes
        if raw is not None:
            if raw.__class__ is Raw:
                attributes = fast_key_values(raw)
                if attributes is None:
                    attributes = decode_key_values(raw)
                s.raw_attributes = (pack(attributes) or raw.copy()) if attributes else None
            elif raw.__class__ is dict:
                s.raw_attributes = (pack(raw) or raw) if raw else None
        raw = s.raw_events
        if raw is not None:
            if raw.__class__ is Raw:
                events = decode_events(raw)
                s.raw_events = (pack_events(events) or raw.copy()) if events else None
            elif raw.__class__ is list:
                s.raw_events = (pack_events(raw) or raw) if raw else None
        raw = s.raw_links
        if raw.__class__ is Raw:
            s.raw_links = raw.copy()
