"""Live mode (`tracetui --listen`): the OTLP receivers run on the app's own event loop and feed
its store; the views hear about new spans through `SpansArrived`, at most every FLUSH_SECONDS.

Decoding happens in the receiver's worker thread; on the loop a request costs only the HTTP
handling and `TraceStore.add` (see tests/bench/receiver_bench.py for the measured lag).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from textual import events
from textual.binding import Binding, BindingType

from tracetui.loaders.problems import Problem
from tracetui.model.store import TraceStore
from tracetui.sources.receiver.config import LiveConfig
from tracetui.sources.receiver.feed import QuietCollections, StoreFeed
from tracetui.sources.receiver.ingest import Ingest, IngestStats
from tracetui.sources.receiver.servers import LiveServers
from tracetui.ui.app import TraceTuiApp
from tracetui.ui.messages import SpansArrived

FLUSH_SECONDS = 0.2  # the views update at most 5 times a second, however many requests arrive
TICK_SECONDS = 1.0  # the rate in the status bar is refreshed this often
# How long the decoding thread may hold the GIL before the UI thread gets it (Python's default is
# 5 ms). A key press crosses several message queues, each a wait for the GIL behind the decoder:
# at 30,000 spans/s the median key took 9-14 ms and the p99 63-67 ms with 5 ms, 1.3-1.6 ms and
# 10 ms with 1 ms, for the same throughput (receiver_bench tui, 2 runs each).
SWITCH_INTERVAL = 0.001


def live_status(stats: IngestStats, where: str) -> str:
    """The status bar's live part: `● live 127.0.0.1:4318 · 12,345 received · 2,100 spans/s · 2 rejected
    (401×2)`. Short: it follows the trace and span counts on one line. (Evictions by retention are
    in the status bar already: "N old traces dropped".)"""
    parts = [f"● live {where}", f"{stats.spans:,} received", f"{stats.rate():,.0f} spans/s"]
    rejected = stats.rejected_short()
    if rejected:
        parts.append(rejected)
    return " · ".join(parts)


class LiveTraceTuiApp(TraceTuiApp):
    """The explorer with receivers attached. Ctrl+L clears every trace received so far."""

    BINDINGS: list[BindingType] = [
        Binding("ctrl+l", "clear_live", "Clear", id="app.live_clear"),
    ]

    def __init__(self, store: TraceStore, *, live: LiveConfig, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self.live_config = live
        self.feed = StoreFeed(store, self._spans_received, interval=FLUSH_SECONDS)
        self.ingest = Ingest(self.feed, token=live.token, max_body=live.max_body)
        # Quitting should be quick: requests in flight get 2 s (record waits longer: it must not lose them).
        self.servers = LiveServers(live, self.ingest, grace=2.0)  # raises GrpcMissing without grpcio
        self.live_where = f"{live.http[0]}:{live.http[1]}"
        self.live_started = False
        self.collections = QuietCollections()
        self.last_input = 0.0
        self._told: set[str] = set()  # rejection reasons already notified

    # -- start and stop ------------------------------------------------------------------------
    def on_mount(self) -> None:
        # TraceTuiApp.on_mount runs too (Textual calls each class's handler) and shows the list;
        # the receivers start once it is up, so an error can end the app cleanly.
        self.call_after_refresh(self._start_live)

    async def _start_live(self) -> None:
        try:
            await self.servers.start()
        except OSError as e:
            self.exit(return_code=1, message=f"tracetui: {e}")
            return
        self.live_started = True
        self.collections.start()
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        http = self.servers.http
        self.live_where = f"{http.host}:{http.port}" + (
            f" + gRPC {self.servers.grpc.address}" if self.servers.grpc is not None else "")
        self.set_interval(TICK_SECONDS, self._tick)
        self.refresh_status()
        for warning in self.live_config.warnings():  # also printed before the screen was taken over
            self.notify(warning, severity="warning", timeout=15)

    async def on_unmount(self) -> None:
        if self.live_started:
            self.live_started = False
            self.collections.stop()
            sys.setswitchinterval(self._switch_interval)
            await self.servers.stop()

    # -- feeding -------------------------------------------------------------------------------
    def _spans_received(self, trace_ids: set[str], problems: list[Problem]) -> None:
        self.post_message(SpansArrived(trace_ids, problems, mark_new=True))

    def _tick(self) -> None:
        self.refresh_status()
        self._tell_new_rejections()
        self.collections.tick(self.last_input)

    def _tell_new_rejections(self) -> None:
        """Each new kind of rejection once as a notification with its detail (a misconfigured
        exporter is found here: wrong path, token, content type)."""
        stats = self.ingest.stats
        for reason, detail in stats.details.items():
            if reason not in self._told:
                self._told.add(reason)
                self.notify(f"rejected a request: {reason}" + (f": {detail}" if detail else ""),
                            severity="warning", timeout=8, markup=False)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self.last_input = time.monotonic()  # full collections wait for a quiet moment
        await super().on_event(event)

    def _status(self, **changes: Any):
        ingest = getattr(self, "ingest", None)  # None while TraceTuiApp.__init__ runs
        if ingest is not None:
            changes.setdefault("note", live_status(ingest.stats, self.live_where))
        return super()._status(**changes)

    # -- clearing ------------------------------------------------------------------------------
    def action_clear_live(self) -> None:
        """Forget every trace, problem and count so far; keep receiving."""
        from tracetui.ui.screens.trace_view import TraceViewScreen

        self.feed.flush()
        gone = list(self.store.traces)  # told to the views as changed: they find them gone
        traces = len(gone)
        while isinstance(self.screen, TraceViewScreen) and len(self.screen_stack) > 2:
            self.pop_screen()
        self.store.clear()
        self.store.evicted_traces = self.store.evicted_spans = 0
        self.problems.clear()
        self.ingest.stats = IngestStats()
        self._told.clear()
        self.post_message(SpansArrived(gone, (), mark_new=False))
        self.notify(f"cleared {traces:,} traces; still receiving on {self.live_where}", timeout=3)
