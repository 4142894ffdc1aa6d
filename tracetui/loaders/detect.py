"""Decide a dump's format from its first bytes, never from its file name."""

from __future__ import annotations

from tracetui.loaders import jaeger_json, otlp_json

OTLP_JSON = "otlp-json"
JAEGER_JSON = "jaeger-json"
UNKNOWN = "unknown"


def detect_format(data: bytes) -> str:
    head = data[:65536].lstrip()
    if otlp_json.looks_like_otlp(head):
        return OTLP_JSON
    if jaeger_json.looks_like_jaeger(head):
        return JAEGER_JSON
    return UNKNOWN
