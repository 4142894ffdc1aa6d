"""What live mode runs on besides the servers: the sink that adds accepted spans to a
`TraceStore` and tells the views in few updates, and the quiet-time policy for full collections."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable

from tracetui.loaders.problems import Problem
from tracetui.sources.receiver.ingest import Received


class StoreFeed:
    """The live sink for a `TraceStore`: adds each accepted request's spans (on the loop, where the
    views read the store) and reports the changed traces at most every `interval` seconds, so a
    burst of requests costs the views one update, not one per request.

    `on_change(trace_ids, problems)` is called on the loop.
    """

    def __init__(self, store, on_change: Callable[[set[str], list[Problem]], None], *,
                 interval: float = 0.2) -> None:
        self.store = store
        self.on_change = on_change
        self.interval = interval
        self._ids: set[str] = set()
        self._problems: list[Problem] = []
        self._logs = False
        self._handle: asyncio.TimerHandle | None = None

    def __call__(self, rec: Received) -> None:
        if rec.batch.spans:
            self._ids |= self.store.add(rec.batch.spans)
        if rec.batch.logs:
            self._ids |= self.store.add_logs(rec.batch.logs)
            self._logs = True  # (records of no trace change no trace: the status bar still counts them)
        if rec.batch.problems:
            self._problems.extend(rec.batch.problems)
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_later(self.interval, self.flush)

    def flush(self) -> None:
        """Report what changed since the last report (nothing when nothing did)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        ids, problems, logs = self._ids, self._problems, self._logs
        self._ids, self._problems, self._logs = set(), [], False
        if ids or problems or logs:
            self.on_change(ids, problems)


class QuietCollections:
    """Full garbage collections only when nobody is typing.

    A full (generation 2) collection walks every tracked object; with a few hundred thousand
    spans stored it paused the loop 100–400 ms (receiver_bench: gc_pause_max_ms), which is what
    a key press waited. Live mode turns automatic full collections off and runs one when input
    has been quiet for `quiet` seconds (at most every `every` seconds, and at least every
    `at_most` seconds whatever happens), so cyclic garbage is still collected, at a moment
    nobody waits for. Young generations are collected as usual. (`gc.freeze()` was tried first:
    it kept the pauses short too, but froze screens that were open at the time for good:
    ~25,000 objects leaked per trace view opened during ingest.)
    """

    NEVER = 1_000_000_000  # gen-1 collections before an automatic full one: never, in practice

    def __init__(self, quiet: float = 3.0, every: float = 30.0, at_most: float = 300.0) -> None:
        self.quiet, self.every, self.at_most = quiet, every, at_most
        self._saved: tuple[int, ...] | None = None
        self.last_collect = time.monotonic()
        self.collections = 0

    def start(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            t0, t1, _ = self._saved
            gc.set_threshold(t0, t1, self.NEVER)

    def stop(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def due(self, now: float, last_input: float) -> bool:
        since = now - self.last_collect
        return since >= self.at_most or (since >= self.every and now - last_input >= self.quiet)

    def tick(self, last_input: float, now: float | None = None) -> bool:
        """Collect if it is time; True when it did."""
        now = time.monotonic() if now is None else now
        if self._saved is None or not self.due(now, last_input):
            return False
        gc.collect()
        self.last_collect = time.monotonic()
        self.collections += 1
        return True
