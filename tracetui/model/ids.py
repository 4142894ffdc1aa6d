"""Trace and span ids as people read them: lower-case hex.

OTLP JSON carries hex (either case); Tempo's JSON and old Jaeger carry base64 of the same
bytes (24 or 12 characters, which never collide with 32 or 16 hex characters). Ids that are
neither (Jaeger test data uses `span-A`) are kept as given. All-zero ids mean "none".
"""

from __future__ import annotations

import base64
import binascii

_HEX = frozenset("0123456789abcdefABCDEF")


def normalize_id(value: str) -> str:
    """Return the id as lower-case hex, "" for none, or the value itself if not an encoding."""
    if not value:
        return ""
    n = len(value)
    if n in (32, 16) or (n % 2 == 0 and n <= 32 and _HEX.issuperset(value)):
        if _HEX.issuperset(value):
            lowered = value.lower()
            return "" if lowered.count("0") == n else lowered
        return value
    if n in (24, 12) or (n % 4 == 0 and n <= 24):
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return value
        if raw.count(0) == len(raw):
            return ""
        return raw.hex()
    return value


def id_from_bytes(raw: bytes) -> str:
    """Hex of binary ids (protobuf); "" for empty or all-zero ids."""
    if not raw or raw.count(0) == len(raw):
        return ""
    return raw.hex()
