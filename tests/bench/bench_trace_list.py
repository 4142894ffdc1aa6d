"""The trace list at scale: 100k traces, measured directly (run by hand, not collected).

    python tests/bench/bench_trace_list.py [TRACES]

Prints: the time to summarize and sort every trace (TraceIndex), the first paint of the app
while a big file is still loading in the background, the time until the load is done, one page
of the list rendered with `render_line` from an empty cache, a re-sort, a filter; then opening a
100k-span trace from the app (analysis, rows, detail pane, first paint).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

import orjson  # noqa: E402

from tracetui.model import TraceStore  # noqa: E402
from tracetui.model.query import parse_query  # noqa: E402
from tracetui.sources.files import load_paths, read_source  # noqa: E402
from tracetui.viewmodels.trace_list import TraceIndex  # noqa: E402

SIZE = (120, 35)
SERVICES = ["frontend", "checkout", "payments", "inventory", "shipping", "catalog", "email", "ads"]


def make_file(n_traces: int, path: Path) -> int:
    """OTLP JSON with n_traces traces of 3 spans each (root → call → db), one error in 50."""
    base = 1_700_000_000_000_000_000
    by_service: dict[str, list] = {s: [] for s in SERVICES}
    for t in range(n_traces):
        tid = f"{t + 1:032x}"
        start = base + t * 1_000_000
        dur = 1_000_000 + (t * 7919) % 400_000_000
        svc = SERVICES[t % len(SERVICES)]
        callee = SERVICES[(t + 3) % len(SERVICES)]
        spans = [
            (svc, {"traceId": tid, "spanId": f"{3 * t + 1:016x}", "name": f"GET /api/{t % 50}", "kind": 2,
                   "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + dur),
                   "attributes": [{"key": "http.status_code", "value": {"intValue": "200"}}]}),
            (callee, {"traceId": tid, "spanId": f"{3 * t + 2:016x}", "parentSpanId": f"{3 * t + 1:016x}",
                      "name": "handle", "kind": 2, "startTimeUnixNano": str(start + 1000),
                      "endTimeUnixNano": str(start + dur - 1000),
                      **({"status": {"code": 2, "message": "boom"}} if t % 50 == 0 else {})}),
            (callee, {"traceId": tid, "spanId": f"{3 * t + 3:016x}", "parentSpanId": f"{3 * t + 2:016x}",
                      "name": "SELECT", "kind": 3, "startTimeUnixNano": str(start + 2000),
                      "endTimeUnixNano": str(start + dur // 2)}),
        ]
        for s, span in spans:
            by_service[s].append(span)
    doc = {"resourceSpans": [
        {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": s}}]},
         "scopeSpans": [{"scope": {"name": "bench"}, "spans": spans}]}
        for s, spans in by_service.items()
    ]}
    path.write_bytes(orjson.dumps(doc))
    return 3 * n_traces


def ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


async def app_figures(path: Path) -> dict[str, float]:
    from tracetui.ui.app import make_app
    from tracetui.ui.widgets.trace_table import TraceTable

    out: dict[str, float] = {}
    first: list[float] = []
    original = TraceTable.render_line

    def timed_render_line(self, y):  # the first line the table draws is the first paint
        if not first:
            first.append(time.perf_counter())
        return original(self, y)

    TraceTable.render_line = timed_render_line
    t0 = time.perf_counter()
    app = make_app(TraceStore(), sources=[str(path)], loader=lambda: read_source(str(path)))
    async with app.run_test(size=SIZE) as pilot:
        while not first:
            await asyncio.sleep(0.005)
        out["first paint (ms, file still loading)"] = (first[0] - t0) * 1000
        out["load still running at first paint"] = int(app.status.loading)
        stalls = []  # how late a 5 ms sleep wakes up: how long the UI thread was busy
        while app.status.loading:
            t1 = time.perf_counter()
            await asyncio.sleep(0.005)
            stalls.append((time.perf_counter() - t1) * 1000 - 5)
        out["load done, list complete (ms)"] = ms(t0)
        stalls.sort()
        out["UI thread stall while loading, p90 (ms)"] = stalls[int(len(stalls) * 0.9)] if stalls else 0
        out["UI thread stall while loading, max (ms)"] = stalls[-1] if stalls else 0
        await pilot.pause()
        out["traces listed"] = len(app.index.rows)
        TraceTable.render_line = original
        table = app.screen.query_one(TraceTable)
        height = table.size.height
        table._row_cache.clear()
        t1 = time.perf_counter()
        for y in range(height):
            table.render_line(y)
        out["one page of the list, cold cache (ms)"] = ms(t1)
        await pilot.press("G")
        t1 = time.perf_counter()
        for y in range(height):
            table.render_line(y)
        out["one page at the end of the list (ms)"] = ms(t1)
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "many.json"
        spans = make_file(n, path)
        print(f"{n:,} traces, {spans:,} spans, {path.stat().st_size / 1e6:.0f} MB")
        store = TraceStore()
        t0 = time.perf_counter()
        load_paths([str(path)], store)
        print(f"  load into the store (no UI):          {ms(t0):8.0f} ms")
        index = TraceIndex()
        t0 = time.perf_counter()
        index.update(store, list(store.traces))
        print(f"  summarize + sort all traces:          {ms(t0):8.0f} ms")
        t0 = time.perf_counter()
        index.set_sort("duration")
        print(f"  re-sort by duration:                  {ms(t0):8.0f} ms")
        t0 = time.perf_counter()
        index.set_query(store, parse_query("error"))
        print(f"  filter 'error' ({len(index.rows):,} match):       {ms(t0):8.0f} ms")
        t0 = time.perf_counter()
        index.set_query(store, parse_query("service=payments duration>200ms"))
        print(f"  filter 'service=payments duration>200ms': {ms(t0):5.0f} ms ({len(index.rows):,} match)")
        for k, v in asyncio.run(app_figures(path)).items():
            print(f"  {k:<38} {v:8.0f}")
    for k, v in asyncio.run(open_big_trace()).items():
        print(f"  {k:<58} {v:8.0f}")



async def open_big_trace(n: int = 100_000) -> dict[str, float]:
    """Open a trace of n spans from the list: key press to the trace view's first lines drawn."""
    sys.path.insert(0, str(Path(__file__).parent))
    from big_trace import make_trace

    from tracetui.ui.app import make_app
    from tracetui.ui.screens.trace_view import TraceViewScreen

    trace = make_trace(n)
    store = TraceStore()
    store.add(trace.spans)
    out: dict[str, float] = {}
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        t0 = time.perf_counter()
        app.open_trace(trace.trace_id)
        await pilot.pause()
        assert isinstance(app.screen, TraceViewScreen)
        out[f"open a {n:,}-span trace, to first paint (ms)"] = ms(t0)
        t0 = time.perf_counter()
        await pilot.press("e")
        out["e: next error, handled and painted (ms, incl. ~40 ms Pilot)"] = ms(t0)
        t0 = time.perf_counter()
        await pilot.press("slash", *"error", "enter")
        out["search 'error' typed and applied (ms, incl. Pilot keys)"] = ms(t0)
    return out


if __name__ == "__main__":
    main()
