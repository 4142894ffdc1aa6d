"""Every event of one trace in one chronological list — span events (exceptions among them) and
the trace's log records — each pointing at its span: what the trace view's events list (`x`)
shows, without Textual."""

from __future__ import annotations

from dataclasses import dataclass

from tracetui.model.trace import Trace
from tracetui.viewmodels.span_fields import fmt_value

ERROR_SEVERITY = 17  # OTLP SeverityNumber ERROR and above read as failures
MAX_EVENTS = 100_000  # a list of more reads no better; the count says how many there were


@dataclass(frozen=True, slots=True)
class EventRow:
    offset_ns: int  # since the trace's start
    pos: int | None  # the span's position in the trace (None: a log record naming no span here)
    name: str  # the event's name; a log record's severity
    summary: str  # "Type: message" for an exception, a log's body, else the attributes as key=value
    is_exception: bool
    is_log: bool = False
    where: str = ""  # for a record naming no span of the trace: its service


def trace_events(trace: Trace) -> tuple[list[EventRow], int]:
    """The trace's events by time (then tree order), at most MAX_EVENTS, and how many there are."""
    trace.ensure_built()
    out: list[EventRow] = []
    total = 0
    start = trace.start_ns
    for pos in trace.order:
        s = trace.spans[pos]
        if not s.raw_events:
            continue
        for ev in s.events:
            total += 1
            if len(out) >= MAX_EVENTS:
                continue
            attrs = ev.attributes
            if ev.name == "exception":
                etype = fmt_value(attrs.get("exception.type", ""))
                emsg = fmt_value(attrs.get("exception.message", ""))
                summary = f"{etype}: {emsg}" if etype and emsg else etype or emsg
            else:
                summary = " ".join(f"{k}={fmt_value(v)}" for k, v in list(attrs.items())[:8])
            at = (ev.time_ns or s.start_ns) - start
            out.append(EventRow(at, pos, ev.name, summary, ev.name == "exception"))
    for r in trace.logs:
        total += 1
        if len(out) >= MAX_EVENTS:
            continue
        pos = trace.position(r.span_id) if r.span_id else None
        shift = trace.shift_of(pos) if pos is not None else 0  # moved for clock skew with its span
        where = "" if pos is not None else f"{r.service} (no span of this trace)"
        out.append(EventRow((r.time_ns or start) + shift - start, pos, f"log {r.severity_name}".strip(), r.body,
                            r.severity >= ERROR_SEVERITY, is_log=True, where=where))
    out.sort(key=lambda e: e.offset_ns)  # stable: tree order among equal times, span events first
    return out, total
