"""`tracetui stats` as a rich table: one row per group, the columns of `stats_columns`."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracetui.analysis.stats import SpanStats
from tracetui.render.stats_columns import COLUMNS, StatColumn
from tracetui.render.text import clean
from tracetui.render.units import fmt_duration

NAME_MIN = 16
# Left out, in this order, when the terminal is too narrow for every column (numbers are never cut).
DROP_FIRST = ("self_min", "self_max", "self_mean", "total")


def fitting_columns(width: int) -> list[StatColumn]:
    """The columns that fit beside a name column of at least NAME_MIN cells."""
    columns = list(COLUMNS)
    for key in DROP_FIRST:
        if NAME_MIN + 3 + sum(c.width + 3 for c in columns) <= width:
            break
        columns = [c for c in columns if c.key != key]
    return columns


def print_stats(console: Console, stats: SpanStats, by: str, title: str) -> None:
    """The groups, most self time first; with `both`, operations indented under their service."""
    heading = {"service": "Service", "operation": "Service: operation", "both": "Service / operation"}[by]
    table = Table(title=f"{title}, {stats.traces:,} trace{'s' if stats.traces != 1 else ''}, "
                        f"{fmt_duration(stats.duration_ns)} in all",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    columns = fitting_columns(console.width)
    labels = [_label(g, by) for g in stats.groups(by)]
    room = console.width - sum(c.width + 3 for c in columns) - 3  # padding a side and a divider each
    name_width = max(NAME_MIN, min(room, max((lbl.cell_len for lbl in labels), default=0), 100))
    table.add_column(heading, no_wrap=True, overflow="ellipsis", width=name_width)
    for c in columns:
        table.add_column(c.title, justify="right", no_wrap=True, width=c.width)
    for g, label in zip(stats.groups(by), labels, strict=True):
        cells = [Text(c.text(g, stats), style="red" if c.key == "errors" else "") for c in columns]
        table.add_row(label, *cells)
    console.print(table)


def _label(g, by: str) -> Text:
    if g.name is None:
        return Text(clean(g.service, 60), style="bold" if by == "both" else "")
    if by == "both":
        return Text("  " + clean(g.name, 60))
    return Text.assemble((clean(g.service, 40), "cyan"), ": ", clean(g.name, 60))
