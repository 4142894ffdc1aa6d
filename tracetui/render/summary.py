"""`tracetui summary`: the trace table and one trace's critical path, as rich tables or JSON.

The JSON shape is a contract documented in the README; `summary_json`/`trace_json` build it.
"""

from __future__ import annotations

import datetime as _dt
import heapq

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracetui.analysis import RootPath, root_paths, self_times, summarize, time_on_path
from tracetui.analysis.clock_skew import detect
from tracetui.model import TraceStore
from tracetui.model.trace import Trace
from tracetui.render.summary_json import find_trace, summary_json, trace_json  # noqa: F401 (re-exported)
from tracetui.render.text import clean, safe_text
from tracetui.render.units import count, fmt_duration, fmt_time


def short_id_length(ids: list[str], minimum: int = 7) -> int:
    """The shortest prefix length (at least `minimum`) that tells these ids apart, as `--trace` takes."""
    n = minimum
    longest = max((len(i) for i in ids), default=0)
    while n < longest and len({i[:n] for i in ids}) < len(set(ids)):
        n += 1
    return min(n, longest) if longest else minimum


def _start_cells(starts: list[str], wide: bool) -> tuple[list[str], str]:
    """Start times without what all rows share: one day goes in the title (then rows show the
    time with milliseconds); otherwise the year when it is common. `starts` are fmt_time strings
    ("2024-01-02 15:04:05.123"); returns the cells and the title's day part."""
    days = {x[:10] for x in starts}
    if len(days) == 1:
        return [x[11:] for x in starts], f", {days.pop()}"
    if wide:
        return starts, ""
    if len({x[:4] for x in starts}) == 1:
        return [x[5:19] for x in starts], ""  # 01-02 15:04:05
    return [x[:19] for x in starts], ""


def print_summary(console: Console, store: TraceStore, utc: bool = False) -> None:
    """One row per trace, by start: readable from 80 columns up.

    Below 120 columns the trace id is the shortest unique prefix (what `--trace` takes) and the
    service count is left out; the root span (`service: name`, as Jaeger titles a trace) gets
    the room that is left. A trace whose root span failed is marked ✗.
    """
    traces = store.sorted_by_start()
    sums = [summarize(t) for t in traces]
    width = console.width
    wide = width >= 120
    starts, day = _start_cells([fmt_time(s.start_unix_nano, utc) for s in sums], wide)
    zone = "UTC" if utc else (_dt.datetime.now().astimezone().tzname() or "local time")
    title = f"{count(len(traces), 'trace')}, {count(store.span_count, 'span')}{day} ({zone})"
    id_len = 32 if width >= 140 else short_id_length([s.trace_id for s in sums])

    failed_roots = [t.root is not None and t.root.is_error for t in traces]
    mark = any(failed_roots)  # then every root gets a mark column, so the names stay aligned
    rows = []
    for s, start, failed in zip(sums, starts, failed_roots, strict=True):
        root = Text(no_wrap=True, overflow="ellipsis")
        if mark:
            root.append("✗ " if failed else "  ", "bold red")
        root.append(clean(s.root_service), "cyan")
        root.append(": ")
        root.append(clean(s.root_name), "bold red" if failed else "")
        if not s.has_root:
            root.append(" (no root)", "yellow")
        # safe_text: a str cell would be read as markup (ids "stay as given" when not hex)
        cells = [start, safe_text(s.trace_id[:id_len]), root, fmt_duration(s.duration_ns), str(s.span_count)]
        if wide:
            cells.append(str(len(s.services)))
        cells.append(Text(str(s.error_count), "bold red" if s.error_count else ""))
        cells.append(Text(str(s.orphan_count), "yellow" if s.orphan_count else ""))
        rows.append(cells)

    # (header, right-aligned); "Root" takes whatever the others leave.
    columns = [("Start", False), ("Trace", False), ("Root", False), ("Duration", True), ("Spans", True)]
    if wide:
        columns.append(("Services", True))
    columns += [("Errors", True), ("Orphans", True)] if wide else [("Err", True), ("Orph", True)]
    widths = [max([len(h)] + [cell_len(str(r[i])) for r in rows]) for i, (h, _) in enumerate(columns)]
    gap = 2
    fixed = sum(w for i, w in enumerate(widths) if i != 2) + gap * (len(columns) - 1)
    widths[2] = max(12, min(widths[2], width - fixed))

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False,
                  padding=(0, 1), collapse_padding=True)
    for (header, right), w in zip(columns, widths, strict=True):
        table.add_column(header, justify="right" if right else "left", no_wrap=True, overflow="ellipsis",
                         width=w, min_width=min(w, 12) if header == "Root" else w)
    for cells in rows:
        table.add_row(*cells)
    console.print(table)


def print_trace(console: Console, trace: Trace, utc: bool = False, top: int = 10) -> None:
    s = summarize(trace)
    failed = trace.root is not None and trace.root.is_error
    console.print(Text.assemble(
        ("Trace ", "bold"), (clean(s.trace_id), "bold cyan"), "  ",
        ("✗ " if failed else "", "bold red"), (clean(s.root_service), "cyan"), ": ",
        (clean(s.root_name), "bold red" if failed else "bold"), ("" if s.has_root else " (no root)", "yellow"),
    ), no_wrap=True, overflow="ellipsis")
    facts = [
        Text(fmt_time(s.start_unix_nano, utc)), Text(fmt_duration(s.duration_ns), "bold"),
        Text(count(s.span_count, "span")), Text(count(len(s.services), "service")),
        Text(f"depth {trace.max_depth + 1}"),
        Text(count(s.error_count, "error"), "red" if s.error_count else ""),
        Text(count(s.orphan_count, "orphan"), "yellow" if s.orphan_count else ""),
    ]
    # Wrapped between facts, never inside one ("0" at the end of a line, "orphans" on the next).
    line = Text()
    for fact in facts:
        if line and len(line) + 2 + len(fact) > console.width:
            console.print(line)
            line = Text()
        line.append_text(Text("  ") + fact if line else fact)
    console.print(line)
    for f in detect(trace):
        behind = "behind" if f.offset_ns > 0 else "ahead of"
        state = "adjusted (--no-adjust shows the times as read)" if trace.adjusted else "times as read"
        console.print(Text.assemble(
            ("⇄ clock skew: ", "yellow"), (clean(f.service), "cyan"), f" runs {fmt_duration(abs(f.offset_ns))} {behind} ",
            (clean(f.parent_service), "cyan"),
            f" ({count(len(f.span_ids), 'span')} measured, {f.adjusted} moved; {state})"), soft_wrap=True)
    spans = trace.spans
    total = trace.duration_ns or 1
    svc_w = max(10, min(30, console.width // 5))
    paths = root_paths(trace)
    # The request's root's path; orphan subtrees' paths overlap it in time: listed apart below.
    sections = sorted(paths[0].sections if paths else [], key=lambda x: x.start_ns)
    on_path = time_on_path(trace, sections)
    # One row per span on the path, in the order the path reaches it; at most `top` rows (a
    # 100k-deep chain has 100k): the spans with the most time on the path, in that order.
    path_order = list(dict.fromkeys(sec.pos for sec in sections))
    shown = path_order
    if len(path_order) > top:
        keep = set(sorted(path_order, key=lambda pos: -on_path[pos])[:top])
        shown = [pos for pos in path_order if pos in keep]
    title = "Critical path" if len(shown) == len(path_order) else \
        f"Critical path (top {top} of {len(path_order):,} spans)"
    if len(paths) > 1:
        title += f" of the {'root' if trace.has_root else 'earliest orphan'}"
    cp = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    cp.add_column("Span", no_wrap=True, overflow="ellipsis", max_width=_name_width(console.width, svc_w, [12, 6]))
    cp.add_column("Service", no_wrap=True, overflow="ellipsis", max_width=svc_w)
    cp.add_column("Time on path", justify="right")
    cp.add_column("Share", justify="right")
    for pos in shown:
        sp = spans[pos]
        cp.add_row(
            _span_name(sp), safe_text(sp.service, max_len=40),
            fmt_duration(on_path[pos]), f"{100 * on_path[pos] / total:.1f}%",
        )
    console.print(cp)
    left_out = len(path_order) - len(shown)
    if left_out:
        rest = sum(on_path[pos] for pos in path_order) - sum(on_path[pos] for pos in shown)
        console.print(f"… {left_out:,} more span{'s' if left_out != 1 else ''} on the critical path "
                      f"({fmt_duration(rest)}, {100 * rest / total:.1f}%); --top N shows more", markup=False)
    if len(paths) > 1:
        _print_other_paths(console, trace, paths[1:], svc_w, top, total)
    selfs = self_times(trace)
    st = Table(title=f"Most self time (top {top})", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    st.add_column("Span", no_wrap=True, overflow="ellipsis", max_width=_name_width(console.width, svc_w, [9, 8, 6]))
    st.add_column("Service", no_wrap=True, overflow="ellipsis", max_width=svc_w)
    st.add_column("Self time", justify="right")
    st.add_column("Duration", justify="right")
    st.add_column("Share", justify="right")
    for i in heapq.nsmallest(top, range(len(spans)), key=lambda i: -selfs[i]):
        sp = spans[i]
        st.add_row(
            _span_name(sp), safe_text(sp.service, max_len=40),
            fmt_duration(selfs[i]), fmt_duration(sp.duration_ns), f"{100 * selfs[i] / total:.1f}%",
        )
    console.print(st)


def _print_other_paths(console: Console, trace: Trace, others: list[RootPath], svc_w: int, top: int,
                       total: int) -> None:
    """The orphan subtrees' critical paths, one row each (the longest `top`): apart from the
    root's, since they overlap it in time (their sum can exceed the trace's duration)."""
    spans = trace.spans
    shown = sorted(others, key=lambda p: -p.duration_ns)[:top]
    title = "Critical paths of orphan subtrees" + (f" (top {top} of {len(others):,})" if len(shown) < len(others) else "")
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Subtree top", no_wrap=True, overflow="ellipsis", max_width=_name_width(console.width, svc_w, [12, 6]))
    table.add_column("Service", no_wrap=True, overflow="ellipsis", max_width=svc_w)
    table.add_column("Path", justify="right")
    table.add_column("Share", justify="right")
    for p in shown:
        sp = spans[p.top]
        table.add_row(_span_name(sp), safe_text(sp.service, max_len=40), fmt_duration(p.duration_ns),
                      f"{100 * p.duration_ns / total:.1f}%")
    console.print(table)


def _span_name(sp) -> Text:
    """A span's name, marked ✗ (and red) when it failed, so that errors show without colour too."""
    if sp.is_error:
        return Text.assemble(("✗ ", "bold red"), (clean(sp.name, 60), "red"))
    return safe_text(sp.name, max_len=60)


def _name_width(width: int, service_width: int, numbers: list[int]) -> int:
    """What a Span column can have next to a Service column and number columns of these widths
    (each cell padded by 1 on both sides, 1-cell dividers and edges), so that rich never has to
    drop the numbers to fit the names."""
    n = 2 + len(numbers)
    fixed = service_width + sum(numbers) + 2 * n + (n - 1) + 2
    return max(12, width - fixed)
