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


def summary_row_json(trace: Trace, clock_skew: list[dict]) -> dict:
    """The trace's row as `summary --json` writes it (the contract in the README): `summarize`'s
    fields but `has_root` and `skewed_spans`, then the clock skew findings given, built straight
    from the figures (the row of each of 100,000s of traces: half the time of a `TraceSummary`
    turned into a dict)."""
    st = trace.stats
    root = trace.spans[st.root] if st.root is not None else None
    return {
        "trace_id": trace.trace_id,
        "root_service": root.resource.service if root else UNKNOWN_SERVICE,
        "root_name": root.name if root else "",
        "start_unix_nano": st.start_ns,
        "duration_ns": st.end_ns - st.start_ns,
        "span_count": len(trace.spans),
        "services": st.services,
        "error_count": st.error_count,
        "orphan_count": st.orphan_count,
        "clock_skew": clock_skew,
    }
