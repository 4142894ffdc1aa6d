"""The files feeder: trace dumps parsed in a thread worker while the UI runs (`tracetui FILE…`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from tracetui.loaders.pacing import pacing
from tracetui.loaders.problems import Batch, Problem, ProblemCap
from tracetui.model.gcpause import GcHold
from tracetui.ui.feeders.base import FeederBase
from tracetui.ui.feeders.pacer import GiveWay
from tracetui.ui.messages import LoadProgress

if TYPE_CHECKING:
    from tracetui.ui.app import TraceTuiApp

Loader = Iterable[Batch] | Callable[[], Iterable[Batch]]

# The loader worker hands spans to the app's thread in chunks of this many (each chunk is one
# short call on the UI thread and one SpansArrived), gathering the loader's batches for at
# most FLUSH_SECONDS before handing them over.
CHUNK_SPANS = 10_000
FLUSH_SECONDS = 0.15


class FilesFeeder(FeederBase):
    """Reads `loader` (an iterable of `Batch`es, or a callable returning one) in a thread worker;
    if the iterable has a `progress` attribute (0..1), the status bar shows it."""

    NAME = "files"

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self._loaded_ids: set[str] = set()  # added to the store, not yet announced
        self._gc_hold: GcHold | None = None
        self._app_thread = 0
        self.gave_way = 0.0  # seconds the loader waited for the app's thread (GiveWay)

    def start(self, app: TraceTuiApp) -> None:
        super().start(app)
        self._app_thread = threading.get_ident()
        app.refresh_status(loading=True)
        # Start after the first frame: parsing holds the GIL in long C calls, and the first
        # screen should not wait for it.
        app.call_after_refresh(lambda: app.run_worker(self._load, thread=True, exclusive=True, group="load",
                                                      exit_on_error=False))

    # -- in the worker thread ------------------------------------------------------------------
    def _load(self) -> None:
        """Parse in this thread; hand spans to the app's thread in chunks; post progress."""
        # Millions of new objects make the cyclic GC walk the heap again and again (it doubled
        # the time to summarize traces): it is paused while loading and turned back on, with
        # what was loaded frozen out of later collections, when the last batch is in the list
        # (`_loaded`).
        if self._gc_hold is None:  # one pause for loads that overlap
            self._gc_hold = GcHold()
        # Between pieces of the decode the loader waits while the app's thread is busy: keys
        # and repaints get the interpreter lock to themselves (ui/feeders/pacer.py).
        pacer = GiveWay(self._app_thread)
        try:
            with pacing(pacer):
                self._read(self.loader)
        finally:
            self.gave_way += pacer.waited

    def _read(self, loader: Loader) -> None:
        batches: Iterable[Batch] = loader() if callable(loader) else loader
        pending: list = []
        source = ""  # where the pending spans came from (a store remembers each trace's)
        logs: list = []
        problems: list[Problem] = []
        cap = ProblemCap()  # the app keeps the first problems of each kind and a count of the rest
        last = time.monotonic()
        failure = ""
        first = True
        try:
            for batch in batches:
                if pending and batch.source != source:
                    self._hand_over(pending, problems, getattr(batches, "progress", None), logs, source=source)
                    pending, problems, logs = [], [], []
                    last = time.monotonic()
                source = batch.source
                pending.extend(batch.spans)
                logs.extend(batch.logs)
                if batch.problems:
                    problems.extend(cap.admit(batch.problems))
                # The first spans go out at once (a slow source shows something early); then
                # at most one hand-over per FLUSH_SECONDS.
                if (first and pending) or time.monotonic() - last >= FLUSH_SECONDS:
                    first = first and not pending
                    self._hand_over(pending, problems, getattr(batches, "progress", None), logs, source=source)
                    pending, problems, logs = [], [], []
                    last = time.monotonic()
        except Exception as e:  # a loader should not raise; if one does, say so and keep the rest
            failure = f"loading stopped: {type(e).__name__}: {e}"
        self._hand_over(pending, problems + cap.counted(), 1.0, logs, done=True, failure=failure, source=source)

    def _hand_over(self, spans: list, problems: list[Problem], fraction: float | None, logs: list,
                   done: bool = False, failure: str = "", source: str = "") -> None:
        app = self.app
        for i in range(0, len(spans), CHUNK_SPANS):
            app.call_from_thread(self._add_spans, spans[i:i + CHUNK_SPANS], source)
        for i in range(0, len(logs), CHUNK_SPANS):  # after the spans: a trace's logs find it there
            app.call_from_thread(self._add_logs, logs[i:i + CHUNK_SPANS])
        app.call_from_thread(self._flush_loaded, problems, fraction, done, failure)

    # -- on the app's thread -------------------------------------------------------------------
    def _add_spans(self, spans: list, source: str = "") -> None:
        self._loaded_ids |= self.app.store.add(spans, source=source)

    def _add_logs(self, logs: list) -> None:
        self._loaded_ids |= self.app.store.add_logs(logs)

    def _flush_loaded(self, problems: list[Problem], fraction: float | None, done: bool,
                      failure: str) -> None:
        # One message per hand-over: a trace whose spans came in several chunks is summarized
        # once; the app works through the ids in slices, so keys still get through.
        ids, self._loaded_ids = self._loaded_ids, set()
        if ids or problems:
            self.app.spans_added(ids, problems, mark_new=False)
        self.app.post_message(LoadProgress(fraction, done=done, failure=failure,
                                           then=self._loaded if done else None))

    def _loaded(self) -> None:
        hold, self._gc_hold = self._gc_hold, None
        if hold is not None:
            hold.release(freeze=True)
