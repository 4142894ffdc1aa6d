"""The statistics table of a trace: one line per group (service, operation), drawn from a
`StatsTableModel` (a `RowScrollView`). Click a column title to sort by it; Enter chooses a group."""

from __future__ import annotations

from collections.abc import Hashable

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from tracetui.analysis.stats import GroupStats
from tracetui.ui.widgets.row_view import RowScrollView, row_bindings
from tracetui.viewmodels.cells import fit
from tracetui.viewmodels.trace_stats import NAME_KEY, StatsTableModel

NAME_MIN = 16
# Left out, in this order, when the view is too narrow for every column (as `tracetui stats`).
DROP_FIRST = ("self_min", "self_max", "self_mean", "total")


class StatsTable(RowScrollView):
    """Rows of `model.rows`; Enter posts `Chosen` with the group under the cursor."""

    BINDINGS: list[BindingType] = [
        Binding("enter", "choose", "Select spans", id="stats.choose"),
        *row_bindings("stats"),
    ]

    COMPONENT_CLASSES = {"stats-table--header", "stats-table--header-sorted", "stats-table--cursor",
                         "stats-table--error", "stats-table--service"}

    DEFAULT_CSS = """
    StatsTable { background: $surface; scrollbar-gutter: stable; }
    StatsTable > .stats-table--header { background: $panel; color: $text; text-style: bold; }
    StatsTable > .stats-table--header-sorted { background: $panel; color: $text-accent; text-style: bold; }
    StatsTable > .stats-table--cursor { background: $surface-lighten-2; }
    StatsTable:focus > .stats-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    StatsTable > .stats-table--error { color: $error; text-style: bold; }
    StatsTable > .stats-table--service { text-style: bold; }
    """

    class Chosen(Message):
        """Enter on a group: select its spans."""

        def __init__(self, group: GroupStats, query: str) -> None:
            super().__init__()
            self.group = group
            self.query = query

    def __init__(self, model: StatsTableModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model

    # -- data ----------------------------------------------------------------------------------
    @property
    def selected(self) -> GroupStats | None:
        rows = self.model.rows
        return rows[self.cursor] if 0 <= self.cursor < len(rows) else None

    def rows_changed(self) -> None:
        """Grouping or order changed: keep the same group under the cursor when it is still shown."""
        g = self.selected
        self.invalidate_rows()
        keys = [r.key for r in self.model.rows]
        self.move_cursor(keys.index(g.key) if g is not None and g.key in keys else 0)

    def action_choose(self) -> None:
        g = self.selected
        if g is not None:
            self.post_message(self.Chosen(g, self.model.query_for(g)))

    # -- layout --------------------------------------------------------------------------------
    def layout(self, width: int) -> tuple[int, list]:
        """The name column's width and the number columns that fit."""
        columns = list(self.model.columns)
        for key in DROP_FIRST:
            if NAME_MIN + sum(c.width + 1 for c in columns) + 1 <= width:
                break
            columns = [c for c in columns if c.key != key]
        return max(NAME_MIN, width - sum(c.width + 1 for c in columns) - 1), columns

    def header_clicked(self, x: int, y: int) -> None:
        name_w, columns = self.layout(self.scrollable_content_region.width)
        if x < name_w:
            self.model.sort_by(NAME_KEY)
        else:
            at = name_w + 1
            for c in columns:
                if at <= x < at + c.width + 1:
                    self.model.sort_by(c.key)
                    break
                at += c.width + 1
        self.rows_changed()
        self.post_message(self.Resorted())

    class Resorted(Message):
        """The sort changed by a click on a column title."""

    # -- drawing -------------------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self.model.rows)

    def row_key(self, row: int) -> Hashable:
        return self.model.rows[row].key

    def render_header(self, y: int, width: int) -> Strip:
        base = self.get_component_rich_style("stats-table--header")
        sorted_style = self.get_component_rich_style("stats-table--header-sorted")
        arrow = "▼" if self.model.descending else "▲"
        name_w, columns = self.layout(width)
        name = self.model.name_title + (f" {arrow}" if self.model.sort == NAME_KEY else "")
        segs = [Segment(fit(name, name_w), sorted_style if self.model.sort == NAME_KEY else base), Segment(" ", base)]
        for c in columns:
            title = c.title + (arrow if c.key == self.model.sort else "")
            segs.append(Segment(title.rjust(c.width)[-c.width:], sorted_style if c.key == self.model.sort else base))
            segs.append(Segment(" ", base))
        return Strip(segs).adjust_cell_length(width, base)

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        g = self.model.rows[row]
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("stats-table--cursor")

        def part(name: str) -> Style:
            full = self.get_component_rich_style(name)
            if selected:
                return base + Style(bold=full.bold)
            return base + Style(color=full.color, bold=full.bold)

        name_w, columns = self.layout(width)
        service_row = g.name is None and self.model.by == "both"
        segs = [Segment(fit(self.model.label(g), name_w), part("stats-table--service") if service_row else base),
                Segment(" ", base)]
        for c in columns:
            text = c.text(g, self.model.stats).rjust(c.width)[-c.width:]
            segs.append(Segment(text, part("stats-table--error") if c.key == "errors" and g.errors else base))
            segs.append(Segment(" ", base))
        return Strip(segs).adjust_cell_length(width, base)
