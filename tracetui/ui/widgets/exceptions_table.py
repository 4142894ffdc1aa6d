"""The exceptions across the loaded traces: one line per group (a `RowScrollView`); Enter
posts `Chosen` to list the group's traces."""

from __future__ import annotations

from collections.abc import Hashable

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from tracetui.analysis.exceptions import ExceptionGroup
from tracetui.ui.widgets.row_view import RowScrollView, row_bindings
from tracetui.viewmodels.cells import fit
from tracetui.viewmodels.exceptions import COLUMNS, ExceptionColumn, cells


class ExceptionsTable(RowScrollView):
    BINDINGS: list[BindingType] = [
        Binding("enter", "choose", "List the traces", id="exceptions.choose"),
        *row_bindings("exceptions"),
    ]
    COMPONENT_CLASSES = {"exceptions-table--header", "exceptions-table--cursor", "exceptions-table--type",
                         "exceptions-table--muted"}
    DEFAULT_CSS = """
    ExceptionsTable { background: $surface; scrollbar-gutter: stable; }
    ExceptionsTable > .exceptions-table--header { background: $panel; color: $text; text-style: bold; }
    ExceptionsTable > .exceptions-table--cursor { background: $surface-lighten-2; }
    ExceptionsTable:focus > .exceptions-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    ExceptionsTable > .exceptions-table--type { color: $error; text-style: bold; }
    ExceptionsTable > .exceptions-table--muted { color: $text-muted; }
    """

    class Chosen(Message):
        def __init__(self, group: ExceptionGroup) -> None:
            super().__init__()
            self.group = group

    def __init__(self, groups: list[ExceptionGroup], *, utc: bool = False, id: str | None = None,
                 empty_text: str = "No exception events in the loaded traces.") -> None:
        super().__init__(id=id)
        self.groups = groups
        self.utc = utc
        self.empty_text = empty_text

    def show(self, groups: list[ExceptionGroup], empty_text: str) -> None:
        self.groups, self.empty_text = groups, empty_text
        self.invalidate_rows()

    @property
    def selected(self) -> ExceptionGroup | None:
        return self.groups[self.cursor] if 0 <= self.cursor < len(self.groups) else None

    def action_choose(self) -> None:
        g = self.selected
        if g is not None:
            self.post_message(self.Chosen(g))

    def row_clicked(self, row: int, x: int, chain: int) -> None:
        if chain >= 2:
            self.action_choose()

    def layout(self, width: int) -> list[ExceptionColumn]:
        fixed = sum(c.width + 1 for c in COLUMNS if c.width)
        cols = list(COLUMNS)
        if width - fixed < 20:  # narrow: the times go first
            cols = [c for c in cols if c.key not in ("first",)]
            fixed = sum(c.width + 1 for c in cols if c.width)
        rest = max(10, width - fixed - 1)
        return [c if c.width else ExceptionColumn(c.key, c.title, rest) for c in cols]

    def row_count(self) -> int:
        return len(self.groups)

    def row_key(self, row: int) -> Hashable:
        return self.groups[row].key

    def render_header(self, y: int, width: int) -> Strip:
        base = self.get_component_rich_style("exceptions-table--header")
        segs = []
        for c in self.layout(width):
            segs.append(Segment(c.title.rjust(c.width)[-c.width:] if c.right else fit(c.title, c.width), base))
            segs.append(Segment(" ", base))
        return Strip(segs).adjust_cell_length(width, base)

    def render_below(self, line: int, width: int) -> Strip | None:
        if line == 1 and not self.groups:
            style = self.rich_style + self.get_component_rich_style("exceptions-table--muted", partial=True)
            return Strip([Segment(f"  {self.empty_text}", style)]).adjust_cell_length(
                width, self.rich_style)
        return None

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        g = self.groups[row]
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("exceptions-table--cursor")

        def part(name: str) -> Style:
            full = self.get_component_rich_style(name)
            return base + Style(bold=full.bold) if selected else base + Style(color=full.color, bold=full.bold)

        text = cells(g, self.utc)
        segs = []
        for c in self.layout(width):
            value = text[c.key]
            cell = value.rjust(c.width)[-c.width:] if c.right else fit(value, c.width)
            style = part("exceptions-table--type") if c.key == "type" else \
                part("exceptions-table--muted") if c.key in ("first", "last") else base
            segs.append(Segment(cell, style))
            segs.append(Segment(" ", base))
        return Strip(segs).adjust_cell_length(width, base)
