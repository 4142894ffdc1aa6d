"""What a loader hands back: spans, and the problems met on the way (never an exception)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from tracetui.model.span import Span


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that could not be read, as one line: `file: where: what`.

    `skipped` counts the spans lost to it when that is known (0 when unknown, e.g. a line of
    JSON that could not be parsed). `warning` marks a problem where nothing was lost: the data
    was kept (perhaps adjusted, e.g. an end before the start shown as zero duration) or the
    message is the backend's own (Jaeger `warnings`). Only problems that are not warnings mean
    that some input was skipped (`tracetui summary` exits 1).
    """

    source: str
    where: str
    message: str
    skipped: int = 0
    warning: bool = False

    def __str__(self) -> str:
        """One line, with control characters escaped (file names and messages are untrusted)."""
        where = f"{self.where}: " if self.where else ""
        return one_line(f"{self.source}: {where}{self.message}")


# C0/C1 controls, and the bidirectional marks/overrides/isolates that can reorder a line visually.
_BIDI = (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | {c: f"\\u{c:04x}" for c in _BIDI}


def one_line(text: str) -> str:
    """`text` with newlines, other control characters and bidi overrides shown as escapes."""
    return text.translate(_CONTROL)


@dataclass(slots=True)
class Batch:
    """A group of spans read together, with the problems met while reading them."""

    spans: list[Span] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def input_skipped(problems: Iterable[Problem]) -> bool:
    """Whether some input was lost (any problem that is not a warning)."""
    return any(not p.warning for p in problems)


def problems_summary(problems: Iterable[Problem]) -> str:
    """One line counting the problems, for the status bar and stderr; "" when there are none.

    e.g. "3 problems: 12 spans skipped, 1 other input unreadable, 1 warning".
    """
    problems = list(problems)
    if not problems:
        return ""
    spans = sum(p.skipped for p in problems)
    unknown = sum(1 for p in problems if not p.warning and not p.skipped)
    warnings = sum(1 for p in problems if p.warning)
    parts = []
    if spans:
        parts.append(f"{spans} span{'s' if spans != 1 else ''} skipped")
    if unknown:
        parts.append(f"{unknown} unreadable part{'s' if unknown != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    n = len(problems)
    return f"{n} problem{'s' if n != 1 else ''}: " + ", ".join(parts)


# Numbers and ids inside a message ("span 5f3a9c… ends before it starts", "12 stray bytes") vary
# from one problem to the next of the same kind.
_VARYING = re.compile(r"\b[0-9a-fA-F]*[0-9][0-9a-fA-F,._]*\b")


def problem_kind(p: Problem) -> tuple[str, bool, str]:
    """What makes problems "the same": the file, whether data was lost, and the message with its
    numbers and ids left out."""
    return p.source, p.warning, _VARYING.sub("#", p.message)


def grouped_problems(problems: Iterable[Problem]) -> list[tuple[Problem, int]]:
    """The first problem of each kind and how many there are of that kind, in order of first
    appearance (a Zipkin trace with 84 incomplete spans is one entry, not 84)."""
    first: dict[tuple[str, bool, str], Problem] = {}
    count: dict[tuple[str, bool, str], int] = {}
    for p in problems:
        k = problem_kind(p)
        if k in first:
            count[k] += 1
        else:
            first[k], count[k] = p, 1
    return [(p, count[k]) for k, p in first.items()]


def problem_lines(problems: Iterable[Problem], verbose: bool = False) -> list[str]:
    """What stderr shows: one line per kind of problem, with the first place it was met and how
    many more there are; with `verbose`, one line per problem."""
    if verbose:
        return [str(p) for p in problems]
    out = []
    for p, n in grouped_problems(problems):
        more = n - 1
        out.append(f"{p} (and {more:,} more like it; --verbose lists them)" if more else str(p))
    return out
