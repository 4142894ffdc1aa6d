"""Critical-path time of parts of a trace: what an anti-pattern costs the request."""

from __future__ import annotations

from collections.abc import Iterable

from tracetui.analysis.critical_path import Section, critical_path
from tracetui.model.trace import Trace


class PathTime:
    """The critical path of one trace, asked for the time spent in subtrees or in a window."""

    def __init__(self, trace: Trace, sections: list[Section] | None = None) -> None:
        self.trace = trace
        self.sections = critical_path(trace) if sections is None else sections
        on: dict[int, int] = {}
        for pos, a, b in self.sections:
            on[pos] = on.get(pos, 0) + b - a
        self.on = on

    def in_subtrees(self, roots: Iterable[int]) -> int:
        """Nanoseconds on the path spent in these spans and everything below them."""
        on, trace = self.on, self.trace
        seen: set[int] = set()
        total = 0
        for r in roots:
            for p in trace.subtree(r):
                if p not in seen:
                    seen.add(p)
                    total += on.get(p, 0)
        return total

    def in_window(self, start_ns: int, end_ns: int) -> int:
        """Nanoseconds of the path between these times."""
        total = 0
        for _, a, b in self.sections:
            lo, hi = max(a, start_ns), min(b, end_ns)
            if hi > lo:
                total += hi - lo
        return total
