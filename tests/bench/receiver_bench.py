"""Live-ingest benchmark: several sender processes post OTLP/HTTP protobuf to a receiver on
loopback for a bounded time; we count what was acknowledged and what arrived, and how late the
event loop got to run (what a key press would wait).

    python tests/bench/receiver_bench.py [SECONDS] [store|record|tui]

`bench(seconds)` is what `tests/bench/run.py` and the load test call. Loopback only; every sender
stops by itself at its deadline.
"""

from __future__ import annotations

import asyncio
import gc
import http.client
import multiprocessing as mp
import os
import statistics
import struct
import sys
import tempfile
import time
from multiprocessing import resource_tracker as mp_resource_tracker
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: the tracetui of this checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

MARKER = b"\xfe\xed\xfa\xce\xca\xfe\xbe\xef"  # first 8 bytes of every trace id in the template
SPANS_PER_REQUEST = 512  # the SDK's BatchSpanProcessor default max_export_batch_size
SPANS_PER_TRACE = 16


def template(spans: int = SPANS_PER_REQUEST) -> bytes:
    """One realistic request (3 services, ~10 attributes a span, events on some, a few errors).
    Trace ids start with MARKER, which each send replaces so that every request is new traces."""
    req = ExportTraceServiceRequest()
    services = ("frontend", "checkout", "inventory")
    per_service = spans // len(services) + 1
    n = 0
    for si, svc in enumerate(services):
        rs = req.resource_spans.add()
        for k, v in (("service.name", svc), ("service.version", "1.4.2"), ("host.name", f"node-{si}")):
            kv = rs.resource.attributes.add()
            kv.key, kv.value.string_value = k, v
        ss = rs.scope_spans.add()
        ss.scope.name, ss.scope.version = "opentelemetry.instrumentation.flask", "0.48b0"
        for _ in range(per_service):
            if n >= spans:
                break
            t, i = divmod(n, SPANS_PER_TRACE)
            sp = ss.spans.add()
            sp.trace_id = MARKER + struct.pack(">Q", t)
            sp.span_id = struct.pack(">Q", n + 1)
            if i:
                sp.parent_span_id = struct.pack(">Q", t * SPANS_PER_TRACE + 1)
            sp.name = f"GET /api/v1/items/{{id}} {i % 5}"
            sp.kind = 2 if i == 0 else 3
            sp.start_time_unix_nano = 1_700_000_000_000_000_000 + n * 1000
            sp.end_time_unix_nano = sp.start_time_unix_nano + 250_000 + i * 1000
            for a in range(10):
                kv = sp.attributes.add()
                kv.key = f"http.attr.{a}"
                if a % 3 == 0:
                    kv.value.int_value = a * 100
                else:
                    kv.value.string_value = f"value-{a}-{i}"
            if i % 4 == 0:
                ev = sp.events.add()
                ev.name, ev.time_unix_nano = "cache.miss", sp.start_time_unix_nano + 10
            if n % 50 == 0:
                sp.status.code, sp.status.message = 2, "upstream timeout"
            n += 1
    return req.SerializeToString()


def _sender(port: int, sender_id: int, start: float, deadline: float, body: bytes, spans: int,
            rate: float | None, out: Any) -> None:
    """Post from `start` until the deadline (wall clock), at `rate` spans/s (None: as fast as it
    can); report (acked spans, requests, failures)."""
    acked = requests = failures = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-protobuf"}
    seq = 0
    time.sleep(max(0.0, start - time.time()))
    while time.time() < deadline:
        if rate:
            due = start + seq * spans / rate
            if due > deadline:
                break
            time.sleep(max(0.0, due - time.time()))
        prefix = struct.pack(">II", sender_id + 1, seq)  # never all-zero (that would be no trace id)
        seq += 1
        try:
            conn.request("POST", "/v1/traces", body=body.replace(MARKER, prefix), headers=headers)
            resp = conn.getresponse()
            resp.read()
        except (OSError, http.client.HTTPException):
            failures += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        requests += 1
        if resp.status == 200:
            acked += spans
        else:
            failures += 1
            time.sleep(0.05)
    conn.close()
    out.put((acked, requests, failures))


class GcPauses:
    """The longest garbage-collector pause (any thread) while the benchmark runs."""

    def __init__(self) -> None:
        self.max_ms = 0.0
        self._t = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t = time.perf_counter()
        else:
            self.max_ms = max(self.max_ms, (time.perf_counter() - self._t) * 1000)

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


class LoopLag:
    """How late the loop wakes a task that sleeps `period`: the wait a key press would see."""

    def __init__(self, period: float = 0.01) -> None:
        self.period = period
        self.lags: list[float] = []
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            t = loop.time()
            await asyncio.sleep(self.period)
            self.lags.append(loop.time() - t - self.period)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> dict[str, float]:
        if self._task is not None:
            self._task.cancel()
        lags = sorted(self.lags) or [0.0]
        return {
            "loop_lag_max_ms": round(lags[-1] * 1000, 1),
            "loop_lag_p99_ms": round(lags[int(len(lags) * 0.99) - 1 if len(lags) > 1 else 0] * 1000, 1),
            "loop_lag_median_ms": round(statistics.median(lags) * 1000, 2),
        }


class Senders:
    """The sender processes, started together once their (slow, spawn) start-up is done; the
    clock runs from `start`. Use: `async with Senders(...) as fleet:` … `await fleet.results()`."""

    def __init__(self, port: int, senders: int, seconds: float, rate: float | None) -> None:
        ctx = mp.get_context("spawn")
        self.count = senders
        self.out = ctx.Queue()
        self.start = time.time() + 1.5
        self.deadline = self.start + seconds
        body = template()
        self.procs = [ctx.Process(target=_sender, args=(port, i, self.start, self.deadline, body, SPANS_PER_REQUEST,
                                                        rate / senders if rate else None, self.out), daemon=True)
                      for i in range(senders)]

    async def __aenter__(self) -> Senders:
        for p in self.procs:
            p.start()
        await asyncio.sleep(max(0.0, self.start - time.time()))
        self.t0 = time.perf_counter()
        return self

    async def results(self) -> tuple[int, int, float]:
        """Wait for every sender's report: (spans acknowledged, failed requests, seconds)."""
        loop = asyncio.get_running_loop()
        results = []
        while len(results) < self.count and time.time() < self.deadline + 30:
            try:
                results.append(await loop.run_in_executor(None, self.out.get, True, 0.5))
            except Exception:  # queue.Empty
                continue
        self.elapsed = time.perf_counter() - self.t0
        return sum(r[0] for r in results), sum(r[2] for r in results), self.elapsed

    async def __aexit__(self, *exc: object) -> None:
        for p in self.procs:
            p.join(5)


async def _run(seconds: float, senders: int, mode: str, capture: str | None, rate: float | None) -> dict[str, Any]:
    from tracetui.model import TraceStore
    from tracetui.sources.receiver.config import LiveConfig
    from tracetui.sources.receiver.feed import QuietCollections, StoreFeed
    from tracetui.sources.receiver.ingest import Ingest
    from tracetui.sources.receiver.servers import LiveServers

    store = TraceStore(max_spans=10_000_000)
    stop = asyncio.Event()
    servers = None
    record_task = None
    if mode == "store":
        updates = []  # what the TUI would get: one SpansArrived per flush
        sink = StoreFeed(store, lambda ids, problems: updates.append(len(ids)))
        servers = LiveServers(LiveConfig(http=("127.0.0.1", 0)), Ingest(sink))
        await servers.start()
        port = servers.http.port
        collections = QuietCollections()  # as in the TUI; nobody types here, so it may collect
        collections.start()

        async def tick() -> None:
            while True:
                await asyncio.sleep(1.0)
                collections.tick(last_input=0.0)

        ticker = asyncio.create_task(tick())
    else:
        from tracetui.sources.receiver import http as receiver
        from tracetui.sources.receiver import record as rec_mod

        # Find a free port first (record binds itself).
        probe = receiver.OtlpHttpReceiver(Ingest(lambda r: None), "127.0.0.1", 0)
        await probe.start()
        port = probe.port
        await probe.stop()
        devnull = open(os.devnull, "w")  # noqa: SIM115
        record_task = asyncio.create_task(rec_mod.record(
            LiveConfig(http=("127.0.0.1", port)), capture, err=devnull, stop=stop))
        await asyncio.sleep(0.3)
    async with Senders(port, senders, seconds, rate) as fleet:
        lag = LoopLag()
        lag.start()
        with GcPauses() as gc_pauses:
            acked, failed, elapsed = await fleet.results()
        lags = lag.stop()
    if mode == "store":
        ticker.cancel()
        collections.stop()
        await servers.stop()
        arrived = store.span_count
        stats = servers.ingest.stats
    else:
        stop.set()
        await record_task
        from tracetui.sources.files import read_source

        arrived = sum(len(b.spans) for b in read_source(capture))
        stats = None
    return {
        "mode": mode,
        "offered_spans_per_s": rate or "max",
        "seconds": round(elapsed, 2),
        "senders": senders,
        "spans_acked": acked,
        "spans_arrived": arrived,
        "lost": acked - arrived if arrived <= acked else 0,
        "failed_requests": failed,
        "spans_per_s": round(acked / elapsed) if elapsed else 0,
        **lags,
        "gc_pause_max_ms": round(gc_pauses.max_ms, 1),
        **({"rejected_requests": stats.rejected_requests, "view_updates": len(updates)} if stats else {}),
    }


async def _run_tui(seconds: float, senders: int, rate: float | None) -> dict[str, Any]:
    """The live TUI (headless, 120×35) receiving while keys are pressed: how long from a key to
    its handler having moved the trace list's selection."""
    from textual import events

    from tracetui.model import TraceStore
    from tracetui.sources.receiver.config import LiveConfig
    from tracetui.ui.app import make_app
    from tracetui.ui.feeders.live import LiveFeeder
    from tracetui.ui.widgets.trace_table import TraceTable

    # Start multiprocessing's helper process now: inside the app, sys.stderr is Textual's capture,
    # whose fileno() the helper cannot be handed ("bad value(s) in fds_to_keep").
    mp_resource_tracker.ensure_running()
    app = make_app(TraceStore(max_spans=10_000_000), live=LiveConfig(http=("127.0.0.1", 0)))
    receiver = app.feeder(LiveFeeder)
    async with app.run_test(size=(120, 35)) as pilot:
        while not receiver.started:
            await asyncio.sleep(0.02)
        port = receiver.servers.http.port
        async with Senders(port, senders, seconds, rate) as fleet:
            lag = LoopLag()
            lag.start()
            keys: list[float] = []
            misses = 0
            with GcPauses() as gc_pauses:
                key = "j"
                while time.time() < fleet.deadline:
                    table = app.screen.query_one(TraceTable)
                    if len(app.index.rows) < 2:
                        await asyncio.sleep(0.05)
                        continue
                    before = table.selected.trace_id if table.selected else None
                    t = time.perf_counter()
                    app.post_message(events.Key(key, key))
                    while True:
                        now = table.selected.trace_id if table.selected else None
                        if now != before or time.perf_counter() - t > 2.0:
                            break
                        await asyncio.sleep(0)
                    if now == before:
                        misses += 1
                    else:
                        keys.append(time.perf_counter() - t)
                    key = "k" if key == "j" else "j"
                    await asyncio.sleep(0.1)
                acked, failed, elapsed = await fleet.results()
            lags = lag.stop()
        await pilot.pause()
        receiver.feed.flush()
        await pilot.pause()
        arrived = app.store.span_count
        listed = app.index.total
        await pilot.press("q")
    keys.sort()
    ms = [round(k * 1000, 1) for k in keys] or [0.0]
    return {
        "mode": "tui",
        "offered_spans_per_s": rate or "max",
        "seconds": round(elapsed, 2),
        "senders": senders,
        "spans_acked": acked,
        "spans_arrived": arrived,
        "traces_listed": listed,
        "lost": max(0, acked - arrived),
        "failed_requests": failed,
        "spans_per_s": round(acked / elapsed) if elapsed else 0,
        "keys": len(keys),
        "key_missed": misses,
        "key_median_ms": ms[len(ms) // 2],
        "key_p99_ms": ms[max(0, int(len(ms) * 0.99) - 1)],
        "key_max_ms": ms[-1],
        **lags,
        "gc_pause_max_ms": round(gc_pauses.max_ms, 1),
    }


def bench(seconds: float = 10.0, senders: int = 3, mode: str = "store", rate: float | None = None) -> dict[str, Any]:
    """Run the live-ingest benchmark for about `seconds` (+ ~2 s of start-up); loopback only.

    mode "store": spans go into a TraceStore as the TUI's live mode does; "record": into a capture
    file; "tui": into the real app (headless), pressing j/k every 100 ms and timing each key
    (key_*_ms: from the key event to the list's selection having moved).
    rate: spans/s offered by all senders together (None: as fast as they can).
    Returns spans_per_s (acknowledged), spans_acked vs spans_arrived (lost must be 0) and the
    event loop's lateness (loop_lag_*_ms: what a key press would wait).
    """
    if mode == "tui":
        return asyncio.run(_run_tui(seconds, senders, rate))
    with tempfile.TemporaryDirectory() as tmp:
        capture = os.path.join(tmp, "capture.jsonl") if mode == "record" else None
        return asyncio.run(_run(seconds, senders, mode, capture, rate))


if __name__ == "__main__":
    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    for m in (sys.argv[2:] or ["store", "record", "tui"]):
        print(bench(secs, mode=m))
        print(bench(secs, mode=m, rate=20_000))
