"""`tracetui summary`: the trace table and one trace's critical path, as rich tables or JSON.

The JSON shape is a contract documented in the README; `summary_json`/`trace_json` build it.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracetui.analysis import critical_path, self_times, summarize, time_on_path
from tracetui.model import TraceStore
from tracetui.model.trace import NO_PARENT, Trace
from tracetui.render.text import safe_text
from tracetui.render.units import fmt_duration, fmt_time


def summary_json(store: TraceStore) -> dict:
    return {"traces": [summarize(t).to_json() for t in store.sorted_by_start()]}


def trace_json(trace: Trace) -> dict:
    out = summarize(trace).to_json()
    sections = sorted(critical_path(trace), key=lambda s: (s.start_ns, s.end_ns))
    spans = trace.spans
    out["critical_path"] = [
        {"span_id": spans[s.pos].span_id, "start_unix_nano": s.start_ns, "end_unix_nano": s.end_ns}
        for s in sections
    ]
    selfs = self_times(trace)
    out["spans"] = [
        {
            "span_id": s.span_id,
            "parent_span_id": spans[trace.parent[i]].span_id if trace.parent[i] != NO_PARENT else (s.parent_id or None),
            "service": s.service,
            "name": s.name,
            "kind": s.kind_name,
            "start_unix_nano": s.start_ns,
            "end_unix_nano": s.end_ns,
            "self_time_ns": selfs[i],
            "status": s.status_name,
        }
        for i, s in ((i, spans[i]) for i in trace.order)
    ]
    return {"trace": out}


def print_summary(console: Console, store: TraceStore, utc: bool = False) -> None:
    traces = store.sorted_by_start()
    days = {fmt_time(t.start_ns, utc)[:10] for t in traces}
    one_day = len(days) == 1
    title = f"{len(traces)} traces, {store.span_count} spans" + (f", {days.pop()}" if one_day else "")
    wide = console.width >= 150
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1), collapse_padding=True)
    sums = [summarize(t) for t in traces]
    start_w, trace_w = (12 if one_day else 19), (32 if wide else 12)
    svc_w = min(20, max([len(x.root_service) for x in sums] + [12]))
    # What is left after the fixed columns (and a 2-cell gap between columns) is the span's.
    name_w = max(12, console.width - (start_w + trace_w + svc_w + 8 + 5 + 4 + 3 + 4) - 2 * 8)
    svc_w = min(svc_w, max(8, console.width - (start_w + trace_w + 12 + 8 + 5 + 4 + 3 + 4) - 2 * 8))
    table.add_column("Start", no_wrap=True, width=start_w, min_width=start_w)
    table.add_column("Trace", no_wrap=True, width=trace_w, min_width=trace_w)
    table.add_column("Root service", no_wrap=True, overflow="ellipsis", width=svc_w)
    table.add_column("Root span", no_wrap=True, overflow="ellipsis", max_width=name_w)
    table.add_column("Duration", justify="right", no_wrap=True, width=8, min_width=8)
    table.add_column("Spans", justify="right", no_wrap=True, width=5, min_width=5)
    table.add_column("Svcs", justify="right", no_wrap=True, width=4, min_width=4)
    table.add_column("Err", justify="right", no_wrap=True, width=3, min_width=3)
    table.add_column("Orph", justify="right", no_wrap=True, width=4, min_width=4)
    for s in sums:
        start = fmt_time(s.start_unix_nano, utc)
        table.add_row(
            start[11:] if one_day else start[:19],
            s.trace_id if wide else s.trace_id[:12],
            safe_text(s.root_service),
            safe_text(s.root_name if s.has_root else f"{s.root_name} (no root)"),
            fmt_duration(s.duration_ns),
            str(s.span_count),
            str(len(s.services)),
            Text(str(s.error_count), style="bold red") if s.error_count else Text("0"),
            Text(str(s.orphan_count), style="yellow") if s.orphan_count else Text("0"),
        )
    console.print(table)


def print_trace(console: Console, trace: Trace, utc: bool = False, top: int = 10) -> None:
    s = summarize(trace)
    console.print(
        Text.assemble(
            ("Trace ", "bold"), (s.trace_id, "bold cyan"), "  ",
            fmt_time(s.start_unix_nano, utc), "  ", (fmt_duration(s.duration_ns), "bold"),
            f"  {s.span_count} spans  {len(s.services)} services  depth {trace.max_depth + 1}  ",
            (f"{s.error_count} errors", "red" if s.error_count else ""), "  ",
            (f"{s.orphan_count} orphans", "yellow" if s.orphan_count else ""),
        )
    )
    spans = trace.spans
    total = trace.duration_ns or 1
    sections = sorted(critical_path(trace), key=lambda x: x.start_ns)
    on_path = time_on_path(trace, sections)
    cp = Table(title="Critical path", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    cp.add_column("Span")
    cp.add_column("Service")
    cp.add_column("Time on path", justify="right")
    cp.add_column("Share", justify="right")
    seen: set[int] = set()
    for sec in sections:
        if sec.pos in seen:
            continue
        seen.add(sec.pos)
        sp = spans[sec.pos]
        cp.add_row(
            safe_text(sp.name, "red" if sp.is_error else "", 60), safe_text(sp.service, max_len=40),
            fmt_duration(on_path[sec.pos]), f"{100 * on_path[sec.pos] / total:.1f}%",
        )
    console.print(cp)
    selfs = self_times(trace)
    st = Table(title=f"Most self time (top {top})", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    st.add_column("Span")
    st.add_column("Service")
    st.add_column("Self time", justify="right")
    st.add_column("Duration", justify="right")
    st.add_column("Share", justify="right")
    for i in sorted(range(len(spans)), key=lambda i: -selfs[i])[:top]:
        sp = spans[i]
        st.add_row(
            safe_text(sp.name, "red" if sp.is_error else "", 60), safe_text(sp.service, max_len=40),
            fmt_duration(selfs[i]), fmt_duration(sp.duration_ns), f"{100 * selfs[i] / total:.1f}%",
        )
    console.print(st)


def find_trace(store: TraceStore, wanted: str) -> tuple[Trace | None, str]:
    """A trace by id, case-insensitive, or by a unique prefix. Returns (trace, error)."""
    key = wanted.strip().lower()
    for candidate in (key, key.removeprefix("0x")):
        t = store.get(candidate)
        if t is not None:
            return t, ""
    matches = [t for tid, t in store.traces.items() if tid.lower().startswith(key)]
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        return None, f"trace id prefix {wanted!r} matches {len(matches)} traces"
    return None, f"no trace {wanted!r} among {len(store)} loaded traces"
