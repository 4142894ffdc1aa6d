"""The base of the app's full screens: typed access to the app, and what the app tells screens."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen

from tracetui.ui.typed_app import tui_app

if TYPE_CHECKING:
    from tracetui.ui.app import TraceTuiApp


class TraceTuiScreen(Screen[None]):
    """A screen of the trace explorer. The app calls these hooks on every one in its stack."""

    @property
    def app(self) -> TraceTuiApp:  # the same app, typed as ours
        return tui_app(super().app)

    def spans_arrived(self, trace_ids: frozenset[str], new_ids: set[str]) -> None:
        """Spans of these traces arrived (the trace index is up to date); `new_ids` are to be marked new."""

    def trace_opened(self, trace_id: str) -> None:
        """This trace is being opened in a trace view."""

    def display_changed(self) -> None:
        """The service colours or the time zone changed: draw what shows them again."""

    def system_commands(self) -> Iterable[SystemCommand]:
        """This screen's commands in the command palette."""
        return ()
