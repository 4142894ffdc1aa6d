"""Everything the trace view needs to know about one trace, computed once when it opens."""

from __future__ import annotations

from tracetui.analysis.critical_path import Section, critical_path, time_on_path
from tracetui.analysis.self_time import self_times
from tracetui.model.span import STATUS_ERROR
from tracetui.model.trace import Trace


class TraceAnalysis:
    """Critical path, self times, errors and services of one trace.

    `on_path[pos]` is the time span `pos` spends on the critical path; `critical_order` lists the
    spans on the path once each, in the time order of their first stretch on it (what a user
    steps through when following the path).
    """

    __slots__ = (
        "trace", "sections", "on_path", "on_path_set", "critical_order", "critical_path_ns",
        "self_times", "error_positions", "services", "max_depth",
    )

    def __init__(self, trace: Trace) -> None:
        trace.ensure_built()
        self.trace = trace
        self.sections: list[Section] = critical_path(trace)
        self.on_path: dict[int, int] = time_on_path(trace, self.sections)
        self.on_path_set: frozenset[int] = frozenset(self.on_path)
        first: dict[int, int] = {}
        for s in self.sections:
            if s.pos not in first or s.start_ns < first[s.pos]:
                first[s.pos] = s.start_ns
        # Time order; a parent and the child that starts with it: parent first (tree order).
        tree_rank = {p: r for r, p in enumerate(trace.order)} if first else {}
        self.critical_order: list[int] = sorted(first, key=lambda p: (first[p], tree_rank[p]))
        self.critical_path_ns: int = sum(s.duration_ns for s in self.sections)
        self.self_times: list[int] = self_times(trace)
        spans = trace.spans
        self.error_positions: list[int] = [p for p in trace.order if spans[p].status == STATUS_ERROR]
        counts: dict[str, int] = {}
        for s in spans:
            name = s.resource.service
            counts[name] = counts.get(name, 0) + 1
        self.services: list[tuple[str, int]] = sorted(counts.items())
        self.max_depth: int = trace.max_depth
