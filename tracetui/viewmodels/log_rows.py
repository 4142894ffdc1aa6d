"""The log list of a trace (and the list of records of no trace), as plain rows (no Textual).

A row says when (from the trace's start), how severe, where (the span's service and name) and
what (the body); `pos` is the span the record names, when that span is in the trace.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tracetui.model.log import LogRecord
from tracetui.model.trace import Trace
from tracetui.render.units import fmt_duration, fmt_time

ERROR_FROM, WARN_FROM, INFO_FROM = 17, 13, 9  # OTLP SeverityNumber ranges


def log_look(severity: int) -> str:
    """How a record of this severity looks: "error", "warning", "muted" (debug, trace) or ""."""
    if severity >= ERROR_FROM:
        return "error"
    if severity >= WARN_FROM:
        return "warning"
    if 0 < severity < INFO_FROM:
        return "muted"
    return ""


@dataclass(frozen=True, slots=True)
class LogRow:
    """One record as a row: `when` from the trace's start (or a clock time), `where` the span's
    `service: name` (or why there is none), `pos` the span's position (None: not in the trace)."""

    when: str
    severity: str
    look: str
    where: str
    body: str
    pos: int | None
    record: LogRecord


def trace_log_rows(trace: Trace) -> list[LogRow]:
    """Every record of the trace, in time order."""
    trace.ensure_built()
    spans, start = trace.spans, trace.start_ns
    rows = []
    for r in trace.logs:
        pos = trace.position(r.span_id) if r.span_id else None
        shift = 0
        if pos is not None:
            s = spans[pos]
            where = f"{s.service}: {s.name}"
            shift = trace.shift_of(pos)  # a span moved for clock skew: its records move with it
        elif r.span_id:
            where = f"{r.service}: span {r.span_id} (not in the trace)"
        else:
            where = f"{r.service}: the trace (no span named)"
        offset = r.time_ns + shift - start
        when = (f"+{fmt_duration(offset)}" if offset >= 0 else f"-{fmt_duration(-offset)}") if r.time_ns else "no time"
        rows.append(LogRow(when, r.severity_name, log_look(r.severity), where, r.body, pos, r))
    return rows


def traceless_log_rows(records: Iterable[LogRecord], utc: bool = False) -> list[LogRow]:
    """Records that name no trace, as they came (clock times)."""
    return [LogRow(fmt_time(r.time_ns, utc) if r.time_ns else "no time", r.severity_name, log_look(r.severity),
                   r.service, r.body, None, r) for r in records]
