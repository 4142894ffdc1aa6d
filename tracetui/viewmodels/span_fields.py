"""What the span detail pane lists for one span, as plain data (no Textual): one `Field` per line
the user can select, copy (`y`) or open in full.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from tracetui.model.span import KIND_CONSUMER, KIND_SERVER, Event, Span
from tracetui.model.trace import NO_PARENT, Trace
from tracetui.render.units import fmt_duration, fmt_time
from tracetui.viewmodels.log_rows import log_look

HEADING, VALUE, TEXT, LINK = "heading", "value", "text", "link"

# Attributes whose values are multi-line by nature: kept with their line breaks.
MULTILINE_KEYS = frozenset({"exception.stacktrace", "db.statement", "db.query.text", "code.stacktrace"})


@dataclass(frozen=True, slots=True)
class Field:
    """One line of the detail pane.

    kind: HEADING (a section title), VALUE (key: value), TEXT (a line of its own, e.g. the
    exception message), LINK (a link; `target` is (trace_id, span_id)).
    `value` is the full text that `y` copies and the full-value view shows; `multiline` keeps
    its line breaks; `style` names the look ("error", "muted", "strong", "").
    """

    kind: str
    key: str = ""
    value: str = ""
    multiline: bool = False
    style: str = ""
    indent: int = 0
    target: tuple[str, str] | None = None
    note: str = ""


def fmt_value(v: Any) -> str:
    """An attribute value as text: strings as they are, lists and maps as JSON."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return str(v)
    if isinstance(v, (list, dict)):
        try:
            return json.dumps(v, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            return str(v)
    if v is None:
        return ""
    return str(v)


def _attrs(attrs: dict[str, Any], indent: int = 0) -> list[Field]:
    out = []
    for k, v in attrs.items():
        text = fmt_value(v)
        out.append(Field(VALUE, str(k), text, multiline=str(k) in MULTILINE_KEYS and "\n" in text,
                         indent=indent))
    return out


def span_fields(trace: Trace, pos: int, *, self_time_ns: int | None = None,
                on_path_ns: int | None = None, loaded_traces: set[str] | frozenset[str] | None = None,
                utc: bool = False, linked_from: tuple[str, str] | None = None) -> list[Field]:
    """The fields of span `pos`, in the order the pane shows them; `linked_from` (trace id,
    span id): the span whose link the user followed to get here."""
    trace.ensure_built()
    s = trace.spans[pos]
    f: list[Field] = []
    f.append(Field(VALUE, "name", s.name, style="strong"))
    f.append(Field(VALUE, "service", s.service))
    f.append(Field(VALUE, "kind", s.kind_name))
    status = s.status_name
    f.append(Field(VALUE, "status", status, style="error" if s.is_error else ""))
    if s.status_message:
        f.append(Field(VALUE, "message", s.status_message, multiline="\n" in s.status_message,
                       style="error" if s.is_error else ""))

    if linked_from is not None:
        f.append(Field(LINK, "linked from", f"{linked_from[0]} / {linked_from[1]}", target=linked_from,
                       note="the link you followed — Enter or Esc goes back"))

    span_events = s.events
    events = _event_fields(s, span_events)
    # The "why" of a failure comes first: an exception goes right under the status.
    failed = any(e.name == "exception" for e in span_events)
    if failed:
        f.extend(events)

    f.append(Field(HEADING, value="Timing"))
    offset = s.start_ns - trace.start_ns
    f.append(Field(VALUE, "start", f"{fmt_time(s.start_ns, utc)}  (+{fmt_duration(offset)})"))
    f.append(Field(VALUE, "duration", fmt_duration(s.duration_ns)))
    shift = trace.clock_shifts.shift.get(pos, 0)
    if shift:
        sign = "+" if shift > 0 else "-"
        if trace.adjusted:
            f.append(Field(VALUE, "clock skew", f"moved {sign}{fmt_duration(abs(shift))} to fit its caller",
                           note="times adjusted for clock skew; a shows them as read", style="warning"))
        else:
            f.append(Field(VALUE, "clock skew", f"its clock looks off: {sign}{fmt_duration(abs(shift))} would fit "
                           "its caller", note="times as read; a adjusts them", style="warning"))
    if self_time_ns is not None:
        f.append(Field(VALUE, "self time", fmt_duration(self_time_ns)))
    if on_path_ns is not None:
        share = f"  ({on_path_ns * 100 / trace.duration_ns:.0f}% of the trace)" if trace.duration_ns else ""
        f.append(Field(VALUE, "critical path", (fmt_duration(on_path_ns) + share) if on_path_ns
                       else "not on the critical path", style="muted" if not on_path_ns else ""))

    logs = trace.logs_of(s.span_id) if trace.logs else ()
    if logs:
        # What the span said while it ran: right under its times, before ids and attributes.
        f.append(Field(HEADING, value=f"Logs ({len(logs)})"))
        own_start = trace.original(pos).start_ns  # records keep the span's own clock (skew aside)
        for r in logs:
            offset = r.time_ns - own_start
            at = ("no time" if not r.time_ns else
                  f"+{fmt_duration(offset)}" if offset >= 0 else f"-{fmt_duration(-offset)}")
            head = f"{at}  {r.severity_name or '-'}  "
            f.append(Field(TEXT, "log", head + r.body, multiline="\n" in r.body, style=log_look(r.severity)))
            f.extend(_attrs(r.attributes, indent=1))

    f.append(Field(HEADING, value="Ids"))
    f.append(Field(VALUE, "trace id", s.trace_id))
    f.append(Field(VALUE, "span id", s.span_id))
    if s.parent_id:
        missing = trace.parent[pos] == NO_PARENT
        f.append(Field(VALUE, "parent id", s.parent_id,
                       note="missing from the trace (orphan)" if missing else "",
                       style="warning" if missing else ""))
    else:
        f.append(Field(VALUE, "parent id", "", note="none: a root span", style="muted"))

    attrs = s.attributes
    f.append(Field(HEADING, value=f"Attributes ({len(attrs)})"))
    f.extend(_attrs(attrs))

    if not failed:
        f.extend(events)

    links = s.links
    if links:
        f.append(Field(HEADING, value=f"Links ({len(links)})"))
        for ln in links:
            if ln.trace_id == s.trace_id or not ln.trace_id:
                here = trace.position(ln.span_id) is not None
                note = "in this trace — Enter jumps to it" if here else "span not in this trace"
            elif loaded_traces is not None and ln.trace_id in loaded_traces:
                note = "trace loaded — Enter opens it"
            else:
                note = "trace not loaded"
            f.append(Field(LINK, "link", f"{ln.trace_id or s.trace_id} / {ln.span_id}",
                           target=(ln.trace_id or s.trace_id, ln.span_id), note=note))
            f.extend(_attrs(ln.attributes, indent=1))

    res = s.resource.attributes
    f.append(Field(HEADING, value=f"Resource ({len(res)})"))
    f.extend(_attrs(res))

    if s.scope.name or s.scope.version or s.scope.attributes:
        f.append(Field(HEADING, value="Scope"))
        f.append(Field(VALUE, "name", s.scope.name))
        if s.scope.version:
            f.append(Field(VALUE, "version", s.scope.version))
        f.extend(_attrs(s.scope.attributes))
    if s.trace_state:
        f.append(Field(VALUE, "trace state", s.trace_state))
    return f


def _event_fields(s: Span, events: list[Event]) -> list[Field]:
    f: list[Field] = []
    if events:
        f.append(Field(HEADING, value=f"Events ({len(events)})"))
        for ev in events:
            at = f"+{fmt_duration(ev.time_ns - s.start_ns)}" if ev.time_ns else ""
            ev_attrs = dict(ev.attributes)
            if ev.name == "exception":
                etype = fmt_value(ev_attrs.pop("exception.type", ""))
                emsg = fmt_value(ev_attrs.pop("exception.message", ""))
                stack = fmt_value(ev_attrs.pop("exception.stacktrace", ""))
                f.append(Field(TEXT, "event", f"{at}  exception", style="error"))
                title = f"{etype}: {emsg}" if etype and emsg else etype or emsg
                if title:
                    f.append(Field(TEXT, "exception", title, multiline="\n" in title, style="error",
                                   indent=1))
                if stack:
                    f.append(Field(VALUE, "exception.stacktrace", stack, multiline=True, indent=1))
            else:
                f.append(Field(TEXT, "event", f"{at}  {ev.name}", style="strong"))
            f.extend(_attrs(ev_attrs, indent=1))
    return f


def missing_parent_fields(trace: Trace, parent_id: str, orphans: list[int]) -> list[Field]:
    """What the pane shows for a missing-parent row: the id, the spans that name it, and the
    service that probably lost it (see `likely_loser`)."""
    f: list[Field] = [Field(HEADING, value="Missing parent span")]
    f.append(Field(VALUE, "span id", parent_id, note="named as parent, never received", style="warning"))
    service, why = likely_loser(trace, orphans)
    f.append(Field(VALUE, "probably lost by", service, note=why))
    f.append(Field(HEADING, value=f"Orphans under it ({len(orphans):,})"))
    for p in orphans[:200]:
        s = trace.spans[p]
        f.append(Field(LINK, "orphan", f"{s.service}: {s.name}", target=(s.trace_id, s.span_id),
                       note=f"{s.kind_name}, {fmt_duration(s.duration_ns)} — Enter jumps to it"))
    if len(orphans) > 200:
        f.append(Field(TEXT, value=f"… and {len(orphans) - 200:,} more", style="muted"))
    return f


def likely_loser(trace: Trace, orphans: list[int]) -> tuple[str, str]:
    """(service, why) for the service whose span is missing above these orphans.

    A server or consumer orphan was called: its parent was the caller's client or producer span,
    so the caller lost it — the service seen calling the orphan's service elsewhere in the trace
    when there is one. Any other orphan's parent ran in its own process: its own service lost it.
    """
    spans = trace.spans
    first = spans[orphans[0]]
    if first.kind not in (KIND_SERVER, KIND_CONSUMER):
        return first.service, f"a {first.kind_name} span's parent runs in the same service"
    callers = {spans[trace.parent[p]].service for p, s in enumerate(spans)
               if s.service == first.service and s.kind in (KIND_SERVER, KIND_CONSUMER)
               and trace.parent[p] != NO_PARENT and spans[trace.parent[p]].service != first.service}
    if len(callers) == 1:
        caller = callers.pop()
        return caller, f"it calls {first.service} elsewhere in this trace; its client span is missing"
    return f"the caller of {first.service}", f"a {first.kind_name} span's parent is its caller's client span"
