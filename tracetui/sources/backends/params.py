"""What a person asks a backend for: the search parameters, parsed once, shared by every client.

Pure: no network. Durations and times are integer nanoseconds; each client formats them the way
its API wants (RFC 3339, epoch seconds, microseconds, Go durations).
"""

from __future__ import annotations

import datetime as _dt
import re
import time
from dataclasses import dataclass, field, replace

from tracetui.model import durations

DEFAULT_SINCE_NS = 3_600_000_000_000  # the last hour
DEFAULT_LIMIT = 20


class ParamError(ValueError):
    """A search parameter that does not parse; the message is one line for the person."""


def parse_duration(text: str) -> int:
    """`200ms`, `1.5s`, `2m`, `1h30m`, `500us` → nanoseconds (a bare number means milliseconds):
    the grammar of `tracetui.model.durations`, shared with the filter language and the config."""
    try:
        return durations.parse_duration(text)
    except durations.DurationError as e:
        raise ParamError(str(e)) from None


def go_duration(ns: int) -> str:
    """Nanoseconds as a Go `time.ParseDuration` string, exactly: 200ms, 1500us, 90s."""
    for unit, scale in (("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000),
                        ("ms", 1_000_000), ("us", 1_000)):
        if ns and ns % scale == 0:
            return f"{ns // scale}{unit}"
    return f"{ns}ns"


def parse_time(text: str) -> int:
    """An absolute time: ISO 8601 (`2026-11-25T01:00:00Z`, `2026-11-25 01:00`; no zone = UTC)
    or epoch seconds → nanoseconds since the epoch."""
    s = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return round(float(s) * 1e9)
    try:
        t = _dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise ParamError(f"not a time: {text!r} (use ISO 8601, e.g. 2026-11-25T01:00:00Z)") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.UTC)
    return int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000


def rfc3339(ns: int) -> str:
    """Nanoseconds since the epoch as RFC 3339 in UTC with the fraction kept: 2026-11-25T01:02:03.5Z."""
    secs, frac = divmod(ns, 1_000_000_000)
    base = _dt.datetime.fromtimestamp(secs, tz=_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{frac:09d}".rstrip("0").rstrip(".") + "Z"


def parse_tag(text: str) -> tuple[str, str]:
    """`key=value` → (key, value); a bare `key` → (key, "") (matches any value where supported)."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not key:
        raise ParamError(f"not a tag: {text!r} (use key=value)")
    return key, value.strip() if sep else ""


@dataclass(frozen=True)
class SearchParams:
    """A backend search. `since_ns` (relative to now) applies unless `start_ns`/`end_ns` are set."""

    service: str | None = None
    operation: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    min_duration_ns: int | None = None
    max_duration_ns: int | None = None
    since_ns: int = DEFAULT_SINCE_NS
    start_ns: int | None = None
    end_ns: int | None = None
    limit: int = DEFAULT_LIMIT
    query: str | None = None  # raw TraceQL (Tempo)
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def window(self, now_ns: int | None = None) -> tuple[int, int]:
        """The (start, end) of the search in ns since the epoch."""
        now = time.time_ns() if now_ns is None else now_ns
        end = self.end_ns if self.end_ns is not None else now
        start = self.start_ns if self.start_ns is not None else end - self.since_ns
        return start, end

    def with_(self, **changes) -> SearchParams:
        return replace(self, **changes)

    def describe(self) -> str:
        """One line for a status bar: what is being searched."""
        parts = []
        if self.query:
            parts.append(self.query)
        if self.service:
            parts.append(f"service={self.service}")
        if self.operation:
            parts.append(f"operation={self.operation}")
        parts += [f"{k}={v}" if v else k for k, v in self.tags]
        if self.min_duration_ns is not None:
            parts.append(f"≥{go_duration(self.min_duration_ns)}")
        if self.max_duration_ns is not None:
            parts.append(f"≤{go_duration(self.max_duration_ns)}")
        if self.start_ns is None and self.end_ns is None:
            parts.append(f"last {go_duration(self.since_ns)}")
        else:
            s, e = self.window()
            parts.append(f"{rfc3339(s)}…{rfc3339(e)}")
        parts.append(f"limit {self.limit}")
        return " ".join(parts)


def build_params(*, service: str | None = None, operation: str | None = None, tags: tuple[str, ...] = (),
                 min_duration: str | None = None, max_duration: str | None = None, since: str | None = None,
                 start: str | None = None, end: str | None = None, limit: int | None = None,
                 query: str | None = None) -> SearchParams:
    """SearchParams from the CLI's strings; raises ParamError with a one-line message."""
    p = SearchParams(
        service=service or None,
        operation=operation or None,
        tags=tuple(parse_tag(t) for t in tags),
        min_duration_ns=parse_duration(min_duration) if min_duration else None,
        max_duration_ns=parse_duration(max_duration) if max_duration else None,
        since_ns=parse_duration(since) if since else DEFAULT_SINCE_NS,
        start_ns=parse_time(start) if start else None,
        end_ns=parse_time(end) if end else None,
        limit=limit if limit is not None else DEFAULT_LIMIT,
        query=query or None,
    )
    if p.limit <= 0:
        raise ParamError("--limit must be at least 1")
    s, e = p.window()
    if s >= e:
        raise ParamError("the time range is empty (--start must be before --end)")
    if p.min_duration_ns is not None and p.max_duration_ns is not None and p.min_duration_ns > p.max_duration_ns:
        raise ParamError("--min-duration is above --max-duration")
    return p
