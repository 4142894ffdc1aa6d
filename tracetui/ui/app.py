"""The Textual app: built by `make_app`, the one factory the CLI and the tests use."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from tracetui.loaders.problems import Batch, Problem
from tracetui.model.gcpause import GcHold
from tracetui.model.store import TraceStore
from tracetui.render.text import clean
from tracetui.ui.commands import TraceCommands
from tracetui.ui.messages import FollowLink, LoadProgress, OpenTrace, SpansArrived
from tracetui.viewmodels.trace_list import TraceIndex

Loader = Iterable[Batch] | Callable[[], Iterable[Batch]]

# The loader worker hands spans to the app's thread in chunks of this many (each chunk is one
# short call on the UI thread and one SpansArrived), gathering the loader's batches for at
# most FLUSH_SECONDS before handing them over.
CHUNK_SPANS = 10_000
FLUSH_SECONDS = 0.15
# Arriving traces are summarized this many per turn of the event loop (~20-40 ms), and the list
# re-sorted and redrawn at most every VIEW_SECONDS while a big batch is worked through.
SLICE_TRACES = 1500
VIEW_SECONDS = 0.25


@dataclass(frozen=True, slots=True)
class Status:
    """What the status bar shows."""

    spans: int = 0
    traces: int = 0
    loading: bool = False
    fraction: float | None = None
    problems: int = 0
    skipped: int = 0
    evicted_traces: int = 0
    duplicate_spans: int = 0
    failure: str = ""
    note: str = ""  # a feeder's own line, e.g. "listening on 127.0.0.1:4318 · 2,300 spans/s"
    live: str = ""  # browsing a backend: the search, follow state, last refresh (ui/backend_app.py)


class TraceTuiApp(App[None]):
    """The trace explorer. Holds the store and the trace index; screens read them."""

    CSS_PATH = "tracetui.tcss"
    TITLE = "tracetui"
    HELP_TITLE = "Everywhere"
    COMMANDS = App.COMMANDS | {TraceCommands}

    BINDINGS: list[BindingType] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("exclamation_mark", "problems", "Problems", show=False, id="app.problems"),
    ]

    status: reactive[Status] = reactive(Status, init=False, always_update=True)

    def __init__(self, store: TraceStore, problems: Iterable[Problem] = (), sources: Iterable[str] = (),
                 loader: Loader | None = None, *, utc: bool = False, **options: Any) -> None:
        super().__init__()
        self.store = store
        self.problems: list[Problem] = list(problems)
        self.sources = list(sources)
        self.loader = loader
        self.utc = utc
        self.options = options
        self.index = TraceIndex()
        self.index.update(store, list(store.traces))
        self._loaded_ids: set[str] = set()  # added by the loader, not yet announced
        self._dirty: dict[str, None] = {}  # traces to summarize, in arrival order (a set with order)
        self._mark_new: set[str] = set()  # of those, the ones a feeder wants marked when new
        self._drained: set[str] = set()  # summarized since the screens were last told
        self._drained_new: set[str] = set()
        self._draining = False
        self._last_view = 0.0
        self._load_finished: str | None = None  # the loader's failure text once it is done
        self.set_reactive(TraceTuiApp.status, self._status(loading=loader is not None))

    # -- start ---------------------------------------------------------------------------------
    def on_mount(self) -> None:
        from tracetui.ui.screens.trace_list import TraceListScreen

        self.push_screen(TraceListScreen())
        if self.loader is not None:
            # Start after the first frame: parsing holds the GIL in long C calls, and the
            # first screen should not wait for it.
            loader = self.loader
            self.call_after_refresh(lambda: self._load(loader))

    def _status(self, **changes: Any) -> Status:
        base = getattr(self, "_status_value", None) or Status()
        st = replace(
            base,
            spans=self.store.span_count,
            traces=len(self.store),
            problems=len(self.problems),
            skipped=sum(p.skipped for p in self.problems),
            evicted_traces=self.store.evicted_traces,
            duplicate_spans=self.store.duplicate_spans,
            **changes,
        )
        self._status_value = st
        return st

    def refresh_status(self, **changes: Any) -> None:
        self.status = self._status(**changes)

    # -- background loading --------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self, loader: Loader) -> None:
        """Parse in this thread; hand spans to the app's thread in chunks; post progress."""
        # Millions of new objects make the cyclic GC walk the heap again and again (it doubled
        # the time to summarize traces): it is paused while loading and turned back on, with
        # what was loaded frozen out of later collections, when the last batch has been handled
        # (`on_load_progress`).
        if getattr(self, "_gc_hold", None) is None:  # one pause for loads that overlap
            self._gc_hold = GcHold()
        self._read(loader)

    def _read(self, loader: Loader) -> None:
        batches: Iterable[Batch] = loader() if callable(loader) else loader
        pending: list = []
        problems: list[Problem] = []
        last = time.monotonic()
        failure = ""
        first = True
        try:
            for batch in batches:
                pending.extend(batch.spans)
                problems.extend(batch.problems)
                # The first spans go out at once (a slow source shows something early); then
                # at most one hand-over per FLUSH_SECONDS.
                if (first and pending) or time.monotonic() - last >= FLUSH_SECONDS:
                    first = first and not pending
                    self._hand_over(pending, problems, getattr(batches, "progress", None))
                    pending, problems = [], []
                    last = time.monotonic()
        except Exception as e:  # a loader should not raise; if one does, say so and keep the rest
            failure = f"loading stopped: {type(e).__name__}: {e}"
        self._hand_over(pending, problems, 1.0, done=True, failure=failure)

    def _hand_over(self, spans: list, problems: list[Problem], fraction: float | None,
                   done: bool = False, failure: str = "") -> None:
        for i in range(0, len(spans), CHUNK_SPANS):
            self.call_from_thread(self._add_spans, spans[i:i + CHUNK_SPANS])
        self.call_from_thread(self._flush_loaded, problems, fraction, done, failure)

    def _add_spans(self, spans: list) -> None:
        self._loaded_ids |= self.store.add(spans)

    def _flush_loaded(self, problems: list[Problem], fraction: float | None, done: bool,
                      failure: str) -> None:
        # One message per hand-over: a trace whose spans came in several chunks is summarized
        # once; the app works through the ids in slices (_drain), so keys still get through.
        ids, self._loaded_ids = self._loaded_ids, set()
        if ids or problems:
            self.post_message(SpansArrived(ids, problems, mark_new=False))
        self.post_message(LoadProgress(fraction, done=done, failure=failure))

    # -- feeding -------------------------------------------------------------------------------
    def on_spans_arrived(self, message: SpansArrived) -> None:
        """Queue the traces; summarize them slice by slice between other events (_drain_slice)."""
        self.problems.extend(message.problems)
        dirty = self._dirty
        for tid in message.trace_ids:
            dirty[tid] = None
        if message.mark_new:
            self._mark_new.update(message.trace_ids)
        if message.problems and not message.trace_ids:
            self.refresh_status()
        if self._draining or not dirty:
            return
        if len(dirty) <= SLICE_TRACES:
            self._drain_slice()  # a live trickle: at once
            self._after_drain()
        else:
            self._draining = True
            self._drain_big()

    @work(group="drain", exit_on_error=False)
    async def _drain_big(self) -> None:
        """Work through many traces in slices, yielding to the event loop between them so that
        keys are handled and the screen repaints (the pump never idles while callbacks chain)."""
        try:
            while self._dirty:
                self._drain_slice()
                await asyncio.sleep(0.002)
        finally:
            self._draining = False
            self._after_drain()

    def _drain_slice(self) -> None:
        """Summarize up to SLICE_TRACES queued traces; re-sort and tell the screens at the end
        of the queue, and at most every VIEW_SECONDS during a long drain."""
        dirty = self._dirty
        ids = list(islice(dirty, SLICE_TRACES))
        for tid in ids:
            del dirty[tid]
        new = self.index.update(self.store, ids, reorder=False)
        self._drained.update(ids)
        if self._mark_new:
            self._drained_new |= new & self._mark_new
            self._mark_new.difference_update(ids)
        now = time.monotonic()
        if not dirty or now - self._last_view >= VIEW_SECONDS:
            self._last_view = now
            self.index.reorder()
            done, self._drained = frozenset(self._drained), set()
            new_ids, self._drained_new = self._drained_new, set()
            for screen in self.screen_stack:
                handler = getattr(screen, "spans_arrived", None)
                if handler is not None:
                    handler(done, new_ids)
            self.refresh_status()

    def _after_drain(self) -> None:
        if self._load_finished is not None and not self._dirty:
            self._finish_load(self._load_finished)

    def on_load_progress(self, message: LoadProgress) -> None:
        if message.done:
            self._load_finished = message.failure
            if not self._draining:
                self._finish_load(message.failure)
        else:
            self.refresh_status(loading=True, fraction=message.fraction)

    def _finish_load(self, failure: str) -> None:
        """The loader is done and every trace it brought is in the list."""
        self._load_finished = None
        hold, self._gc_hold = getattr(self, "_gc_hold", None), None
        if hold is not None:
            hold.release(freeze=True)
        self.refresh_status(loading=False, fraction=None, failure=failure)

    # -- navigation ----------------------------------------------------------------------------
    def on_open_trace(self, message: OpenTrace) -> None:
        self.open_trace(message.trace_id, message.span_id)

    def open_trace(self, trace_id: str, span_id: str = "") -> bool:
        from tracetui.ui.screens.trace_view import TraceViewScreen

        trace = self.store.get(trace_id)
        if trace is None:
            self.notify(f"trace {clean(trace_id, 64)} is not loaded", severity="warning", markup=False)
            return False
        for screen in self.screen_stack:
            mark = getattr(screen, "trace_opened", None)
            if mark is not None:
                mark(trace_id)
        if isinstance(self.screen, TraceViewScreen):
            self.switch_screen(TraceViewScreen(trace, span_id=span_id))
        else:
            self.push_screen(TraceViewScreen(trace, span_id=span_id))
        return True

    def on_follow_link(self, message: FollowLink) -> None:
        self.open_trace(message.trace_id, message.span_id)

    def action_help(self) -> None:
        from tracetui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_problems(self) -> None:
        from tracetui.ui.screens.problems import ProblemsScreen

        if not isinstance(self.screen, ProblemsScreen):
            self.push_screen(ProblemsScreen(self.problems))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: every key", "List every key binding", self.action_help)
        if self.problems:
            yield SystemCommand("Show problems", "Lines and spans that could not be read",
                                self.action_problems)
        extra = getattr(screen, "system_commands", None)
        if extra is not None:
            yield from extra()


def make_app(store: TraceStore, problems: Iterable[Problem] = (), sources: Iterable[str] = (),
             loader: Loader | None = None, **options: Any) -> TraceTuiApp:
    """Build the app: the CLI and the tests both call this.

    `loader` (optional) is an iterable of `Batch`es, or a callable returning one, read in a thread
    worker while the UI runs; if it has a `progress` attribute (0..1), the status bar shows it.
    Options: `utc=True` shows times in UTC.

    Feeding it live data (a receiver, a backend poller), on the app's thread:
        ids = app.store.add(spans)                       # the store changes on this thread only
        app.post_message(SpansArrived(ids, problems))    # list, marks and open view update
        app.refresh_status(note="listening on …")        # optional line in the status bar
    From another thread, wrap the first two lines in a function and `app.call_from_thread` it.
    """
    if options.get("live") is not None:  # tracetui --listen: the OTLP receivers feed the app
        from tracetui.ui.live import LiveTraceTuiApp

        return LiveTraceTuiApp(store, problems=problems, sources=sources, loader=loader, **options)
    if options.get("backends"):  # browsing Jaeger/Tempo/Zipkin: search screen, follow (ui/backend_app.py)
        from tracetui.ui.backend_app import with_backend

        return with_backend(TraceTuiApp)(store, problems=problems, sources=sources, loader=loader, **options)
    return TraceTuiApp(store, problems=problems, sources=sources, loader=loader, **options)
