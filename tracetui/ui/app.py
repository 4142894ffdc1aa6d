"""The Textual app: one class, fed by the feeders plugged into it (tracetui/ui/feeders/).

`make_app` builds it with the feeders its typed options ask for; the CLI and the tests call it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import time
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import actions, events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import get_current_worker

from tracetui.loaders.problems import Problem, ProblemLog, problem_count
from tracetui.model.store import TraceStore
from tracetui.render.text import clean
from tracetui.ui.commands import TraceCommands
from tracetui.ui.feeders.base import Feeder
from tracetui.ui.feeders.files import Loader
from tracetui.ui.messages import FilterIndexProgress, FollowLink, LoadProgress, OpenTrace, SpansArrived
from tracetui.ui.screens.base import TraceTuiScreen
from tracetui.ui.settings import Remembered, load_keymap, load_remembered, save_remembered
from tracetui.ui.status import Status
from tracetui.viewmodels.colours import ServiceColours
from tracetui.viewmodels.trace_list import TraceIndex

if TYPE_CHECKING:
    from tracetui.sources.backends import Backend, SearchParams
    from tracetui.sources.receiver.config import LiveConfig

F = TypeVar("F", bound=Feeder)

# Arriving traces are summarized a slice at a time between the event loop's other work: a slice
# ends after SLICE_SECONDS (or SLICE_TRACES traces), so a key waits for one slice at most
# however big the traces are (the drain of a 1M-span load took steps of 20-70 ms when slices
# were counted in traces). The list is re-sorted and redrawn at the end of the queue, and at
# most every VIEW_SECONDS while a big batch is worked through.
SLICE_SECONDS = 0.004
SLICE_TRACES = 1500
_SLICE_STEP = 16  # traces summarized between two looks at the clock
VIEW_SECONDS = 0.25

# A load of at least this many spans gets a filter index (model/filter_index.py) built in the
# background; below it the plain filter takes well under 0.2 s.
INDEX_MIN_SPANS = 50_000
INDEX_PROGRESS_SECONDS = 0.25

# What counts as the user doing something (a live feeder waits for a quiet moment to collect).
_INPUT_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)


class TraceTuiApp(App[None]):
    """The trace explorer. Holds the store and the trace index; screens read them; feeders fill them."""

    CSS_PATH = Path(__file__).with_name("tracetui.tcss")  # absolute: a subclass elsewhere finds it too
    TITLE = "tracetui"
    HELP_TITLE = "Everywhere"
    COMMANDS = App.COMMANDS | {TraceCommands}

    BINDINGS: list[BindingType] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("exclamation_mark", "problems", "Problems", show=False, id="app.problems"),
        Binding("ctrl+t", "toggle_utc", "UTC or local time", show=False, id="app.toggle_utc"),
    ]

    # No repaint of its own: the widgets that show the status watch it. (A reactive of the app
    # repaints the whole screen when it changes: every step of a load repainted every widget.)
    status: reactive[Status] = reactive(Status, init=False, always_update=True, repaint=False)

    def __init__(self, store: TraceStore, *, feeders: Iterable[Feeder] = (), problems: Iterable[Problem] = (),
                 sources: Iterable[str] = (), utc: bool = False, palette: str | None = None,
                 remember: bool = True) -> None:
        super().__init__()
        self.store = store
        self.problems = ProblemLog(problems)  # bounded: a live session may run for days
        self.sources = list(sources)
        self.remembered, self._settings_problems = load_remembered() if remember else (Remembered(), None)
        self.remember = remember
        self.utc = utc or bool(self.remembered.utc)
        try:
            self.colours = ServiceColours(palette or self.remembered.palette)
        except ValueError as e:
            self.colours = ServiceColours()
            self._settings_problems = str(e)
        self.feeders: list[Feeder] = list(feeders)
        names = [f.NAME for f in self.feeders]
        if len(set(names)) != len(names):
            raise ValueError(f"two feeders with the same name: {names}")
        self._by_name = {f.NAME: f for f in self.feeders}
        self.feeder_bindings = [_routed(f, b) for f in self.feeders for b in Binding.make_bindings(f.BINDINGS)]
        for b in self.feeder_bindings:  # after the app's own: they come after them in footer and help
            self._bindings._add_binding(b)
        self.index = TraceIndex()
        self.back_stack: list[tuple[str, str]] = []  # (trace id, span id) a followed link left
        self.forward_stack: list[tuple[str, str]] = []
        self.index.update(store, list(store.traces))
        self.last_input = 0.0  # time.monotonic() of the last key or mouse press
        self._dirty: dict[str, None] = {}  # traces to summarize, in arrival order (a set with order)
        self._mark_new: set[str] = set()  # of those, the ones a feeder wants marked when new
        self._drained: set[str] = set()  # summarized since the screens were last told
        self._drained_new: set[str] = set()
        self._draining = False
        self._last_view = 0.0
        self._view_timer: Timer | None = None  # a redraw of the list due (see _drain_slice)
        self._load_finished: LoadProgress | None = None  # the last progress of a load, once done
        self.set_reactive(TraceTuiApp.status, self._status(Status()))

    def feeder(self, kind: type[F]) -> F:
        """The plugged-in feeder of this class (KeyError when there is none)."""
        for f in self.feeders:
            if isinstance(f, kind):
                return f
        raise KeyError(kind.__name__)

    # -- start and stop ------------------------------------------------------------------------
    def on_mount(self) -> None:
        from tracetui.ui.screens.help import all_binding_ids
        from tracetui.ui.screens.trace_list import TraceListScreen

        if self.remembered.theme in self.available_themes:
            self.theme = self.remembered.theme
        keymap, problems = load_keymap(all_binding_ids())
        if keymap:
            self.set_keymap(keymap)
        for problem in [self._settings_problems, *problems]:
            if problem:
                self.notify(problem, severity="warning", timeout=10, markup=False)
        self.watch(self, "theme", self._remember_choices, init=False)
        self.push_screen(TraceListScreen())
        for f in self.feeders:
            f.start(self)

    async def on_unmount(self) -> None:
        for f in self.feeders:
            await f.stop()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _INPUT_EVENTS):
            self.last_input = time.monotonic()
        await super().on_event(event)

    # -- choices kept between runs (ui/settings.py) -----------------------------------------------
    def _remember_choices(self) -> None:
        if not self.remember:
            return
        self.remembered = Remembered(theme=self.theme, palette=self.colours.palette_name, utc=self.utc)
        problem = save_remembered(self.remembered)
        if problem:
            self.notify(problem, severity="warning", markup=False)

    def set_palette(self, name: str) -> None:
        """Switch the service colours (`default` or `colorblind`); every view redraws."""
        self.colours.use_palette(name)
        for screen in self._tui_screens():
            screen.display_changed()
        self._remember_choices()

    def action_toggle_utc(self) -> None:
        """Times in UTC or in local time, everywhere, at once."""
        self.utc = not self.utc
        for screen in self._tui_screens():
            screen.display_changed()
        self._remember_choices()
        self.notify(f"times in {'UTC' if self.utc else 'local time'}", timeout=2)

    # -- status --------------------------------------------------------------------------------
    def _status(self, base: Status, **changes: Any) -> Status:
        notes = [(f.NOTE_AT_END, f.status_note()) for f in self.feeders]
        return dataclasses.replace(
            base,
            spans=self.store.span_count,
            traces=len(self.store),
            problems=problem_count(self.problems),
            skipped=sum(p.skipped for p in self.problems),
            evicted_traces=self.store.evicted_traces,
            duplicate_spans=self.store.duplicate_spans,
            logs=self.store.log_count,
            traceless_logs=len(self.store.traceless_logs),
            note=" · ".join(n for at_end, n in notes if n and not at_end),
            live=" · ".join(n for at_end, n in notes if n and at_end),
            **changes,
        )

    def refresh_status(self, **changes: Any) -> None:
        """Count again, ask the feeders for their notes, and apply `changes` (loading, fraction, failure)."""
        self.status = self._status(self.status, **changes)

    # -- feeders' keys -------------------------------------------------------------------------
    async def action_feeder(self, name: str, action: str, *params: object) -> None:
        result = getattr(self._by_name[name], f"action_{action}")(*params)
        if inspect.isawaitable(result):
            await result

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "feeder" and parameters:
            name, feeder_action, *rest = parameters
            return self._by_name[str(name)].check_action(str(feeder_action), tuple(rest))
        return True

    # -- feeding -------------------------------------------------------------------------------
    def spans_added(self, trace_ids: Iterable[str], problems: Iterable[Problem] = (), *,
                    mark_new: bool) -> None:
        """A feeder added these traces' spans to the store (on this thread): tell the views."""
        self.post_message(SpansArrived(trace_ids, problems, mark_new=mark_new))

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
        self._drain_slice()  # a live trickle: at once (the rest, if any, slice by slice)
        if dirty:
            self._draining = True
            self._drain_big()
        else:
            self._after_drain()

    @work(group="drain", exit_on_error=False)
    async def _drain_big(self) -> None:
        """Work through many traces in slices, yielding to the event loop between them so that
        keys are handled and the screen repaints (the pump never idles while callbacks chain)."""
        try:
            while self._dirty:
                self._drain_slice()
                # Keys, timers and repaints run between two slices. (No pause here: a loader
                # thread gives way while this thread is busy, see ui/feeders/pacer.py; a pause
                # would leave both idle.)
                await asyncio.sleep(0)
        finally:
            self._draining = False
            self._after_drain()

    def _drain_slice(self) -> None:
        """Summarize queued traces for SLICE_SECONDS (up to SLICE_TRACES); re-sort and tell the
        screens at the end of the queue, and at most every VIEW_SECONDS during a long drain."""
        dirty = self._dirty
        deadline = time.perf_counter() + SLICE_SECONDS
        summarized = 0
        while dirty and summarized < SLICE_TRACES:
            ids = list(islice(dirty, min(_SLICE_STEP, SLICE_TRACES - summarized)))
            for tid in ids:
                del dirty[tid]
            new = self.index.update(self.store, ids, reorder=False)
            self._drained.update(ids)
            if self._mark_new:
                self._drained_new |= new & self._mark_new
                self._mark_new.difference_update(ids)
            summarized += len(ids)
            if time.perf_counter() >= deadline:
                break
        now = time.monotonic()
        if now - self._last_view >= VIEW_SECONDS or (not dirty and not self.status.loading):
            self._show_drained()
        elif not dirty and self._view_timer is None:
            # A bulk load: the list is redrawn every VIEW_SECONDS, not after every hand-over
            # (a redraw of the list is the longest step of the event loop while loading).
            self._view_timer = self.set_timer(VIEW_SECONDS - (now - self._last_view), self._show_late)

    def _show_late(self) -> None:
        self._view_timer = None
        if self._drained or self._drained_new:
            self._show_drained()

    def _show_drained(self) -> None:
        """Re-sort the list and tell the screens about the traces summarized since the last time."""
        self._last_view = time.monotonic()
        self.index.reorder()
        done, self._drained = frozenset(self._drained), set()
        new_ids, self._drained_new = self._drained_new, set()
        for screen in self._tui_screens():
            screen.spans_arrived(done, new_ids)
        self.refresh_status()

    def _after_drain(self) -> None:
        if self._load_finished is not None and not self._dirty:
            self._finish_load(self._load_finished)

    def on_load_progress(self, message: LoadProgress) -> None:
        if message.done:
            self._load_finished = message
            if not self._draining:
                self._finish_load(message)
        else:
            self.refresh_status(loading=True, fraction=message.fraction)

    def _finish_load(self, message: LoadProgress) -> None:
        """The load is done and every trace it brought is in the list."""
        self._load_finished = None
        if self._drained or self._drained_new:
            self._show_drained()
        if message.then is not None:
            message.then()
        self.refresh_status(loading=False, fraction=None, failure=message.failure)
        self.start_filter_index()

    # -- the filter index ------------------------------------------------------------------------
    def start_filter_index(self) -> None:
        """Index the traces loaded for the list's filter, in a thread (a newer build replaces a
        running one). Until it is done the filter tests every span, as without an index; traces
        that arrive or change later are tested that way too (`FilterIndex.matching`)."""
        if self.store.span_count < INDEX_MIN_SPANS:
            return
        traces = list(self.store)
        self.refresh_status(indexing=0.0)
        self.run_worker(lambda: self._build_filter_index(traces), thread=True, exclusive=True,
                        group="filter-index", exit_on_error=False)

    def _build_filter_index(self, traces: list) -> None:
        from tracetui.model.filter_index import FilterIndex

        worker = get_current_worker()
        shown = [time.monotonic()]

        def progress(fraction: float) -> None:
            now = time.monotonic()
            if now - shown[0] >= INDEX_PROGRESS_SECONDS:
                shown[0] = now
                self.post_message(FilterIndexProgress(fraction))

        t = time.perf_counter()
        built = FilterIndex.build(traces, progress, lambda: worker.is_cancelled)
        if built is not None:
            self.post_message(FilterIndexProgress(1.0, built, time.perf_counter() - t))

    def on_filter_index_progress(self, message: FilterIndexProgress) -> None:
        if message.index is not None:
            self.index.filter_index = message.index  # type: ignore[assignment]
            self.refresh_status(indexing=None)
        elif self.status.indexing is not None:
            self.refresh_status(indexing=message.fraction)

    # -- navigation ----------------------------------------------------------------------------
    def _tui_screens(self) -> list[TraceTuiScreen]:
        return [s for s in self.screen_stack if isinstance(s, TraceTuiScreen)]

    def on_open_trace(self, message: OpenTrace) -> None:
        self.back_stack.clear()  # opened from the list: a new walk starts
        self.forward_stack.clear()
        self.open_trace(message.trace_id, message.span_id)

    def open_trace(self, trace_id: str, span_id: str = "", *, tell_feeders: bool = True,
                   linked_from: tuple[str, str] | None = None) -> bool:
        """Show a trace (at a span); `linked_from` (trace id, span id): the span whose link led here."""
        from tracetui.ui.screens.trace_view import TraceViewScreen

        trace = self.store.get(trace_id)
        if trace is None:
            self.notify(f"trace {clean(trace_id, 64)} is not loaded", severity="warning", markup=False)
            return False
        for screen in self._tui_screens():
            screen.trace_opened(trace_id)
        view = TraceViewScreen(trace, span_id=span_id, linked_from=linked_from)
        if isinstance(self.screen, TraceViewScreen):
            self.switch_screen(view)
        else:
            self.push_screen(view)
        if tell_feeders:
            for f in self.feeders:
                f.trace_opened(trace_id)
        return True

    # -- history of followed links (back: Esc or alt+left, forward: alt+right) ------------------
    def follow(self, here: tuple[str, str], trace_id: str, span_id: str) -> bool:
        """Follow a link from span `here` (trace id, span id): it goes on the back stack."""
        if self.store.get(trace_id) is None:
            self.notify(f"trace {clean(trace_id, 64)} is not loaded", severity="warning", markup=False)
            return False
        self.back_stack.append(here)
        self.forward_stack.clear()
        return self.open_trace(trace_id, span_id, linked_from=here)

    def go_back(self, here: tuple[str, str]) -> bool:
        """Return to where the last link was followed from; False when there is nowhere."""
        return self._travel(self.back_stack, self.forward_stack, here)

    def go_forward(self, here: tuple[str, str]) -> bool:
        return self._travel(self.forward_stack, self.back_stack, here)

    def _travel(self, source: list[tuple[str, str]], other: list[tuple[str, str]], here: tuple[str, str]) -> bool:
        while source:
            trace_id, span_id = source.pop()
            if self.store.get(trace_id) is None:
                continue  # evicted (live retention) since
            other.append(here)
            from tracetui.ui.screens.trace_view import TraceViewScreen

            screen = self.screen
            if isinstance(screen, TraceViewScreen) and screen.trace.trace_id == trace_id:
                return screen.select_span(span_id)  # the same trace: only the selection moves
            return self.open_trace(trace_id, span_id)
        return False

    def on_follow_link(self, message: FollowLink) -> None:
        self.open_trace(message.trace_id, message.span_id)

    def action_help(self) -> None:
        from tracetui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_problems(self) -> None:
        from tracetui.ui.screens.problems import ProblemsScreen

        if not isinstance(self.screen, ProblemsScreen):
            self.push_screen(ProblemsScreen(self.problems, len(self.store.traceless_logs)))

    def action_traceless_logs(self) -> None:
        from tracetui.ui.screens.logs import TracelessLogsScreen

        if not isinstance(self.screen, TracelessLogsScreen):
            self.push_screen(TracelessLogsScreen(self.store.traceless_logs, self.utc))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: every key", "List every key binding", self.action_help)
        yield SystemCommand(f"Times in {'local time' if self.utc else 'UTC'}",
                            "Switch how start times read, everywhere (ctrl+t)", self.action_toggle_utc)
        other = "default" if self.colours.palette_name == "colorblind" else "colorblind"
        yield SystemCommand(f"Service colours: {'colour-blind safe' if other == 'colorblind' else 'default'}",
                            "Switch the palette of service colours (remembered)", lambda: self.set_palette(other))
        if self.problems:
            yield SystemCommand("Show problems", "Lines and spans that could not be read",
                                self.action_problems)
        if self.store.traceless_logs:
            yield SystemCommand("Show logs without a trace", "Log records that name no trace",
                                self.action_traceless_logs)
        if isinstance(screen, TraceTuiScreen):
            yield from screen.system_commands()


def _routed(feeder: Feeder, binding: Binding) -> Binding:
    """The feeder's binding as one of the app's: its action runs `feeder.action_<name>`."""
    _namespace, name, params = actions.parse(binding.action)
    args = ", ".join(repr(a) for a in (feeder.NAME, name, *params))
    return dataclasses.replace(binding, action=f"feeder({args})")


def make_app(store: TraceStore, *, problems: Iterable[Problem] = (), sources: Iterable[str] = (),
             loader: Loader | None = None, utc: bool = False,
             live: LiveConfig | None = None,
             backends: Sequence[Backend] = (), search: SearchParams | None = None,
             follow: float | None = None, search_first: bool = False, open_trace_id: str | None = None,
             feeders: Iterable[Feeder] = ()) -> TraceTuiApp:
    """Build the app with the feeders these options ask for; the CLI and the tests both call this.

    - `loader`: an iterable of `Batch`es, or a callable returning one, read in a thread worker while
      the UI runs (`FilesFeeder`); if it has a `progress` attribute (0..1), the status bar shows it.
    - `live`: the OTLP receivers of `tracetui --listen` (`LiveFeeder`).
    - `backends` with `search` (and `follow`, `search_first`, `open_trace_id`): browsing Jaeger,
      Tempo or Zipkin (`BackendFeeder`). Ignored with `live`.
    - `feeders`: more feeders, plugged in after those.
    - `utc=True` shows times in UTC.
    """
    plugged: list[Feeder] = []
    if loader is not None:
        from tracetui.ui.feeders.files import FilesFeeder

        plugged.append(FilesFeeder(loader))
    if live is not None:
        from tracetui.ui.feeders.live import LiveFeeder

        plugged.append(LiveFeeder(live, store))
    elif backends:
        from tracetui.sources.backends import build_params
        from tracetui.ui.feeders.backend import BackendFeeder

        plugged.append(BackendFeeder(backends, search if search is not None else build_params(), follow,
                                     search_first=search_first, open_trace_id=open_trace_id))
    plugged.extend(feeders)
    return TraceTuiApp(store, feeders=plugged, problems=problems, sources=sources, utc=utc)
