"""The events of a trace, one line each (a `RowScrollView`): time, span, event, what it says."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from tracetui.model.trace import Trace
from tracetui.render.text import clean
from tracetui.render.units import fmt_duration
from tracetui.ui.palette import service_color
from tracetui.ui.widgets.row_view import RowScrollView, row_bindings
from tracetui.viewmodels.cells import fit
from tracetui.viewmodels.events import EventRow


class EventTable(RowScrollView):
    """Rows of `EventRow`s; Enter posts `Chosen` with the event's span."""

    HELP_TITLE = "Events of the trace"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Go to its span", id="events.choose"),
        *row_bindings("events"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"event-table--header", "event-table--cursor", "event-table--error",
                                             "event-table--muted"}
    DEFAULT_CSS = """
    EventTable > .event-table--header { background: $panel; color: $text; text-style: bold; }
    EventTable > .event-table--cursor { background: $surface-lighten-2; }
    EventTable:focus > .event-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    EventTable > .event-table--error { color: $error; text-style: bold; }
    EventTable > .event-table--muted { color: $text-muted; }
    """

    @dataclass
    class Chosen(Message):
        pos: int

    def __init__(self, trace: Trace, rows: list[EventRow], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trace = trace
        self.rows = rows

    def row_count(self) -> int:
        return len(self.rows)

    def row_key(self, row: int) -> Hashable:
        return row

    def action_choose(self) -> None:
        if 0 <= self.cursor < len(self.rows):
            pos = self.rows[self.cursor].pos
            if pos is None:
                self.notify("this log record names no span of the trace: nothing to go to", timeout=3)
                return
            self.post_message(self.Chosen(pos))

    def row_clicked(self, row: int, x: int, chain: int) -> None:
        if chain >= 2:
            self.action_choose()

    @staticmethod
    def _widths(width: int) -> tuple[int, int, int, int]:
        at, name = 9, 16
        span = max(12, (width - at - name - 3) * 2 // 5)
        return at, span, name, max(0, width - at - span - name - 3)

    def render_header(self, y: int, width: int) -> Strip:
        style = self.get_component_rich_style("event-table--header")
        at, span, name, rest = self._widths(width)
        text = f"{'at':>{at}} {fit('span', span)} {fit('event', name)} {fit('what it says', rest)}"
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        e = self.rows[row]
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("event-table--cursor")
        at, span_w, name_w, rest = self._widths(width)
        err = self.get_component_rich_style("event-table--error")
        muted = self.get_component_rich_style("event-table--muted")
        if e.pos is not None:
            s = self.trace.spans[e.pos]
            colour = Style(color=service_color(self.app, s.service))
            label = f"{clean(s.service, 30)}: {clean(s.name, 200)}"
        else:
            colour, label = muted, clean(e.where, 200)
        segs = [
            Segment(f"{'+' + fmt_duration(e.offset_ns):>{at}} ", base + muted if not selected else base),
            Segment(fit(label, span_w), base + colour if not selected else base),
            Segment(" ", base),
            Segment(fit(clean(e.name, 100), name_w), base + Style(bold=True, color=err.color if e.is_exception else None)),
            Segment(" ", base),
            Segment(fit(clean(e.summary, 400), rest), base + err if e.is_exception and not selected else base),
        ]
        return Strip(segs).adjust_cell_length(width, base)
