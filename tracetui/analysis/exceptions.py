"""Exceptions across traces: every `exception` event of the loaded spans, grouped by (service,
exception type, message with its numbers and ids masked), so that "Timeout after 250 ms on
order 8812" and "Timeout after 251 ms on order 9120" are one row.

Events stay undecoded until needed: a span whose raw events do not contain the word
`exception` is passed over without decoding them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from tracetui.model.trace import Trace

# What varies from one occurrence of the same failure to the next, most specific first.
_MASKS = (
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), "<id>"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<id>"),
    (re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"), "<id>"),  # hex ids, digests
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<ip>"),
    (re.compile(r"(?<![\w.])[-+]?\d+(?:[.,]\d+)*(?![\w.])"), "<n>"),
    (re.compile(r"(?<=[A-Za-z_])\d{2,}\b"), "<n>"),  # worker12, order_8812 (not v2)
)
_EXCEPTION = b"exception"


def mask(message: str) -> str:
    """The message with numbers, ids (uuid, hex), and IP addresses replaced by <n>, <id>, <ip>."""
    for pattern, token in _MASKS:
        message = pattern.sub(token, message)
    return message


@dataclass(slots=True)
class ExceptionGroup:
    """The occurrences of one (service, type, masked message)."""

    service: str
    type: str
    message: str  # masked
    example: str  # the first message as written
    count: int = 0
    first_ns: int = 0
    last_ns: int = 0
    trace_ids: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.service, self.type, self.message)

    @property
    def traces(self) -> int:
        return len(self.trace_ids)


def exception_groups(traces: Iterable[Trace]) -> list[ExceptionGroup]:
    """Every exception event of these traces, grouped; most occurrences first (then most recent)."""
    groups: dict[tuple[str, str, str], ExceptionGroup] = {}
    for t in traces:
        for s in t.spans:
            raw = s.raw_events
            if raw is None:
                continue
            if not isinstance(raw, list) and _EXCEPTION not in bytes(raw):
                continue
            for ev in s.events:
                if ev.name != "exception":
                    continue
                attrs = ev.attributes
                etype = _text(attrs.get("exception.type")) or "(no type)"
                message = _text(attrs.get("exception.message"))
                key = (s.resource.service, etype, mask(message))
                g = groups.get(key)
                when = ev.time_ns or s.end_ns
                if g is None:
                    g = groups[key] = ExceptionGroup(*key, example=message, first_ns=when, last_ns=when)
                g.count += 1
                g.first_ns = min(g.first_ns, when)
                g.last_ns = max(g.last_ns, when)
                g.trace_ids.add(t.trace_id)
    return sorted(groups.values(), key=lambda g: (-g.count, -g.last_ns, g.key))


def _text(v: object) -> str:
    return "" if v is None else str(v)
