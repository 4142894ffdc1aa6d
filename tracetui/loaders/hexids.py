"""Ids in the JSON formats that write them as hex (Jaeger, Zipkin, Python's console exporter).

Jaeger writes ids without their leading zeros (a 128-bit trace id may have 31 characters) and
Zipkin accepts short ones too; OTLP always has 32 / 16 characters. Padding hex ids to 16
characters (or 32, past 16) makes the same trace join across formats. Ids that are not hex
(Jaeger UI's test data uses `span-A`) are kept as given; empty or all-zero ids mean none.
"""

from __future__ import annotations

_HEX = frozenset("0123456789abcdefABCDEF")
_LOWER_HEX = frozenset("0123456789abcdef")


def hex_id(value: object) -> str:
    if value is None:
        return ""
    if type(value) is str and len(value) in (16, 32) and _LOWER_HEX.issuperset(value):
        return value if value.count("0") != len(value) else ""  # the common case, as is
    s = str(value).strip()
    if s[:2] in ("0x", "0X"):
        s = s[2:]
    if not s:
        return ""
    if len(s) <= 32 and _HEX.issuperset(s):
        s = s.lower()
        if s.count("0") == len(s):
            return ""
        return s.zfill(16 if len(s) <= 16 else 32)
    return s
