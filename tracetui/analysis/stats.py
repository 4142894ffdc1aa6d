"""Statistics of spans by service and operation, as Jaeger UI's Trace Statistics.

For each group: how many spans, their total duration (sum, min, max), their self time (sum,
mean, min, max), its share of the trace, the time the group spends on the critical path and
its errors. Self time and the share are Jaeger's: `self_ns / trace duration` (Jaeger's
"percent"). Groups:

  service     one row per service (`name` None)
  operation   one row per (service, span name): an operation is a span name within a service
  both        Jaeger's two-level table: each service, followed by its operations

Over several traces (`tracetui stats` without `--trace`) the figures add up; the share is of
the traces' durations added up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tracetui.analysis.critical_path import critical_path
from tracetui.analysis.self_time import self_times
from tracetui.model.span import STATUS_ERROR
from tracetui.model.trace import Trace

GROUPINGS = ("service", "operation", "both")


@dataclass(slots=True)
class GroupStats:
    """The figures of one group; `name` is None for a service row. `positions` are the spans of
    the group (positions in the one trace analysed), kept when asked for."""

    service: str
    name: str | None
    count: int = 0
    total_ns: int = 0
    min_ns: int = 0
    max_ns: int = 0
    self_ns: int = 0
    self_min_ns: int = 0
    self_max_ns: int = 0
    critical_path_ns: int = 0
    errors: int = 0
    positions: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.service, self.name)

    @property
    def self_mean_ns(self) -> int:
        """Mean self time per span, rounded to the nanosecond."""
        return round(self.self_ns / self.count) if self.count else 0

    @property
    def mean_ns(self) -> int:
        return round(self.total_ns / self.count) if self.count else 0

    def add(self, duration: int, own: int, on_path: int, error: bool) -> None:
        if self.count == 0:
            self.min_ns = self.max_ns = duration
            self.self_min_ns = self.self_max_ns = own
        else:
            if duration < self.min_ns:
                self.min_ns = duration
            elif duration > self.max_ns:
                self.max_ns = duration
            if own < self.self_min_ns:
                self.self_min_ns = own
            elif own > self.self_max_ns:
                self.self_max_ns = own
        self.count += 1
        self.total_ns += duration
        self.self_ns += own
        self.critical_path_ns += on_path
        self.errors += error


class SpanStats:
    """Adds traces up into groups by service and by (service, span name) at once, so that a
    change of grouping costs nothing. `groups(by)` lists them."""

    __slots__ = ("by_service", "by_operation", "duration_ns", "traces", "keep_positions")

    def __init__(self, *, keep_positions: bool = False) -> None:
        self.by_service: dict[str, GroupStats] = {}
        self.by_operation: dict[tuple[str, str], GroupStats] = {}
        self.duration_ns = 0  # the traces' durations added up: what the share is of
        self.traces = 0
        self.keep_positions = keep_positions

    def add_trace(self, trace: Trace, selfs: Sequence[int] | None = None,
                  on_path: dict[int, int] | None = None) -> None:
        """Add every span of `trace`; `selfs` (by position) and `on_path` (position → ns on the
        critical path) are computed when not given."""
        if not trace.spans:
            return
        trace.ensure_built()
        if selfs is None:
            selfs = self_times(trace)
        if on_path is None:
            on_path = {}
            for pos, a, b in critical_path(trace):
                on_path[pos] = on_path.get(pos, 0) + b - a
        self.traces += 1
        self.duration_ns += trace.duration_ns
        services, operations, keep = self.by_service, self.by_operation, self.keep_positions
        path = on_path.get
        for pos, s in enumerate(trace.spans):
            service = s.resource.service
            g = services.get(service)
            if g is None:
                g = services[service] = GroupStats(service, None)
            op = operations.get((service, s.name))
            if op is None:
                op = operations[(service, s.name)] = GroupStats(service, s.name)
            d, own, cp, err = s.end_ns - s.start_ns, selfs[pos], path(pos, 0), s.status == STATUS_ERROR
            g.add(d, own, cp, err)
            op.add(d, own, cp, err)
            if keep:
                g.positions.append(pos)
                op.positions.append(pos)

    def share(self, g: GroupStats) -> float:
        """The group's self time as a share (0..1) of the trace's duration (Jaeger's percent / 100)."""
        return g.self_ns / self.duration_ns if self.duration_ns else 0.0

    def groups(self, by: str = "service") -> list[GroupStats]:
        """The groups, most self time first (then by name); with `both`, each service is followed
        by its operations, most self time first."""
        if by not in GROUPINGS:
            raise ValueError(f"group by service, operation or both (got {by!r})")
        if by == "operation":
            return sorted(self.by_operation.values(), key=_by_self)
        services = sorted(self.by_service.values(), key=_by_self)
        if by == "service":
            return services
        under: dict[str, list[GroupStats]] = {}
        for op in self.by_operation.values():
            under.setdefault(op.service, []).append(op)
        out: list[GroupStats] = []
        for g in services:
            out.append(g)
            out.extend(sorted(under[g.service], key=_by_self))
        return out


def _by_self(g: GroupStats) -> tuple:
    return (-g.self_ns, g.service, g.name or "")


def trace_stats(trace: Trace, *, selfs: Sequence[int] | None = None, on_path: dict[int, int] | None = None,
                keep_positions: bool = True) -> SpanStats:
    """The statistics of one trace (positions kept, for selecting a group's spans)."""
    stats = SpanStats(keep_positions=keep_positions)
    stats.add_trace(trace, selfs, on_path)
    return stats


def traces_stats(traces: Iterable[Trace]) -> SpanStats:
    """The statistics of many traces added up."""
    stats = SpanStats()
    for t in traces:
        stats.add_trace(t)
    return stats


def group_stats(trace: Trace, by: str = "service", selfs: Sequence[int] | None = None) -> list[GroupStats]:
    """The groups of one trace (see `SpanStats.groups`)."""
    return trace_stats(trace, selfs=selfs).groups(by)
