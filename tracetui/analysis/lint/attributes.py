"""Attributes that cost or mislead: values too big to keep, keys the semantic conventions renamed.

- **Oversized values**: a value (string, or an array counted whole) over `MAX_VALUE_BYTES`
  (4 KiB of UTF-8): backends cut or drop such attributes (and every span pays for them in
  storage); a stack trace or a request body belongs in an event or a log. Span attributes only.
- **Renamed keys** (`semconv.RENAMED`): on span and resource attributes; dashboards and queries
  written for the current names miss them.

Attributes stay undecoded until needed (`Span.attributes`); a span whose undecoded attributes
are shorter than the limit and contain no renamed key is not decoded at all.
"""

from __future__ import annotations

import re

from tracetui.analysis.lint.findings import INFO, WARNING, Hit, in_traces, kind
from tracetui.analysis.lint.semconv import RENAMED
from tracetui.model.packed import keys as packed_keys
from tracetui.model.trace import Trace

MAX_VALUE_BYTES = 4096

# The keys of undecoded OTLP JSON attributes (a key written with escapes is not seen: no renamed
# key needs one). One findall and a set test: 2.7x faster than searching for each renamed key
# (an alternation of 56), and no false alarm where a renamed key is the start of another.
_KEYS = re.compile(rb'"key"\s*:\s*"([^"\\]*)"')
_RENAMED_BYTES = frozenset(k.encode() for k in RENAMED)


@kind("oversized_attribute", WARNING, "Oversized attribute values", ("service", "attribute"))
def _oversized(key, count, traces, cost, extra) -> str:
    service, attr = key
    return (f"{in_traces(count, 'span', traces)} of {service} carry {attr} values over "
            f"{MAX_VALUE_BYTES // 1024} KiB (largest {extra.get('max_bytes', 0):,} bytes): "
            "backends cut or drop them; put big payloads in events or logs")


@kind("renamed_attribute", INFO, "Renamed attribute keys", ("service", "attribute", "current", "on"))
def _renamed(key, count, traces, cost, extra) -> str:
    service, attr, current, on = key
    where = "the resource of " if on == "resource" else ""
    return (f"{in_traces(count, 'span', traces)} of {where}{service} use {attr}: "
            f"the semantic conventions call it {current} now")


def _size(value) -> int:
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, (list, tuple)):
        return sum(_size(v) for v in value)
    if isinstance(value, dict):
        return sum(len(k) + _size(v) for k, v in value.items())
    return 0


def _may_hold(raw, limit: int) -> tuple[bool, bool]:
    """(may hold an oversized value, may hold a renamed key), from the undecoded attributes."""
    if raw is None:
        return False, False
    if isinstance(raw, dict):
        return True, True
    if raw.__class__ is bytes:  # packed (live mode): no value is longer than the whole; keys known
        return len(raw) > limit, any(k in RENAMED for k in packed_keys(raw))
    data = bytes(raw)
    return len(data) > limit, not _RENAMED_BYTES.isdisjoint(_KEYS.findall(data))


def attribute_hits(trace: Trace) -> list[Hit]:
    big: dict[tuple[str, str], list[str]] = {}
    largest: dict[tuple[str, str], int] = {}
    renamed: dict[tuple[str, str, str, str], list[str]] = {}
    res_renamed: dict[tuple[str, str, str, str], list[str]] = {}
    resources: dict[int, list[str]] = {}
    for s in trace.spans:
        svc = s.resource.service
        maybe_big, maybe_renamed = _may_hold(s.raw_attributes, MAX_VALUE_BYTES)
        if maybe_big or maybe_renamed:
            for k, v in s.attributes.items():
                if maybe_big:
                    n = _size(v)
                    if n > MAX_VALUE_BYTES:
                        key = (svc, k)
                        big.setdefault(key, []).append(s.span_id)
                        largest[key] = max(largest.get(key, 0), n)
                if maybe_renamed and k in RENAMED:
                    renamed.setdefault((svc, k, RENAMED[k], "span"), []).append(s.span_id)
        rid = id(s.resource)
        old = resources.get(rid)
        if old is None:
            old = resources[rid] = [k for k in s.resource.attributes if k in RENAMED]
        for k in old:
            res_renamed.setdefault((svc, k, RENAMED[k], "resource"), []).append(s.span_id)
    tid = trace.trace_id
    out = [Hit("oversized_attribute", k, tid, ids, len(ids), extra={"max_bytes": largest[k]}) for k, ids in big.items()]
    out += [Hit("renamed_attribute", k, tid, ids, len(ids)) for k, ids in (renamed | res_renamed).items()]
    return out
