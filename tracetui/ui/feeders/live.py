"""The live feeder (`tracetui --listen`): the OTLP receivers run on the app's own event loop and
feed its store; the views hear about new spans at most every FLUSH_SECONDS.

Decoding happens in the receiver's worker thread; on the loop a request costs only the HTTP
handling and `TraceStore.add` (see tests/bench/receiver_bench.py for the measured lag).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType

from tracetui.loaders.problems import Problem
from tracetui.model.store import TraceStore
from tracetui.render.units import count
from tracetui.sources.receiver.config import LiveConfig
from tracetui.sources.receiver.feed import QuietCollections, StoreFeed
from tracetui.sources.receiver.ingest import Ingest, IngestStats
from tracetui.sources.receiver.servers import LiveServers
from tracetui.ui.feeders.base import FeederBase

if TYPE_CHECKING:
    from tracetui.ui.app import TraceTuiApp

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
    if stats.logs:
        parts.insert(2, f"{stats.logs:,} log record{'s' if stats.logs != 1 else ''}")
    rejected = stats.rejected_short()
    if rejected:
        parts.append(rejected)
    return " · ".join(parts)


class LiveFeeder(FeederBase):
    """The receivers, feeding the app. Ctrl+L clears every trace received so far."""

    NAME = "live"
    BINDINGS: list[BindingType] = [
        Binding("ctrl+l", "clear", "Clear", id="app.live_clear"),
    ]

    def __init__(self, config: LiveConfig, store: TraceStore) -> None:
        """`store`: the app's store, which the receivers fill."""
        self.config = config
        self.feed = StoreFeed(store, self._spans_received, interval=FLUSH_SECONDS)
        self.ingest = Ingest(self.feed, token=config.token, max_body=config.max_body)
        # Quitting should be quick: requests in flight get 2 s (record waits longer: it must not lose them).
        self.servers = LiveServers(config, self.ingest, grace=2.0)  # raises GrpcMissing without grpcio
        self.where = f"{config.http[0]}:{config.http[1]}"
        self.started = False
        self.collections = QuietCollections()
        self._told: set[str] = set()  # rejection reasons already notified
        self._switch_interval = sys.getswitchinterval()

    # -- start and stop ------------------------------------------------------------------------
    def start(self, app: TraceTuiApp) -> None:
        super().start(app)
        # The receivers start once the first screen is up, so an error can end the app cleanly.
        app.call_after_refresh(self._start_servers)

    async def _start_servers(self) -> None:
        app, servers = self.app, self.servers
        try:
            await servers.start()
        except OSError as e:
            app.exit(return_code=1, message=f"tracetui: {e}")
            return
        self.started = True
        self.collections.start()
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.where = f"{servers.http.host}:{servers.http.port}" + (
            f" + gRPC {servers.grpc.address}" if servers.grpc is not None else "")
        app.set_interval(TICK_SECONDS, self._tick)
        app.refresh_status()
        for warning in self.config.warnings():  # also printed before the screen was taken over
            app.notify(warning, severity="warning", timeout=15)

    async def stop(self) -> None:
        if self.started:
            self.started = False
            self.collections.stop()
            sys.setswitchinterval(self._switch_interval)
            await self.servers.stop()

    # -- feeding -------------------------------------------------------------------------------
    def _spans_received(self, trace_ids: set[str], problems: list[Problem]) -> None:
        self.app.spans_added(trace_ids, problems, mark_new=True)

    def _tick(self) -> None:
        self.app.refresh_status()
        self._tell_new_rejections()
        self.collections.tick(self.app.last_input)  # full collections wait for a quiet moment

    def _tell_new_rejections(self) -> None:
        """Each new kind of rejection once as a notification with its detail (a misconfigured
        exporter is found here: wrong path, token, content type)."""
        for reason, detail in self.ingest.stats.details.items():
            if reason not in self._told:
                self._told.add(reason)
                self.app.notify(f"rejected a request: {reason}" + (f": {detail}" if detail else ""),
                                severity="warning", timeout=8, markup=False)

    def status_note(self) -> str:
        return live_status(self.ingest.stats, self.where)

    # -- clearing ------------------------------------------------------------------------------
    def action_clear(self) -> None:
        """Forget every trace, problem and count so far; keep receiving."""
        from tracetui.ui.screens.trace_view import TraceViewScreen

        app = self.app
        self.feed.flush()
        gone = list(app.store.traces)  # told to the views as changed: they find them gone
        traces = len(gone)
        while isinstance(app.screen, TraceViewScreen) and len(app.screen_stack) > 2:
            app.pop_screen()
        app.store.clear()
        app.store.evicted_traces = app.store.evicted_spans = 0
        app.problems.clear()
        self.ingest.stats = IngestStats()
        self._told.clear()
        app.spans_added(gone, (), mark_new=False)
        app.notify(f"cleared {count(traces, 'trace')}; still receiving on {self.where}", timeout=3)
