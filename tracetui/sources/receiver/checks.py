"""Checks at the door for OTLP JSON request bodies, before the loader reads them.

- One request is one JSON object: JSON Lines, a cut body and nesting too deep to read are 400s.
- An empty export (`{}`, no `resourceSpans`) is a valid request with nothing in it.
- Times are fixed64 in OTLP: a span whose start, end or event time does not fit (negative, or
  2**64 and beyond) is rejected
  (counted in `partial_success.rejected_spans`, with a message), and taken out of the body, so
  what a receiver stores or writes can always be read again.
"""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

from tracetui.loaders.problems import Problem
from tracetui.loaders.vocabulary import MAX_TIME_NS, time_in_range

UINT64_END = MAX_TIME_NS + 1  # (the range itself is the loaders' `time_in_range`: one rule)
# What could be out of range: a number of 20 digits or more (2**64 has 20: a shorter one fits),
# or a time field whose value starts with a minus sign. Anything else skips the slow path.
_SUSPECT = re.compile(rb'\d{20,}|(?i:time_?unix_?nano)"\s*:\s*"?\s*-')
_TIME_KEYS = ("startTimeUnixNano", "start_time_unix_nano", "endTimeUnixNano", "end_time_unix_nano")
_EVENT_TIME_KEYS = ("timeUnixNano", "time_unix_nano")
_SCOPE_KEYS = ("scopeSpans", "scope_spans", "instrumentationLibrarySpans", "instrumentation_library_spans")
_OTHER_SIGNALS = ("resourceLogs", "resourceMetrics", "resource_logs", "resource_metrics", "resourceProfiles")


class NotOneObject(ValueError):
    """The body is not one JSON object; the message says what it is instead."""


def check_one_object(body: bytes) -> None:
    """Raise `NotOneObject` unless `body` is exactly one JSON object (whitespace around is fine).

    Validated without building it (msgspec skips over the values), at several GB/s."""
    try:
        msgspec.json.decode(body, type=msgspec.Raw)
    except msgspec.DecodeError as e:
        if "trailing characters" in str(e):
            first = body.lstrip().split(b"\n", 1)[0]
            try:
                msgspec.json.decode(first, type=msgspec.Raw)
            except msgspec.DecodeError:
                raise NotOneObject(f"not valid JSON ({e})") from None
            raise NotOneObject("JSON Lines: an OTLP/HTTP request is one JSON object "
                               "(ExportTraceServiceRequest); send one request per document") from None
        raise NotOneObject(f"not valid JSON ({e})") from None
    except RecursionError:
        raise NotOneObject("JSON nested too deeply to read") from None
    if not body.lstrip().startswith(b"{"):
        raise NotOneObject("not an OTLP JSON ExportTraceServiceRequest (expected a JSON object)")


def is_empty_request(body: bytes) -> bool:
    """`{}`, `{"resourceSpans": []}` or an object of unknown fields only (receivers ignore those):
    a valid export with no spans in it. Logs or metrics sent here are not empty: they are a mistake
    worth a message."""
    try:
        obj = msgspec.json.decode(body, type=dict[str, msgspec.Raw])
    except (msgspec.DecodeError, RecursionError):
        return False
    if any(k in obj for k in _OTHER_SIGNALS):
        return False
    rs = obj.get("resourceSpans", obj.get("resource_spans"))
    return rs is None or bytes(rs).strip() in (b"[]", b"null")


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and len(text) > 20:
            return UINT64_END  # beyond, however long (int() refuses over 4,300 digits)
        try:
            return int(text)
        except ValueError:
            return None
    return None


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:30] + "…"


def _beyond(span: dict) -> str | None:
    """The first time field of `span` (or of its events) that does not fit 64 bits, as text."""
    for key in _TIME_KEYS:
        n = _number(span.get(key))
        if n is not None and not time_in_range(n):
            return f"{key} {_short(span.get(key))}"
    for i, ev in enumerate(span.get("events") or ()):
        if isinstance(ev, dict):
            for key in _EVENT_TIME_KEYS:
                n = _number(ev.get(key))
                if n is not None and not time_in_range(n):
                    return f"events[{i}].{key} {_short(ev.get(key))}"
    return None


def drop_times_beyond_64_bits(body: bytes, source: str) -> tuple[bytes, list[Problem]]:
    """Take out of an OTLP JSON request every span with a time that does not fit 64 bits.

    Returns the body (the same bytes when nothing was taken out) and one problem per span taken
    out. Cheap when nothing looks out of range (the usual case: one regex scan).
    """
    if not _SUSPECT.search(body):
        return body, []
    try:
        doc = json.loads(body.decode("utf-8", "surrogateescape"))  # exact integers, unlike orjson
    except (ValueError, RecursionError):
        return body, []
    if not isinstance(doc, dict):
        return body, []
    problems: list[Problem] = []
    rs_key = "resourceSpans" if "resourceSpans" in doc else "resource_spans"
    for r_i, rs in enumerate(doc.get(rs_key) or ()):
        if not isinstance(rs, dict):
            continue
        for ss_key in _SCOPE_KEYS:
            for s_i, ss in enumerate(rs.get(ss_key) or ()):
                spans = ss.get("spans") if isinstance(ss, dict) else None
                if not isinstance(spans, list):
                    continue
                kept = []
                for p_i, span in enumerate(spans):
                    why = _beyond(span) if isinstance(span, dict) else None
                    if why is None:
                        kept.append(span)
                        continue
                    sid = _short(span.get("spanId") or span.get("span_id") or "?")
                    problems.append(Problem(source, f"{rs_key}[{r_i}].{ss_key}[{s_i}].spans[{p_i}]",
                                            f"span {sid}: {why} does not fit 64 bits: rejected", 1))
                ss["spans"] = kept
    if not problems:
        return body, []
    out = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogateescape")
    return out, problems
