"""A list of log records (a trace's, or those of no trace): one row each, drawn from `LogRow`s.

Enter on a row posts `LogList.Selected` (the trace view selects the record's span)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from tracetui.render.text import clean
from tracetui.ui.widgets.row_view import RowScrollView, row_bindings
from tracetui.viewmodels.log_rows import LogRow


def _fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells (cut with …)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - 1 - used)


class LogList(RowScrollView):
    """Rows of log records under a title line: when, severity, where, body."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *row_bindings("logs"),
        Binding("enter", "select", "Go to span", id="logs.select"),
    ]
    HEADER_LINES = 1
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-list--header", "log-list--cursor", "log-list--error", "log-list--warning", "log-list--muted",
    }
    DEFAULT_CSS = """
    LogList > .log-list--header { background: $panel; color: $text; text-style: bold; }
    LogList > .log-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    LogList:blur > .log-list--cursor { background: $block-cursor-blurred-background; color: $foreground; }
    LogList > .log-list--error { color: $text-error; text-style: bold; }
    LogList > .log-list--warning { color: $text-warning; }
    LogList > .log-list--muted { color: $text-muted; }
    """

    class Selected(Message):
        """Enter on a record: its row (its span's position is `row.pos`, None when not in the trace)."""

        def __init__(self, row: LogRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: Sequence[LogRow] = ()
        self.title = "Logs"
        self._when_w = 10

    def set_rows(self, rows: Sequence[LogRow], title: str) -> None:
        self.rows, self.title = rows, title
        # Offsets (+12.3ms) or clock times (2026-12-02 10:22:40.118): the column fits the longest.
        self._when_w = min(25, max((cell_len(r.when) for r in rows), default=8) + 2)
        self.invalidate_rows()
        self.move_cursor(self.cursor)

    def row_count(self) -> int:
        return len(self.rows)

    def row_key(self, row: int) -> object:
        return id(self.rows[row])

    def render_header(self, y: int, width: int) -> Strip:
        style = self.get_component_rich_style("log-list--header")
        return Strip([Segment(_fit(" " + clean(self.title), width), style)])

    def render_below(self, line: int, width: int) -> Strip | None:
        if line == 0 and not self.rows:
            muted = self.rich_style + Style(color=self.get_component_rich_style("log-list--muted").color)
            return Strip([Segment(_fit("  No log records.", width), muted)])
        return None

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        r = self.rows[row]
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("log-list--cursor")
        look = base
        if r.look and not selected:
            full = self.get_component_rich_style(f"log-list--{r.look}")
            look = base + Style(color=full.color, bold=full.bold)
        muted = base if selected else base + Style(color=self.get_component_rich_style("log-list--muted").color)
        when_w, sev_w = self._when_w, 7
        where_w = max(12, min(40, (width - when_w - sev_w) // 3))
        body_w = max(0, width - when_w - sev_w - where_w - 4)
        segs = [
            Segment(" " + _fit(r.when, when_w - 1), muted), Segment(" ", base),
            Segment(_fit(clean(r.severity), sev_w), look), Segment(" ", base),
            Segment(_fit(clean(r.where), where_w), muted), Segment("  ", base),
            Segment(_fit(clean(r.body), body_w), look if r.look == "error" else base),
        ]
        return Strip(segs).adjust_cell_length(width, base)

    @property
    def selected_row(self) -> LogRow | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def action_select(self) -> None:
        row = self.selected_row
        if row is not None:
            self.post_message(self.Selected(row))

    def row_clicked(self, row: int, x: int, chain: int) -> None:
        if chain == 2:
            self.action_select()
