"""Totals per service and per operation (service, span name), as Jaeger's Trace Statistics."""

from __future__ import annotations

from dataclasses import dataclass

from tracetui.analysis.self_time import self_times
from tracetui.model.trace import Trace


@dataclass(slots=True)
class GroupStats:
    key: tuple[str, ...]
    count: int = 0
    total_ns: int = 0
    self_ns: int = 0
    max_ns: int = 0
    errors: int = 0


def group_stats(trace: Trace, by: str = "service", selfs: list[int] | None = None) -> list[GroupStats]:
    """Count, total, self time, max and errors per service (`by="service"`) or per
    operation (`by="operation"`: service and span name), most self time first."""
    selfs = self_times(trace) if selfs is None else selfs
    groups: dict[tuple[str, ...], GroupStats] = {}
    for i, s in enumerate(trace.spans):
        key = (s.service,) if by == "service" else (s.service, s.name)
        g = groups.get(key)
        if g is None:
            g = groups[key] = GroupStats(key)
        d = s.end_ns - s.start_ns
        g.count += 1
        g.total_ns += d
        g.self_ns += selfs[i]
        g.max_ns = max(g.max_ns, d)
        g.errors += s.status == 2
    return sorted(groups.values(), key=lambda g: (-g.self_ns, g.key))
