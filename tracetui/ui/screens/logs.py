"""The log records that name no trace (a service's start-up lines, a job's output): counted in
the status bar and on the problems screen, listed here. Enter shows a record in full."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

from tracetui.model.log import LogRecord
from tracetui.ui.widgets.log_list import LogList
from tracetui.viewmodels.log_rows import traceless_log_rows
from tracetui.viewmodels.span_fields import fmt_value


def record_text(r: LogRecord) -> str:
    """A record in full, for the value view: its body, then every field and attribute."""
    lines = [r.body, "", f"severity: {r.severity_name or 'unspecified'} ({r.severity})",
             f"time_unix_nano: {r.time_ns}", f"service: {r.service}"]
    if r.scope.name:
        lines.append(f"scope: {r.scope.name}")
    if r.event_name:
        lines.append(f"event: {r.event_name}")
    if r.trace_id:
        lines.append(f"trace id: {r.trace_id}")
    if r.span_id:
        lines.append(f"span id: {r.span_id}")
    lines.extend(f"{k}: {fmt_value(v)}" for k, v in r.attributes.items())
    return "\n".join(lines)


class TracelessLogsScreen(ModalScreen[None]):
    """Every record of no trace, as they came. Esc closes; Enter shows one in full."""

    HELP_TITLE = "Logs without a trace"
    BINDINGS: list[BindingType] = [
        Binding("escape,q", "dismiss", "Close", id="traceless.close"),
    ]
    DEFAULT_CSS = """
    TracelessLogsScreen { align: center middle; }
    TracelessLogsScreen > LogList { width: 95%; height: 85%; border: round $accent; }
    """

    def __init__(self, records: Sequence[LogRecord], utc: bool = False) -> None:
        super().__init__()
        self.records = list(records)
        self.utc = utc

    def compose(self) -> ComposeResult:
        yield LogList(id="traceless-logs")

    def on_mount(self) -> None:
        view = self.query_one(LogList)
        n = len(self.records)
        view.set_rows(traceless_log_rows(self.records, self.utc),
                      f"{n:,} log record{'s' if n != 1 else ''} that name no trace · Enter: in full · Esc: close")
        view.focus()

    def on_log_list_selected(self, message: LogList.Selected) -> None:
        from tracetui.ui.screens.value import ValueScreen

        message.stop()
        self.app.push_screen(ValueScreen("log record", record_text(message.row.record)))
