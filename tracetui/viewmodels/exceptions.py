"""The exceptions screen's rows: one per (service, exception type, masked message), with the
cells it shows, and the trace filter Enter applies (no Textual)."""

from __future__ import annotations

from dataclasses import dataclass

from tracetui.analysis.exceptions import ExceptionGroup
from tracetui.render.text import clean
from tracetui.render.units import fmt_time


@dataclass(frozen=True, slots=True)
class ExceptionColumn:
    key: str
    title: str
    width: int  # 0: takes what is left
    right: bool = False


COLUMNS = (
    ExceptionColumn("count", "Count", 7, right=True),
    ExceptionColumn("traces", "Traces", 7, right=True),
    ExceptionColumn("first", "First seen", 12),
    ExceptionColumn("last", "Last seen", 12),
    ExceptionColumn("service", "Service", 16),
    ExceptionColumn("type", "Type", 22),
    ExceptionColumn("message", "Message (numbers and ids masked)", 0),
)


def cells(g: ExceptionGroup, utc: bool = False) -> dict[str, str]:
    """The text of each column for one group (times as day-less clock times with ms)."""
    return {
        "count": f"{g.count:,}", "traces": f"{g.traces:,}",
        "first": fmt_time(g.first_ns, utc)[11:], "last": fmt_time(g.last_ns, utc)[11:],
        "service": clean(g.service), "type": clean(g.type), "message": clean(g.message),
    }


def describe(g: ExceptionGroup) -> str:
    """How the trace list names the filter Enter applies."""
    return f"{clean(g.type, 30)} in {clean(g.service, 30)}: {clean(g.message, 40)}"
