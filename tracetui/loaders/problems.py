"""What a loader hands back: spans, and the problems met on the way (never an exception)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from tracetui.model.log import LogRecord
from tracetui.model.span import Span
from tracetui.model.text import clean

KEEP_PER_KIND = 100  # problems of one kind (see `problem_kind`) kept one by one; the rest counted


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that could not be read, as one line: `file: where: what`.

    `skipped` counts the spans lost to it when that is known (0 when unknown, e.g. a line of
    JSON that could not be parsed). `warning` marks a problem where nothing was lost: the data
    was kept (perhaps adjusted, e.g. an end before the start shown as zero duration) or the
    message is the backend's own (Jaeger `warnings`). Only problems that are not warnings mean
    that some input was skipped (`tracetui summary` exits 1).

    `count` is how many problems this one stands for: 1, except for the one entry per kind that
    counts the problems past the first `KEEP_PER_KIND` of that kind (`ProblemCap`); it names the
    first of them, and its `skipped` is their sum.
    """

    source: str
    where: str
    message: str
    skipped: int = 0
    warning: bool = False
    count: int = 1

    def __str__(self) -> str:
        """One line, cleaned of control and invisible characters (file names and messages are
        untrusted)."""
        where = f"{self.where}: " if self.where else ""
        more = f" (and {self.count - 1:,} more like it, counted, not listed)" if self.count > 1 else ""
        return clean(f"{self.source}: {where}{self.message}") + more


@dataclass(slots=True)
class Batch:
    """A group of spans (and log records) read together, with the problems met while reading
    them; `source` is the input as named (a file, a directory, '-'; set by `sources.files.iter_paths`)."""

    spans: list[Span] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    logs: list[LogRecord] = field(default_factory=list)
    source: str = ""


def input_skipped(problems: Iterable[Problem]) -> bool:
    """Whether some input was lost (any problem that is not a warning)."""
    return any(not p.warning for p in problems)


def problem_count(problems: Iterable[Problem]) -> int:
    """How many problems were met, counting those counted rather than kept."""
    return sum(p.count for p in problems)


def problems_summary(problems: Iterable[Problem]) -> str:
    """One line counting the problems, for the status bar and stderr; "" when there are none.

    e.g. "3 problems: 12 spans skipped, 1 other input unreadable, 1 warning".
    """
    problems = list(problems)
    if not problems:
        return ""
    spans = sum(p.skipped for p in problems)
    unknown = sum(p.count for p in problems if not p.warning and not p.skipped)
    warnings = sum(p.count for p in problems if p.warning)
    parts = []
    if spans:
        parts.append(f"{spans:,} span{'s' if spans != 1 else ''} skipped")
    if unknown:
        parts.append(f"{unknown:,} unreadable part{'s' if unknown != 1 else ''}")
    if warnings:
        parts.append(f"{warnings:,} warning{'s' if warnings != 1 else ''}")
    n = problem_count(problems)
    return f"{n:,} problem{'s' if n != 1 else ''}: " + ", ".join(parts)


# Numbers and ids inside a message ("span 5f3a9c… ends before it starts", "12 stray bytes") vary
# from one problem to the next of the same kind.
_VARYING = re.compile(r"\b[0-9a-fA-F]*[0-9][0-9a-fA-F,._]*\b")


def problem_kind(p: Problem) -> tuple[str, bool, str]:
    """What makes problems "the same": the file, whether data was lost, and the message with its
    numbers and ids left out."""
    return p.source, p.warning, _VARYING.sub("#", p.message)


def grouped_problems(problems: Iterable[Problem]) -> list[tuple[Problem, int, int]]:
    """The first problem of each kind, how many there are of that kind and how many of them were
    kept one by one, in order of first appearance (a Zipkin trace with 84 incomplete spans is one
    entry, not 84)."""
    first: dict[tuple[str, bool, str], Problem] = {}
    count: dict[tuple[str, bool, str], list[int]] = {}
    for p in problems:
        k = problem_kind(p)
        if k not in first:
            first[k] = p
        c = count.setdefault(k, [0, 0])
        c[0] += p.count
        c[1] += p.count == 1
    return [(p, *count[k]) for k, p in first.items()]


class ProblemCap:
    """Bounds the problems kept from a stream of input: the first `keep` of each kind pass one by
    one; the rest are folded into one `Problem` per kind (`count`, `skipped` summed), handed out
    by `counted()`. A million bad lines cost a counter, not a million objects."""

    __slots__ = ("_kinds", "_over", "_seen", "keep")

    def __init__(self, keep: int = KEEP_PER_KIND) -> None:
        self.keep = keep
        self._kinds: dict[tuple[str, bool, str], tuple[str, bool, str]] = {}  # messages seen, bounded
        self._seen: dict[tuple[str, bool, str], int] = {}
        self._over: dict[tuple[str, bool, str], list] = {}  # kind -> [first not kept, count, skipped]

    def admit(self, problems: Iterable[Problem]) -> list[Problem]:
        """The problems to keep; the others are counted."""
        kept = []
        kinds = self._kinds
        for p in problems:
            k = kinds.get((p.source, p.warning, p.message))
            if k is None:
                k = problem_kind(p)
                if len(kinds) < 1024:
                    kinds[p.source, p.warning, p.message] = k
            n = self._seen.get(k, 0)
            if n < self.keep and p.count == 1:
                self._seen[k] = n + 1
                kept.append(p)
            elif (o := self._over.get(k)) is None:
                self._over[k] = [p, p.count, p.skipped]
            else:
                o[1] += p.count
                o[2] += p.skipped
        return kept

    def counted(self) -> list[Problem]:
        """One problem per kind, standing for those not kept since the last call."""
        out = [replace(p, count=n, skipped=skipped) for p, n, skipped in self._over.values()]
        self._over.clear()
        return out


class ProblemLog:
    """The problems of a long-running session (the explorer, a live receiver): a list to show,
    bounded like `ProblemCap`: the first `keep` of each kind one by one, then one entry per kind
    whose `count` and `skipped` grow. Hours of bad requests cost a counter per kind."""

    def __init__(self, problems: Iterable[Problem] = (), keep: int = KEEP_PER_KIND) -> None:
        self._cap = ProblemCap(keep)
        self._kept: list[Problem] = []
        self._counted: dict[tuple[str, bool, str], Problem] = {}
        self.extend(problems)

    def extend(self, problems: Iterable[Problem]) -> None:
        self._kept.extend(self._cap.admit(problems))
        for p in self._cap.counted():
            k = problem_kind(p)
            before = self._counted.get(k)
            self._counted[k] = p if before is None else replace(
                before, count=before.count + p.count, skipped=before.skipped + p.skipped)

    def clear(self) -> None:
        self.__init__(keep=self._cap.keep)

    def __iter__(self) -> Iterator[Problem]:
        yield from self._kept
        yield from self._counted.values()

    def __len__(self) -> int:
        return len(self._kept) + len(self._counted)

    def __bool__(self) -> bool:
        return bool(self._kept or self._counted)


def capped(batches: Iterable[Batch], keep: int = KEEP_PER_KIND) -> Iterator[Batch]:
    """The batches, their problems bounded by one `ProblemCap` (the counted ones come last)."""
    cap = ProblemCap(keep)
    for b in batches:
        if b.problems:
            b.problems = cap.admit(b.problems)
        yield b
    over = cap.counted()
    if over:
        yield Batch(problems=over)


def problem_lines(problems: Iterable[Problem], verbose: bool = False) -> list[str]:
    """What stderr shows: one line per kind of problem, with the first place it was met and how
    many more there are; with `verbose`, one line per problem kept (past `KEEP_PER_KIND` of one
    kind, a line counts the rest)."""
    if verbose:
        return [str(p) for p in problems]
    out = []
    for p, n, kept in grouped_problems(problems):
        more = n - 1
        if not more:
            out.append(str(p))
            continue
        listed = "--verbose lists them" if kept == n else f"--verbose lists the first {kept:,}"
        out.append(f"{replace(p, count=1)} (and {more:,} more like it; {listed})")
    return out
