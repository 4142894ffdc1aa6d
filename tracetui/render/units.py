"""How times and durations read, the same in the TUI and the headless commands."""

from __future__ import annotations

import datetime as _dt


def fmt_duration(ns: float) -> str:
    """A duration with three significant digits: 812ns, 4.25µs, 13.2ms, 150ms, 1.50s, 2m03s."""
    ns = float(ns)
    if ns < 0:
        return "-" + fmt_duration(-ns)
    if ns < 1_000:
        return f"{ns:.0f}ns"
    if ns >= 60e9:
        m, s = divmod(round(ns / 1e9), 60)
        return f"{m // 60}h{m % 60:02d}m" if m >= 60 else f"{m}m{s:02d}s"
    for unit, scale in (("µs", 1e3), ("ms", 1e6), ("s", 1e9)):
        v = ns / scale
        if v < 999.5 or unit == "s":
            return f"{v:.0f}{unit}" if v >= 99.95 else f"{v:.1f}{unit}" if v >= 9.995 else f"{v:.2f}{unit}"
    raise AssertionError("unreachable")


def fmt_time(unix_ns: int, utc: bool = False) -> str:
    """A wall-clock start time: 2024-01-02 15:04:05.123 (local time unless utc)."""
    t = _dt.datetime.fromtimestamp(unix_ns / 1e9, tz=_dt.UTC)
    if not utc:
        t = t.astimezone()
    return t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 trace`, `2 traces`, `100,000 spans`: a number with thousands separators and its noun."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
