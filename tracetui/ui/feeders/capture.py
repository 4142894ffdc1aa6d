"""The capture feeder: follows a capture file that `tracetui record` is writing (a browser tab of
`tracetui serve --listen`): every half second, the lines added are read in a thread worker and
their spans added, new traces marked as in live mode."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from tracetui.sources.tail import CaptureTail
from tracetui.ui.feeders.base import FeederBase

if TYPE_CHECKING:
    from tracetui.ui.app import TraceTuiApp

POLL_SECONDS = 0.5


class CaptureFeeder(FeederBase):
    NAME = "capture"

    def __init__(self, path: str, label: str = "") -> None:
        self.tail = CaptureTail(path)
        self.label = label or path
        self.received = 0
        self._stop = threading.Event()
        self._first = True

    def start(self, app: TraceTuiApp) -> None:
        super().start(app)
        app.run_worker(self._follow, thread=True, exclusive=True, group="capture", exit_on_error=False)

    async def stop(self) -> None:
        self._stop.set()

    def status_note(self) -> str:
        return f"● live {self.label} · {self.received:,} received"

    # -- in the worker thread ------------------------------------------------------------------
    def _follow(self) -> None:
        while not self._stop.is_set():
            batches = self.tail.read_new()
            if batches and not self._stop.is_set():
                try:
                    self.app.call_from_thread(self._add, batches)
                except RuntimeError:  # the app is closing
                    return
            self._stop.wait(POLL_SECONDS)

    # -- on the app's thread -------------------------------------------------------------------
    def _add(self, batches: list) -> None:
        ids: set[str] = set()
        problems = []
        for b in batches:
            if b.spans:
                ids |= self.app.store.add(b.spans)
                self.received += len(b.spans)
            problems.extend(b.problems)
        mark_new, self._first = not self._first, False
        if ids or problems:
            self.app.spans_added(ids, problems, mark_new=mark_new)
        self.app.refresh_status()
