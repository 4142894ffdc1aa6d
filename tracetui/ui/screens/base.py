"""The base of the app's full screens: typed access to the app, and what the app tells screens."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from textual.app import SystemCommand
from textual.screen import Screen
from textual.worker import get_current_worker

from tracetui.ui.typed_app import tui_app

if TYPE_CHECKING:
    from tracetui.ui.app import TraceTuiApp

T = TypeVar("T")


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

    def off_the_loop(self, group: str, compute: Callable[[], T], show: Callable[[T], None]) -> None:
        """`compute()` in a thread, then `show(result)` on the event loop, unless a newer call of
        the same `group` cancelled it meanwhile: for panels that read every trace (at a million
        spans that takes seconds, which the event loop must not wait for)."""
        def run() -> None:
            result = compute()
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(show, result)

        self.run_worker(run, thread=True, exclusive=True, group=group, exit_on_error=False)
