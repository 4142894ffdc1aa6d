"""Exceptions across the loaded traces (`x` on the trace list): grouped by service, type and
message (numbers and ids masked); Enter lists the traces of a group on the trace list."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from tracetui.analysis.exceptions import ExceptionGroup, exception_groups
from tracetui.model.trace import Trace
from tracetui.ui.screens.base import TraceTuiScreen
from tracetui.ui.widgets.exceptions_table import ExceptionsTable


class ExceptionsScreen(TraceTuiScreen):
    """Esc goes back; Enter lists the chosen group's traces."""

    HELP_TITLE = "Exceptions"
    AUTO_FOCUS = "#exceptions-table"
    BINDINGS: list[BindingType] = [
        Binding("escape", "back", "Back", id="exceptions.back"),
    ]
    DEFAULT_CSS = """
    ExceptionsScreen #exceptions-title { height: 1; padding: 0 1; background: $panel; color: $text; }
    ExceptionsScreen #exceptions-table { height: 1fr; }
    """

    def __init__(self, traces: list[Trace], on_choose: Callable[[ExceptionGroup], None]) -> None:
        super().__init__()
        self.traces = traces
        self.groups: list[ExceptionGroup] = []
        self.on_choose = on_choose

    def compose(self) -> ComposeResult:
        yield Static(f"Grouping the exceptions of {len(self.traces):,} traces…", id="exceptions-title", markup=False)
        yield ExceptionsTable([], utc=self.app.utc, id="exceptions-table", empty_text="Reading the exception events…")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        traces = self.traces
        self.off_the_loop("exceptions", lambda: exception_groups(traces), self._show)  # 1M spans: ~1 s

    def _show(self, groups: list[ExceptionGroup]) -> None:
        self.groups = groups
        events = sum(g.count for g in groups)
        traces = len(set().union(*(g.trace_ids for g in groups))) if groups else 0
        self.query_one("#exceptions-title", Static).update(
            f"Exceptions: {events:,} in {traces:,} trace{'s' if traces != 1 else ''}, "
            f"{len(groups):,} kind{'s' if len(groups) != 1 else ''} · Enter: list the traces · Esc: back")
        self.query_one(ExceptionsTable).show(groups, "No exception events in the loaded traces.")

    def on_exceptions_table_chosen(self, message: ExceptionsTable.Chosen) -> None:
        message.stop()
        self.app.pop_screen()
        self.on_choose(message.group)

    def action_back(self) -> None:
        self.app.pop_screen()
