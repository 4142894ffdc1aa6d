"""The flame graph's first screen on a big trace, measured directly (not through Pilot).

    python tests/bench/bench_flame.py [SPANS]

`bench(trace)` is what tests/bench/run.py calls: milliseconds for the flame graph's first screen
(`show_trace`: the icicle's layout, then a page of `render_line` from an empty cache) and, as
the baseline in the same process, the waterfall's (`show_trace` and a page); then the left-heavy
layout and a page of it. The goal: the first screen of a 100k-span trace within 0.5 s (issue 13).
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from textual.app import App, ComposeResult  # noqa: E402

from tracetui.analysis.overview import TraceAnalysis  # noqa: E402
from tracetui.model.trace import Trace  # noqa: E402
from tracetui.ui.widgets.flame import FlameGraph  # noqa: E402
from tracetui.ui.widgets.waterfall import Waterfall  # noqa: E402
from tracetui.viewmodels.flame import MERGED  # noqa: E402

SIZE = (160, 46)


class _BenchApp(App):
    def __init__(self, widget) -> None:
        super().__init__()
        self._widget = widget

    def compose(self) -> ComposeResult:
        yield self._widget


def _ms(f) -> float:
    t0 = time.perf_counter()
    f()
    return (time.perf_counter() - t0) * 1000


def _first_screen(widget, show, size) -> dict[str, float]:
    out: dict[str, float] = {}

    async def run() -> None:
        app = _BenchApp(widget)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            height = widget.size.height

            def page() -> None:
                for y in range(height):
                    widget.render_line(y)

            out["show_ms"] = _ms(show)
            widget._row_cache.clear()
            out["page_ms"] = _ms(page)
            out["rows"] = float(widget.row_count())
            if isinstance(widget, FlameGraph):
                out["merged_ms"] = _ms(lambda: widget.set_mode(MERGED))
                widget._row_cache.clear()
                out["merged_page_ms"] = _ms(page)

    asyncio.run(run())
    return out


def bench(trace: Trace, size: tuple[int, int] = SIZE) -> dict[str, float]:
    """Milliseconds: flame first screen (layout + page) and the waterfall's, same trace, same process."""
    trace.ensure_built()
    analysis = TraceAnalysis(trace)
    gc_was = gc.isenabled()
    w = Waterfall()
    water = _first_screen(w, lambda: w.show_trace(trace, analysis), size)
    f = FlameGraph()
    flame = _first_screen(f, lambda: f.show_trace(trace, analysis), size)
    if gc_was:
        gc.enable()
    return {
        "flame_first_screen_ms": flame["show_ms"] + flame["page_ms"],
        "flame_layout_ms": flame["show_ms"],
        "flame_page_ms": flame["page_ms"],
        "flame_rows": flame["rows"],
        "left_heavy_first_screen_ms": flame["merged_ms"] + flame["merged_page_ms"],
        "waterfall_first_screen_ms": water["show_ms"] + water["page_ms"],
    }


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from big_trace import make_trace

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    for label, trace in (("wide", make_trace(n)), ("chain", make_trace(n, deep_chain=n))):
        print(f"{label} trace, {n} spans, {SIZE[0]}x{SIZE[1]} terminal:")
        for key, value in bench(trace).items():
            print(f"  {key:28} {value:9.2f}")


if __name__ == "__main__":
    main()
