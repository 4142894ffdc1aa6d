"""Waterfall rendering cost on a big trace, measured directly (not through Pilot).

    python tests/bench/bench_waterfall.py [SPANS]

`bench(trace)` is what tests/bench/run.py calls: it returns milliseconds per figure. A page is
the widget's full height of lines rendered with `render_line` from an empty strip cache; the
goal is one page ≤ 16 ms (issue 7).
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from textual.app import App, ComposeResult  # noqa: E402

from tracetui.analysis.overview import TraceAnalysis  # noqa: E402
from tracetui.model.query import parse_query  # noqa: E402
from tracetui.model.trace import Trace  # noqa: E402
from tracetui.ui.widgets.waterfall import Waterfall  # noqa: E402
from tracetui.viewmodels.rows import RowView  # noqa: E402

SIZE = (160, 46)


class _BenchApp(App):
    def compose(self) -> ComposeResult:
        yield Waterfall()


def _ms(f) -> float:
    t0 = time.perf_counter()
    f()
    return (time.perf_counter() - t0) * 1000


def bench(trace: Trace, size: tuple[int, int] = SIZE, repeat: int = 5) -> dict[str, float]:
    """Figures in milliseconds for one trace: analysis, rows index, first page, scrolled pages
    (cold cache), a cached page, collapse-all, hide a service, search."""
    trace.ensure_built()
    out: dict[str, float] = {}
    analysis_box: list[TraceAnalysis] = []
    out["analysis_ms"] = _ms(lambda: analysis_box.append(TraceAnalysis(trace)))
    out["rows_index_ms"] = _ms(lambda: RowView(trace))
    analysis = analysis_box[0]

    async def run() -> None:
        app = _BenchApp()
        async with app.run_test(size=size) as pilot:
            w = app.query_one(Waterfall)
            out["show_trace_ms"] = _ms(lambda: w.show_trace(trace, analysis))
            await pilot.pause()
            height = w.size.height

            def page() -> None:
                for y in range(height):
                    w.render_line(y)

            w._row_cache.clear()
            out["first_page_ms"] = _ms(page)
            rows = len(w.row_view)
            samples = []
            for k in range(repeat):
                w.scroll_to(y=(k + 1) * rows // (repeat + 2), animate=False, immediate=True)
                await pilot.pause()
                w._row_cache.clear()
                samples.append(_ms(page))
            out["page_cold_ms_median"] = statistics.median(samples)
            out["page_cold_ms_max"] = max(samples)
            out["page_cached_ms"] = _ms(page)
            out["collapse_all_ms"] = _ms(w.collapse_all)
            out["expand_all_ms"] = _ms(w.expand_all)
            services = [s for s, _ in analysis.services]
            if len(services) > 1:
                out["hide_service_ms"] = _ms(lambda: w.set_hidden_services({services[1]}))
                w.set_hidden_services(set())
            out["search_ms"] = _ms(lambda: w.set_search(parse_query("error")))
            out["next_match_ms"] = _ms(lambda: w.next_match(1))
            out["rows"] = float(rows)
            out["page_lines"] = float(height)

    gc_was = gc.isenabled()
    asyncio.run(run())
    if gc_was:
        gc.enable()
    return out


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from big_trace import make_trace

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    for label, trace in (("wide", make_trace(n)), ("chain", make_trace(n, deep_chain=n))):
        results = bench(trace)
        print(f"{label} trace, {n} spans, {SIZE[0]}x{SIZE[1]} terminal:")
        for key, value in results.items():
            print(f"  {key:22} {value:9.2f}")


if __name__ == "__main__":
    main()
