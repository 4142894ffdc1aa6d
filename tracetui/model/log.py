"""A log record (OTLP logs): stored as compactly as a span, attached to its span by ids.

A record names its span by trace and span id; one with only a trace id belongs to the trace;
one without a trace id belongs to no trace (the store counts and keeps those apart). Attributes
stay as the loader produced them (a dict, or undecoded OTLP JSON) until shown; the body is text
(a map or list body as JSON), because filters read it.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from tracetui.model.span import NO_RESOURCE, NO_SCOPE, Resource, Scope
from tracetui.model.values import decode_key_values

# OTLP SeverityNumber ranges: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL.
SEVERITY_NAMES = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
MAX_SEVERITY = 24
# What a user may type for a severity (`severity>=warn`): the lowest number of each range.
SEVERITY_WORDS = {
    "trace": 1, "debug": 5, "info": 9, "information": 9, "warn": 13, "warning": 13,
    "error": 17, "err": 17, "fatal": 21, "critical": 21,
}


def severity_label(number: int, text: str = "") -> str:
    """What a record's severity shows as: its own text, else the name of its number (`INFO`,
    `WARN2`), else "" (unspecified)."""
    if text:
        return text
    if 1 <= number <= MAX_SEVERITY:
        base, step = divmod(number - 1, 4)
        return SEVERITY_NAMES[base] + (str(step + 1) if step else "")
    return ""


def severity_of_text(text: str) -> int:
    """A severity number for a record that only has a text (`"warning"`, `"E"` aside: 0)."""
    return SEVERITY_WORDS.get(text.strip().lower(), 0)


def body_text(value: Any) -> str:
    """A decoded OTLP `AnyValue` body as text: a string as it is, a map or list as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        try:
            return json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


class LogRecord(msgspec.Struct, gc=False):
    """One log record. Ids are lower-case hex ("" when the record names none); `time_ns` is the
    record's time, or the time it was observed when it has none (as OTLP says to read them)."""

    trace_id: str = ""
    span_id: str = ""
    time_ns: int = 0
    severity: int = 0
    severity_text: str = ""
    body: str = ""
    resource: Resource = NO_RESOURCE
    scope: Scope = NO_SCOPE
    raw_attributes: Any = None
    event_name: str = ""

    @property
    def service(self) -> str:
        return self.resource.service

    @property
    def severity_name(self) -> str:
        return severity_label(self.severity, self.severity_text)

    @property
    def attributes(self) -> dict[str, Any]:
        raw = self.raw_attributes
        if raw is None:
            return {}
        if isinstance(raw, dict):
            return raw
        return decode_key_values(raw)


def log_key(r: LogRecord) -> tuple:
    """What makes two records the same record arriving twice (an exporter's retry, a dump loaded
    twice): span, time, severity and body."""
    return (r.span_id, r.time_ns, r.severity, r.body)


def time_of(r: LogRecord) -> int:
    return r.time_ns
