"""Instrumentation lint: what in the data says the tracing itself is broken (orphans, lost
server spans, split traces, clock skew, impossible times, duplicate ids, parent cycles, missing
service names, ids in span names, oversized or renamed attributes) and the anti-patterns it shows
(N+1 queries, sequential calls that could run side by side, retries).

`lint(traces, time_problems)` runs every check and returns a `LintReport`: its findings over all
traces, and per trace. Each family of checks is a small module; `findings.py` holds the shapes.
"""

from __future__ import annotations

from collections.abc import Iterable

from tracetui.analysis.lint.antipatterns import antipattern_hits
from tracetui.analysis.lint.attributes import attribute_hits
from tracetui.analysis.lint.calls import Callees
from tracetui.analysis.lint.findings import KINDS, Finding, Hit, merge
from tracetui.analysis.lint.integrity import TimeProblem, cycle_hits, duplicate_hits, time_hits
from tracetui.analysis.lint.naming import naming_hits
from tracetui.analysis.lint.propagation import propagation_hits
from tracetui.analysis.lint.skew import skew_hits
from tracetui.model.gcpause import gc_paused
from tracetui.model.trace import Trace

__all__ = ["KINDS", "Finding", "Hit", "LintReport", "TimeProblem", "lint"]

PER_TRACE = (duplicate_hits, cycle_hits, skew_hits, naming_hits, attribute_hits, antipattern_hits)


class LintReport:
    """Every hit of every check; `findings()` merges them over all traces or for one trace."""

    def __init__(self, hits: list[Hit], trace_count: int, span_count: int) -> None:
        self.hits = hits
        self.trace_count = trace_count
        self.span_count = span_count
        self._all: list[Finding] | None = None

    def findings(self, trace_id: str | None = None) -> list[Finding]:
        if trace_id is None:
            if self._all is None:
                self._all = merge(self.hits)
            return self._all
        return merge(h for h in self.hits if h.trace_id == trace_id)

    def per_trace(self) -> dict[str, dict[str, int]]:
        """trace id -> {kind: count} for the traces with findings (the caller's side of a split
        trace counts its call: the finding counts the split once, on the callee's side)."""
        out: dict[str, dict[str, int]] = {}
        for h in self.hits:
            if h.trace_id:
                kinds = out.setdefault(h.trace_id, {})
                kinds[h.kind] = kinds.get(h.kind, 0) + (h.count or len(h.spans))
        return out

    def __bool__(self) -> bool:
        return bool(self.hits)


@gc_paused
def lint(traces: Iterable[Trace], time_problems: Iterable[TimeProblem] = ()) -> LintReport:
    traces = list(traces)
    hits: list[Hit] = []
    for t in traces:
        t.ensure_built()
        for check in PER_TRACE:
            hits.extend(check(t))
    hits.extend(propagation_hits(traces, Callees(traces)))
    hits.extend(time_hits(time_problems, {t.trace_id: t for t in traces}))
    return LintReport(hits, len(traces), sum(len(t.spans) for t in traces))
