"""Every event and log record of the open trace in time order; Enter goes to its span (issue 16)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tracetui.model.trace import Trace
from tracetui.render.units import count
from tracetui.ui.widgets.event_table import EventTable
from tracetui.viewmodels.events import trace_events


class EventsScreen(ModalScreen[int | None]):
    """Dismissed with the chosen event's span position (None: Esc)."""

    HELP_TITLE = "Events list"
    BINDINGS: list[BindingType] = [
        Binding("escape,q,x", "dismiss", "Close", id="events.close"),
    ]
    DEFAULT_CSS = """
    EventsScreen { align: center middle; }
    EventsScreen > Vertical { width: 95%; height: 85%; border: round $accent; background: $surface; }
    EventsScreen EventTable { height: 1fr; }
    EventsScreen #events-empty { padding: 1 2; color: $text-muted; }
    """

    def __init__(self, trace: Trace) -> None:
        super().__init__()
        self.trace = trace
        self.rows, self.total = trace_events(trace)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            shown = "" if self.total == len(self.rows) else f", the first {len(self.rows):,} shown"
            logs = len(self.trace.logs)
            what = count(self.total - logs, "event") + (f", {count(logs, 'log record')}" if logs else "")
            box.border_title = f"{what} in time order{shown} · Enter: go to its span · Esc: close"
            if not self.rows:
                yield Static("This trace has no events and no log records.",
                             id="events-empty", markup=False)
            else:
                yield EventTable(self.trace, self.rows, id="event-table")

    def on_mount(self) -> None:
        if self.rows:
            self.query_one(EventTable).focus()

    def on_event_table_chosen(self, message: EventTable.Chosen) -> None:
        self.dismiss(message.pos)

    def action_dismiss(self, result: int | None = None) -> None:  # type: ignore[override]
        self.dismiss(result)
