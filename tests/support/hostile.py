"""Hostile inputs measured in issue 11, built small: for the loader tests and the fuzz suite."""

from __future__ import annotations

import json

T0 = 1_700_000_000_000_000_000


def kv(key: str, value: str) -> dict:
    return {"key": key, "value": {"stringValue": value}}


def span(i: int, trace: int = 1, **extra) -> dict:
    out = {"traceId": f"{trace:032x}", "spanId": f"{i + 1:016x}", "name": f"op{i}", "kind": 2,
           "startTimeUnixNano": str(T0 + i * 1000), "endTimeUnixNano": str(T0 + i * 1000 + 500),
           "attributes": [kv("k", "v")]}
    out.update(extra)
    return out


def request(spans: list[dict], service: str = "svc") -> dict:
    return {"resourceSpans": [{"resource": {"attributes": [kv("service.name", service)]},
                               "scopeSpans": [{"scope": {"name": "lib"}, "spans": spans}]}]}


_PLACEHOLDER = "@@NESTED@@"


def nested_value(levels: int = 400) -> bytes:
    """An attribute value nested `levels` kvlists deep (four brackets each)."""
    v = b'{"stringValue":"deep"}'
    for _ in range(levels):
        v = b'{"kvlistValue":{"values":[{"key":"a","value":' + v + b"}]}}"
    return v


def dumps(doc: object, levels: int = 400) -> bytes:
    """JSON of `doc`, with every attribute value "@@NESTED@@" nested `levels` deep."""
    text = json.dumps(doc, separators=(",", ":")).encode()  # (orjson refuses ints past 64 bits)
    return text.replace(f'"{_PLACEHOLDER}"'.encode(), nested_value(levels))


def nested_span(i: int, trace: int = 1) -> dict:
    return span(i, trace, attributes=[{"key": "deep", "value": _PLACEHOLDER}])


def nested_document(n: int = 499, bad: int = 200) -> bytes:
    """One request of `n` spans; span `bad` has an attribute nested 400 levels deep."""
    return dumps(request([nested_span(i) if i == bad else span(i) for i in range(n)]))


def nested_lines(n: int = 499, bad: int = 200) -> bytes:
    """JSON Lines of `n` one-span requests; line `bad + 1` holds the deep attribute."""
    return b"".join(dumps(request([nested_span(i, i + 1) if i == bad else span(i, i + 1)])) + b"\n"
                    for i in range(n))


def huge_timestamps() -> bytes:
    """Five spans; the third starts past 2^64 ns, the fourth ends at 2^70 ns (a number)."""
    spans = [span(i) for i in range(5)]
    spans[2]["startTimeUnixNano"] = str(2**64 + 5)
    spans[3]["endTimeUnixNano"] = 2**70
    return dumps(request(spans))
