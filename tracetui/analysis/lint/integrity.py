"""Spans whose data cannot be right: duplicate span ids, parent cycles, ends before starts and
spans without an end.

The times are the loaders' to judge: a span that ends before it starts (or has no end time) is
already reported by the loader that read it, which keeps it with zero duration. Lint does not
look for them again (it could not: the end is the start by then) but takes the loaders' problems
(`loaders.problems.span_time_problems`, passed in as `TimeProblem`s). Parent cycles are what the
tree already breaks (`TraceTree.build` makes one span of each cycle top-level, see
`propagation.cycle_cut`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from tracetui.analysis.lint.findings import ERROR, Hit, in_traces, kind, plural
from tracetui.analysis.lint.propagation import cycle_cut
from tracetui.model.trace import Trace

END_BEFORE_START, NO_END = "end_before_start", "no_end"


class TimeProblem(NamedTuple):
    """A span the loader found with bad times: `what` is END_BEFORE_START or NO_END; `trace_id`
    is "" when the problem did not say (then the span is looked up by id); `count` > 1 stands for
    problems counted and not listed."""

    what: str
    span_id: str
    trace_id: str = ""
    count: int = 1


@kind("duplicate_span_id", ERROR, "Duplicate span ids", ())
def _duplicates(key, count, traces, cost, extra) -> str:
    return f"{in_traces(count, 'span', traces)} share their span id with another span of the trace"


@kind("parent_cycle", ERROR, "Parent cycles", ())
def _cycles(key, count, traces, cost, extra) -> str:
    return (f"{plural(count, 'parent cycle')} ({in_traces(extra.get('sum_spans', count), 'span', traces)}): "
            "spans that are their own ancestors; shown cut at one span")


@kind(END_BEFORE_START, ERROR, "Ends before it starts", ())
def _end_before(key, count, traces, cost, extra) -> str:
    return f"{plural(count, 'span')} end before they start (shown with zero duration)"


@kind(NO_END, ERROR, "Spans without an end", ())
def _no_end(key, count, traces, cost, extra) -> str:
    return f"{plural(count, 'span')} have no end time (never ended, or cut off; shown with zero duration)"


def duplicate_hits(trace: Trace) -> list[Hit]:
    """Span ids carried by more than one span. A Zipkin shared server span (its parent id is its
    own id: it reuses its client's id) is not a duplicate of that client."""
    seen: dict[str, int] = {}
    for s in trace.spans:
        if s.parent_id != s.span_id:
            seen[s.span_id] = seen.get(s.span_id, 0) + 1
    dup = [sid for sid, n in seen.items() if n > 1]
    if not dup:
        return []
    count = sum(seen[sid] for sid in dup)
    return [Hit("duplicate_span_id", (), trace.trace_id, dup, count)]


def cycle_hits(trace: Trace) -> list[Hit]:
    cut = cycle_cut(trace)
    if not cut:
        return []
    sizes = sum(len(trace.subtree(i)) for i in cut)
    return [Hit("parent_cycle", (), trace.trace_id, [trace.spans[i].span_id for i in cut], len(cut),
                extra={"sum_spans": sizes})]


def time_hits(problems: Iterable[TimeProblem], traces: dict[str, Trace]) -> list[Hit]:
    """Hits from the loaders' time problems, each in its trace (found by span id when the
    problem did not name it). Problems only counted (past the first 100 of a kind) join the
    first trace with an hit of that kind."""
    by_span: dict[str, str] | None = None
    out: list[Hit] = []
    for p in problems:
        tid = p.trace_id
        if not tid:
            if by_span is None:
                by_span = {}
                for t in traces.values():
                    for s in t.spans:
                        by_span.setdefault(s.span_id, t.trace_id)
            tid = by_span.get(p.span_id, "")
        out.append(Hit(p.what, (), tid, [p.span_id] if p.count == 1 else [], p.count))
    return out
