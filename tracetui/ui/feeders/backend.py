"""The backend feeder: browsing Jaeger, Tempo or Zipkin — the search screen, live follow,
re-fetching an opened trace.

Three keys — `S` search, `F` follow on/off, `R` refresh now. All network I/O runs in thread
workers; the store is only changed on the app's thread (then `app.spans_added`), so the trace list
keeps its selection and scroll while new traces arrive. A failed refresh is one line in the
status bar and nothing on screen is lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType
from textual.timer import Timer

from tracetui.loaders import Problem
from tracetui.sources.backends import Backend, BackendError, SearchParams, search_spans
from tracetui.ui.feeders.base import FeederBase

if TYPE_CHECKING:
    from tracetui.ui.app import TraceTuiApp


class _Fetched:
    """What one search round brought back, handed from the worker to the app's thread."""

    def __init__(self) -> None:
        self.spans: list = []
        self.problems: list[Problem] = []
        self.failures: list[str] = []
        self.hits = 0


def fetch_round(backends: list[Backend], params: SearchParams, known: frozenset[str],
                fraction: Callable[[float], None] | None = None) -> _Fetched:
    """Search every backend; collect the spans of traces not in `known`. Runs in a worker thread."""
    out = _Fetched()
    for i, b in enumerate(backends):
        def part(f: float, i: int = i) -> None:
            if fraction is not None:
                fraction((i + f) / len(backends))

        try:
            result, spans, problems = search_spans(b, params, known, fraction=part)
        except BackendError as e:
            out.failures.append(str(e))
            continue
        out.hits += len(result.hits)
        out.spans += spans
        out.problems += problems
        known = known | {s.trace_id for s in spans}  # a trace two backends hold is taken once
    return out


def round_params(params: SearchParams, last_ok_ns: int, interval: float) -> SearchParams:
    """A follow round searches only since shortly before the last good round (new traces are
    recent), so Jaeger and Zipkin, which answer with whole traces, do not send the same ones
    every few seconds. An absolute window, or no good round yet, is searched as asked."""
    if not last_ok_ns or params.start_ns is not None or params.end_ns is not None:
        return params
    overlap = max(60 * 10**9, int(3 * interval * 10**9))
    since = min(params.since_ns, time.time_ns() - last_ok_ns + overlap)
    return params.with_(since_ns=since)


class BackendFeeder(FeederBase):
    """Searches backends and adds what they answer; follows (searches again every few seconds)."""

    NAME = "backend"
    NOTE_AT_END = True  # the search and the follow state, in the accent colour
    BINDINGS: list[BindingType] = [
        Binding("S", "search", "Search", id="backend.search"),
        Binding("F", "follow", "Follow", id="backend.follow"),
        Binding("R", "refresh", "Refresh", show=False, id="backend.refresh"),
    ]

    def __init__(self, backends: Sequence[Backend], params: SearchParams, follow: float | None = None, *,
                 search_first: bool = False, open_trace_id: str | None = None) -> None:
        self.backends = list(backends)
        self.search_params = params
        self.follow_seconds = follow if follow and follow > 0 else None
        self.default_follow = self.follow_seconds or 10.0
        self._follow_timer: Timer | None = None
        self.refreshes = 0  # completed search rounds (tests, status)
        self.last_refresh = ""
        self._last_ok_ns = 0  # when the last search that fully succeeded started
        self._generation = 0  # bumped by each search; an answer to an older one is dropped
        self.search_first = search_first  # open the search screen at once (Jaeger without a service)
        self.open_trace_id = open_trace_id  # `--trace ID`: show that trace at once

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self, app: TraceTuiApp) -> None:
        super().start(app)
        if self.follow_seconds and not self.search_first:
            self._start_follow(self.follow_seconds)
        self._show_live()
        if self.search_first:
            app.call_after_refresh(self.action_search)
        elif self.open_trace_id:
            want = self.open_trace_id.lower()
            tid = next((t for t in app.store.traces if t == want or t.lstrip("0") == want.lstrip("0")), None)
            if tid is not None:  # it was just fetched: not again
                app.call_after_refresh(lambda: app.open_trace(tid, tell_feeders=False))

    # -- actions -----------------------------------------------------------------------------------
    def action_search(self) -> None:
        from tracetui.ui.screens.search import SearchScreen

        app = self.app
        if isinstance(app.screen, SearchScreen):
            return

        def done(params: SearchParams | None) -> None:
            if params is not None:
                self.search_params = params
                self.run_search(replace=True)
                if self.search_first and self.follow_seconds and self._follow_timer is None:
                    self._start_follow(self.follow_seconds)  # --follow waited for the first search
            self.search_first = False

        app.push_screen(SearchScreen(self.backends[0], self.search_params), done)

    def action_follow(self) -> None:
        if self._follow_timer is not None:
            self._follow_timer.stop()
            self._follow_timer = None
            self.follow_seconds = None
            self.app.notify("Stopped following", timeout=2)
        else:
            self._start_follow(self.default_follow)
            self.run_search(replace=False)
        self._show_live()

    def action_refresh(self) -> None:
        self.run_search(replace=False)

    def _start_follow(self, seconds: float) -> None:
        self.follow_seconds = seconds
        self._follow_timer = self.app.set_interval(seconds, self._follow_tick, name="backend-follow")

    def _follow_tick(self) -> None:
        if not any(w.group == "backend-search" and w.is_running for w in self.app.workers):
            self.run_search(replace=False)

    # -- searching -----------------------------------------------------------------------------------
    def run_search(self, replace: bool) -> None:
        """Search in a worker. `replace`: the results become the list (a new search); else only
        traces not already loaded are added, marked new (follow / refresh)."""
        app = self.app
        known = frozenset() if replace else frozenset(app.store.traces)
        params = self.search_params
        self._generation += 1
        if replace:  # a background refresh does not flash the progress bar
            app.refresh_status(loading=True, fraction=None)
        else:
            params = round_params(params, self._last_ok_ns, self.follow_seconds or 0)
        app.run_worker(partial(self._search_worker, params, known, replace, self._generation), thread=True,
                       exclusive=True, group="backend-search", exit_on_error=False)

    def _search_worker(self, params: SearchParams, known: frozenset[str], replace: bool, generation: int) -> None:
        """In a worker thread."""
        app = self.app
        started = time.time_ns()
        last = [0.0]

        def fraction(f: float) -> None:  # a new search shows how far it got; at most ~10 updates/s
            now = time.monotonic()
            if replace and now - last[0] >= 0.1:
                last[0] = now
                app.call_from_thread(app.refresh_status, loading=True, fraction=f)

        fetched = fetch_round(self.backends, params, known, fraction)
        app.call_from_thread(self._apply_round, fetched, replace, started, generation)

    def _apply_round(self, fetched: _Fetched, replace: bool, started_ns: int = 0, generation: int = 0) -> None:
        if generation != self._generation:
            return  # a newer search was started meanwhile (a thread worker cannot be stopped mid-request)
        app = self.app
        self.refreshes += 1
        if fetched.failures and not fetched.spans and len(fetched.failures) == len(self.backends):
            # nothing came back: say so in one line, keep what is on screen
            what = "search failed" if replace else "refresh failed"
            app.refresh_status(loading=False, failure=f"{what}: {fetched.failures[0]}")
            if replace:  # the person just asked: tell them where they look, S brings the form back
                app.notify(f"{fetched.failures[0]} — press S to change the search", title="Search failed",
                           severity="error", markup=False)
            return
        removed: set[str] = set()
        if replace:
            removed = set(app.store.traces)
            app.store.clear()
        ids = app.store.add(fetched.spans) if fetched.spans else set()
        self.last_refresh = time.strftime("%H:%M:%S")
        if not fetched.failures:
            self._last_ok_ns = started_ns
        failure = f"refresh failed: {fetched.failures[0]}" if fetched.failures else ""
        if ids or removed or fetched.problems:
            app.spans_added(ids | removed, fetched.problems, mark_new=not replace)
        app.refresh_status(loading=False, failure=failure)
        self._show_live()

    # -- an opened trace is fetched again: it may have grown since the search ------------------------
    def trace_opened(self, trace_id: str) -> None:
        self.app.run_worker(partial(self._refetch_worker, trace_id), thread=True, group="backend-refetch",
                            exit_on_error=False)

    def _refetch_worker(self, trace_id: str) -> None:
        """In a worker thread."""
        for b in self.backends:
            try:
                spans = [s for batch in b.fetch_trace(trace_id) for s in batch.spans]
            except BackendError:
                continue  # it was found by the search; a failed re-fetch changes nothing
            self.app.call_from_thread(self._apply_refetch, trace_id, spans)
            return

    def _apply_refetch(self, trace_id: str, spans: list) -> None:
        app = self.app
        trace = app.store.get(trace_id)
        if trace is None:  # a new search replaced the list meanwhile
            return
        have = {(s.span_id, s.start_ns) for s in trace.spans}
        new = [s for s in spans if (s.span_id, s.start_ns) not in have]
        if new:
            app.store.add(new)
            app.spans_added({trace_id}, [], mark_new=False)

    # -- what the status bar says about the backend ---------------------------------------------------
    def status_note(self) -> str:
        """The search, and whether it is followed: `service=x last 1h limit 20 · following 10s · 12:01:02`."""
        parts = [self.search_params.describe()]
        if self._follow_timer is not None:
            parts.append(f"following every {self.follow_seconds:g}s")
        elif self.follow_seconds:
            parts.append(f"will follow every {self.follow_seconds:g}s after a search")
        if self.last_refresh:
            parts.append(f"refreshed {self.last_refresh}")
        return " · ".join(parts)

    def _show_live(self) -> None:
        self.app.sub_title = self.status_note()
        self.app.refresh_status()
