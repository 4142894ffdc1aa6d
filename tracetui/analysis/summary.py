"""The one-row summary of a trace, as the trace list and `tracetui summary` show it."""

from __future__ import annotations

from dataclasses import dataclass

from tracetui.model.span import UNKNOWN_SERVICE
from tracetui.model.trace import Trace


@dataclass(slots=True)  # (not frozen: its __init__ would cost twice as much, for 10,000s of rows)
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
    st = trace.stats
    root = trace.spans[st.root] if st.root is not None else None
    return TraceSummary(
        trace.trace_id,
        root.resource.service if root else UNKNOWN_SERVICE,
        root.name if root else "",
        st.start_ns,
        st.end_ns - st.start_ns,
        len(trace.spans),
        st.services,
        st.error_count,
        st.orphan_count,
        root is not None and not root.parent_id,
        len(trace.clock_shifts),
    )
