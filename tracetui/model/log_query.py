"""The query terms on log records (`log~=timeout`, `severity>=warn`), for model/query.py.

A log term holds for a trace when one of its records satisfies it, and for a span (search in a
trace) when one of the span's records does; negated, when none does.

    log=text      the body equals the text (case-insensitive); log~=text contains it
    severity=error    the severity's range (error: 17-20); a number: exactly it
    severity>=warn    >, >=, <, <= compare severity numbers; a word stands for the lowest of
                      its range (trace 1, debug 5, info 9, warn 13, error 17, fatal 21)
"""

from __future__ import annotations

from collections.abc import Callable

from tracetui.model.log import SEVERITY_WORDS, LogRecord

LOG_KEYS = frozenset({"log", "severity"})


class LogQueryError(ValueError):
    """A log term that cannot be understood (model/query.py turns it into its QueryError)."""


def log_test(key: str, op: str, value: str) -> Callable[[LogRecord], bool]:
    """The test of one record for `key op value` (`!=` is given as a negated `=`)."""
    if key == "log":
        want = value.lower()
        if op == "~=":
            return lambda r: want in r.body.lower()
        if op == "=":
            return lambda r: r.body.lower() == want
        raise LogQueryError(f"log takes = or ~= (got {op})")
    number = _severity(value)
    if op == "~=":
        raise LogQueryError("severity takes =, >, >=, < or <= (got ~=)")
    if op == "=":
        if value.strip().isdigit():
            return lambda r: r.severity == number
        return lambda r: number <= r.severity < number + 4
    if op == ">":
        return lambda r: r.severity > number
    if op == ">=":
        return lambda r: r.severity >= number
    if op == "<":
        return lambda r: 0 < r.severity < number
    return lambda r: 0 < r.severity <= number


def _severity(value: str) -> int:
    text = value.strip().lower()
    if text.isdigit():
        return int(text)
    number = SEVERITY_WORDS.get(text)
    if number is None:
        raise LogQueryError(f"not a severity: {value!r} (trace, debug, info, warn, error, fatal or 1-24)")
    return number
