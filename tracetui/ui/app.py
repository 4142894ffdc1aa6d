"""The Textual app: built by `make_app`, the one factory the CLI and the tests use."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from tracetui.analysis.trace_list import TraceIndex
from tracetui.loaders.problems import Batch, Problem
from tracetui.model.store import TraceStore
from tracetui.ui.commands import TraceCommands
from tracetui.ui.messages import FollowLink, LoadProgress, OpenTrace, SpansArrived

Loader = Iterable[Batch] | Callable[[], Iterable[Batch]]

# The loader worker hands spans to the app's thread in chunks of this many (each chunk is one
# short call on the UI thread), and tells the views at most every FLUSH_SECONDS.
CHUNK_SPANS = 10_000
FLUSH_SECONDS = 0.15


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
        self._pending_ids: set[str] = set()
        self._pending_problems: list[Problem] = []
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
        self._pending_ids |= self.store.add(spans)

    def _flush_loaded(self, problems: list[Problem], fraction: float | None, done: bool,
                      failure: str) -> None:
        ids, self._pending_ids = self._pending_ids, set()
        if ids or problems:
            self.post_message(SpansArrived(ids, problems, mark_new=False))
        self.post_message(LoadProgress(fraction, done=done, failure=failure))

    # -- feeding -------------------------------------------------------------------------------
    def on_spans_arrived(self, message: SpansArrived) -> None:
        self.problems.extend(message.problems)
        new = self.index.update(self.store, message.trace_ids)
        for screen in self.screen_stack:
            handler = getattr(screen, "spans_arrived", None)
            if handler is not None:
                handler(message.trace_ids, new if message.mark_new else set())
        self.refresh_status()

    def on_load_progress(self, message: LoadProgress) -> None:
        if message.done:
            self.refresh_status(loading=False, fraction=None, failure=message.failure)
        else:
            self.refresh_status(loading=True, fraction=message.fraction)

    # -- navigation ----------------------------------------------------------------------------
    def on_open_trace(self, message: OpenTrace) -> None:
        self.open_trace(message.trace_id, message.span_id)

    def open_trace(self, trace_id: str, span_id: str = "") -> bool:
        from tracetui.ui.screens.trace_view import TraceViewScreen

        trace = self.store.get(trace_id)
        if trace is None:
            self.notify(f"trace {trace_id} is not loaded", severity="warning")
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
