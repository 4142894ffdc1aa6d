"""Selection and baseline: two disjoint groups of traces to compare.

    split(traces, Selection.slowest(10))                 # the slowest 10% against the rest
    split(traces, Selection.errors())                    # traces with an error against the rest
    split(traces, Selection.matching("host.name=b"), "host.name=a")
    split(traces, Selection.between(200_000_000, None))  # a duration range (histogram)

The selection's traces are never in the baseline: a baseline query takes the traces it matches
that are not selected (so the groups are independent samples, as the tests assume).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tracetui.model.query import parse_query
from tracetui.model.trace import Trace

SLOWEST, ERRORS, QUERY, RANGE = "slowest", "errors", "query", "range"
DEFAULT_PERCENT = 10.0


@dataclass(frozen=True, slots=True)
class Selection:
    """Which traces are selected: the slowest `percent`%, those with errors, those matching a
    query of the filter language, or those with a duration in [low_ns, high_ns] (None: open)."""

    kind: str = SLOWEST
    percent: float = DEFAULT_PERCENT
    query: str = ""
    low_ns: int | None = None
    high_ns: int | None = None

    @classmethod
    def slowest(cls, percent: float = DEFAULT_PERCENT) -> Selection:
        if not 0 < percent <= 100:
            raise ValueError(f"the slowest percentage must be above 0 and at most 100 (got {percent:g})")
        return cls(SLOWEST, percent=percent)

    @classmethod
    def errors(cls) -> Selection:
        return cls(ERRORS)

    @classmethod
    def matching(cls, query: str) -> Selection:
        parse_query(query)  # a bad query is refused here, with its one-line message
        return cls(QUERY, query=query)

    @classmethod
    def between(cls, low_ns: int | None, high_ns: int | None) -> Selection:
        return cls(RANGE, low_ns=low_ns, high_ns=high_ns)

    def label(self) -> str:
        """How the selection is named on screen: `slowest 10%`, `errors`, the query, a range."""
        if self.kind == SLOWEST:
            return f"slowest {self.percent:g}%"
        if self.kind == ERRORS:
            return "traces with errors"
        if self.kind == QUERY:
            return self.query
        return range_query(self.low_ns, self.high_ns) or "every trace"


def slowest_threshold(durations: Sequence[int], percent: float) -> int | None:
    """The duration at the (100 - percent) percentile, nearest rank: the slowest `percent`% are the
    traces at or above it (ties at the threshold are all selected). None without traces."""
    if not durations:
        return None
    ordered = sorted(durations)
    n = len(ordered)
    rank = max(1, math.ceil((100.0 - percent) / 100.0 * n - 1e-9))
    return ordered[min(rank, n) - 1] if percent < 100 else ordered[0]


def exact_duration(ns: int) -> str:
    """A duration in the filter language that means exactly `ns` (`1500ms`, `812345678ns`)."""
    for unit, scale in (("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)):
        if ns % scale == 0:
            return f"{ns // scale}{unit}"
    return f"{ns}ns"


def range_query(low_ns: int | None, high_ns: int | None) -> str:
    """The filter-language query of a duration range (both ends included)."""
    parts = []
    if low_ns is not None:
        parts.append(f"duration>={exact_duration(low_ns)}")
    if high_ns is not None:
        parts.append(f"duration<={exact_duration(high_ns)}")
    return " ".join(parts)


def selection_query(durations: Sequence[int], selection: Selection) -> str:
    """The selection as a query of the filter language (what `--json` reports): `duration>=…` for
    the slowest (of traces with these durations), `error` for errors, the query itself, or the range."""
    if selection.kind == SLOWEST:
        threshold = slowest_threshold(durations, selection.percent)
        return "" if threshold is None else f"duration>={exact_duration(threshold)}"
    if selection.kind == ERRORS:
        return "error"
    if selection.kind == QUERY:
        return selection.query
    return range_query(selection.low_ns, selection.high_ns)


def select_by_columns(durations: Sequence[int], error_counts: Sequence[int], selection: Selection
                      ) -> list[bool] | None:
    """Whether each trace is selected, from its duration and error count alone; None for a query
    (which needs the traces: `select`)."""
    if selection.kind == SLOWEST:
        threshold = slowest_threshold(durations, selection.percent)
        return [threshold is not None and d >= threshold for d in durations]
    if selection.kind == ERRORS:
        return [e > 0 for e in error_counts]
    if selection.kind == RANGE:
        lo = selection.low_ns if selection.low_ns is not None else -1
        hi = selection.high_ns if selection.high_ns is not None else math.inf
        return [lo <= d <= hi for d in durations]
    return None


def select(traces: Sequence[Trace], selection: Selection) -> list[bool]:
    """Whether each trace is selected."""
    if selection.kind != QUERY:
        chosen = select_by_columns([t.duration_ns for t in traces], [t.error_count for t in traces], selection)
        assert chosen is not None
        return chosen
    q = parse_query(selection.query)
    return [q.match_trace(t) for t in traces]


def masks(traces: Sequence[Trace], selection: Selection, baseline: str | None = None
          ) -> tuple[list[bool], list[bool]]:
    """(in selection, in baseline) for each trace: see `split`."""
    chosen = select(traces, selection)
    if baseline is not None and baseline.strip():
        q = parse_query(baseline)
        rest = [not c and q.match_trace(t) for t, c in zip(traces, chosen, strict=True)]
    else:
        rest = [not c for c in chosen]
    return chosen, rest


def split(traces: Sequence[Trace], selection: Selection, baseline: str | None = None
          ) -> tuple[list[Trace], list[Trace]]:
    """(selection, baseline): the selected traces, and the rest (`baseline=None`) or the traces
    not selected that match the query `baseline`. Order is kept. Raises `QueryError` (one line)
    for a query that cannot be read."""
    chosen, rest = masks(traces, selection, baseline)
    return ([t for t, c in zip(traces, chosen, strict=True) if c],
            [t for t, r in zip(traces, rest, strict=True) if r])
