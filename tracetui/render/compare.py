"""`tracetui compare`: the operations and attributes tables as rich tables (the JSON is
`Comparison.to_json`, a contract documented in the README)."""

from __future__ import annotations

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracetui.analysis.compare import Comparison
from tracetui.render.compare_text import fmt_delta_ns, fmt_p, fmt_points, fmt_share, groups_lines, value_text
from tracetui.render.text import clean, safe_text
from tracetui.render.units import fmt_duration


def print_comparison(console: Console, c: Comparison, top: int = 10) -> None:
    for line in groups_lines(c):
        console.print(Text(line, style="bold"), soft_wrap=True)
    if not c.selection_count or not c.baseline_count:
        console.print("nothing to compare: " + ("the selection" if not c.selection_count else "the baseline")
                      + " has no traces", markup=False)
        return
    wide = console.width >= 120
    ops = Table(title=f"Operations, by the difference in critical-path time (top {min(top, len(c.operations))} "
                      f"of {len(c.operations):,})", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    numbers = ["Traces", "Path sel", "Path base", "Δ path", "Δ self"]
    if wide:
        numbers += ["p50 sel", "p50 base", "p99 sel", "Err sel", "Err base"]
    rows = []
    for r in c.operations[:top]:
        name = Text.assemble((clean(r.service, 40), "cyan"), ": ", clean(r.name, 80))
        cells = [name, f"{r.selection_traces:,}/{r.baseline_traces:,}",
                 fmt_duration(r.selection_cp_ns), fmt_duration(r.baseline_cp_ns),
                 Text(fmt_delta_ns(r.delta_cp_ns), "bold" if r.delta_cp_ns > 0 else ""),
                 fmt_delta_ns(r.delta_self_ns)]
        if wide:
            p50s, p99s, p50b, _ = r.percentiles()
            cells += [fmt_duration(p50s) if r.selection_spans else "–",
                      fmt_duration(p50b) if r.baseline_spans else "–",
                      fmt_duration(p99s) if r.selection_spans else "–",
                      Text(fmt_share(r.selection_error_rate), "red" if r.selection_errors else ""),
                      fmt_share(r.baseline_error_rate)]
        rows.append(cells)
    widths = [max([len(h)] + [cell_len(str(row[i + 1])) for row in rows]) for i, h in enumerate(numbers)]
    ops.add_column("Operation", no_wrap=True, overflow="ellipsis",
                   width=max(16, console.width - sum(widths) - 3 * len(widths) - 4))
    for title, w in zip(numbers, widths, strict=True):
        ops.add_column(title, justify="right", no_wrap=True, width=w)
    for cells in rows:
        ops.add_row(*cells)
    console.print(ops)
    scope = "spans of " + clean(" ".join(c.scope_op)) if c.scope_op else "traces"
    passing = sum(r.passes for r in c.attributes)
    attrs = Table(title=f"Attributes, share of {scope} (top {min(top, len(c.attributes))} of {len(c.attributes):,}; "
                        f"{passing:,} pass q ≤ 0.05)", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    numbers = ["Sel", "Base", "Δ pts", "p", "q"]
    rows = []
    for r in c.attributes[:top]:
        style = "bold" if r.passes else "dim"
        rows.append([safe_text(r.key, max_len=60), Text(value_text(r, 80), style=style),
                     fmt_share(r.selection_share), fmt_share(r.baseline_share),
                     Text(fmt_points(r.delta), style=style), fmt_p(r.p_value), fmt_p(r.q_value)])
    widths = [max([len(h)] + [cell_len(str(row[i + 2])) for row in rows]) for i, h in enumerate(numbers)]
    rest = max(24, console.width - sum(widths) - 3 * len(widths) - 7)
    attrs.add_column("Key", no_wrap=True, overflow="ellipsis",
                     width=min(max([3] + [cell_len(str(row[0])) for row in rows]), rest * 2 // 5))
    attrs.add_column("Value", no_wrap=True, overflow="ellipsis")
    for title, w in zip(numbers, widths, strict=True):
        attrs.add_column(title, justify="right", no_wrap=True, width=w)
    for cells in rows:
        attrs.add_row(*cells)
    console.print(attrs)
