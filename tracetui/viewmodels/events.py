"""Every event of one trace in one chronological list (exceptions, logs recorded as events),
each pointing at its span: what the trace view's events list (`a`) shows, without Textual."""

from __future__ import annotations

from dataclasses import dataclass

from tracetui.model.trace import Trace
from tracetui.viewmodels.span_fields import fmt_value

MAX_EVENTS = 100_000  # a list of more reads no better; the count says how many there were


@dataclass(frozen=True, slots=True)
class EventRow:
    offset_ns: int  # since the trace's start
    pos: int  # the span's position in the trace
    name: str
    summary: str  # "Type: message" for an exception, else the attributes as key=value
    is_exception: bool


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
    out.sort(key=lambda e: e.offset_ns)  # stable: tree order among equal times
    return out, total
