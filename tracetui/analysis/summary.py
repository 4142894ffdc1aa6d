"""The one-row summary of a trace, as the trace list and `tracetui summary` show it."""

from __future__ import annotations

from dataclasses import dataclass

from tracetui.model.span import UNKNOWN_SERVICE
from tracetui.model.trace import Trace


@dataclass(frozen=True, slots=True)
class TraceSummary:
    trace_id: str
    root_service: str
    root_name: str
    start_unix_nano: int
    duration_ns: int
    span_count: int
    services: list[str]
    error_count: int
    orphan_count: int
    has_root: bool
    skewed_spans: int = 0  # spans moved (or to move) for clock skew; not in the JSON row

    def to_json(self) -> dict:
        return {
            "trace_id": self.trace_id,
            "root_service": self.root_service,
            "root_name": self.root_name,
            "start_unix_nano": self.start_unix_nano,
            "duration_ns": self.duration_ns,
            "span_count": self.span_count,
            "services": self.services,
            "error_count": self.error_count,
            "orphan_count": self.orphan_count,
        }


def summarize(trace: Trace) -> TraceSummary:
    """The trace's row. Needs no tree (see `Trace`): cheap for every trace of a big dump."""
    root = trace.root
    return TraceSummary(
        trace_id=trace.trace_id,
        root_service=root.service if root else UNKNOWN_SERVICE,
        root_name=root.name if root else "",
        start_unix_nano=trace.start_ns,
        duration_ns=trace.duration_ns,
        span_count=len(trace.spans),
        services=trace.services,
        error_count=trace.error_count,
        orphan_count=trace.orphan_count,
        has_root=trace.has_root,
        skewed_spans=len(trace.clock_shifts),
    )
