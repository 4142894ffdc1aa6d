"""The feeder protocol: how a source of spans (files, the OTLP receiver, a backend) plugs into the app.

The app (`tracetui.ui.app.TraceTuiApp`) is one class; what it shows comes from the feeders given to
it. A feeder:

- `start(app)` once the first screen is up (on the app's thread); `stop()` when the app closes;
- `status_note()`: its part of the status bar ("" for none), read each time the status is refreshed;
  `NOTE_AT_END` puts it at the end of the line in the accent colour (what a backend search shows)
  instead of after the counts;
- `BINDINGS`: its keys. The app adds them to its own (their actions run `action_<name>` on the
  feeder) and asks the feeder's `check_action` whether each is shown (True), shown disabled
  (None) or hidden (False) in the footer;
- `trace_opened(trace_id)`: the user opened a trace (a backend fetches it again).

Threading rule: the store is only changed on the app's thread. A feeder that reads in a thread
(`app.run_worker(..., thread=True)`) hands spans over with `app.call_from_thread`; on the app's
thread it adds them to `app.store` and calls `app.spans_added(trace_ids, problems, mark_new=…)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from textual.binding import BindingType

if TYPE_CHECKING:
    from tracetui.ui.app import TraceTuiApp


@runtime_checkable
class Feeder(Protocol):
    """A source of spans plugged into the app (see the module's docstring)."""

    NAME: ClassVar[str]
    BINDINGS: ClassVar[list[BindingType]]
    NOTE_AT_END: ClassVar[bool]

    def start(self, app: TraceTuiApp) -> None: ...

    async def stop(self) -> None: ...

    def status_note(self) -> str: ...

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None: ...

    def trace_opened(self, trace_id: str) -> None: ...


class FeederBase:
    """Defaults for every part of the protocol: a new feeder overrides only what it needs."""

    NAME: ClassVar[str] = "feeder"
    BINDINGS: ClassVar[list[BindingType]] = []
    NOTE_AT_END: ClassVar[bool] = False

    _app: TraceTuiApp | None = None

    @property
    def app(self) -> TraceTuiApp:
        """The app this feeder was started in."""
        if self._app is None:
            raise RuntimeError(f"the {self.NAME} feeder is not started")
        return self._app

    def start(self, app: TraceTuiApp) -> None:
        self._app = app

    async def stop(self) -> None:
        return None

    def status_note(self) -> str:
        return ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return True

    def trace_opened(self, trace_id: str) -> None:
        return None
