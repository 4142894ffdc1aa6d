"""`tracetui map` as a table: one row per edge, with every figure the graph writes on it."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from tracetui.analysis.service_map import ServiceMap
from tracetui.render.text import safe_text
from tracetui.render.units import fmt_duration


def print_service_map(console: Console, smap: ServiceMap) -> None:
    title = f"{len(smap.edges)} edges between {len(smap.services)} services in {smap.traces} traces"
    if smap.focus is not None:
        title += " (paths through "
        title += safe_text(smap.focus).plain + ")"
    if not smap.edges:
        console.print(f"no calls between services: {title}", markup=False, highlight=False)
        return
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("caller")
    table.add_column("callee")
    for name in ("calls", "errors", "error rate", "p50", "p99", "critical path"):
        table.add_column(name, justify="right")
    for e in smap.edges:
        table.add_row(safe_text(e.caller), safe_text(e.callee), f"{e.calls:,}", f"{e.errors:,}",
                      f"{e.error_rate:.1%}", fmt_duration(e.p50_ns), fmt_duration(e.p99_ns),
                      f"{e.critical_share:.1%}")
    console.print(table)
