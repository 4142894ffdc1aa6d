"""Helpers for the UI tests: the app on the hand-built sample, and the screen as plain text."""

from __future__ import annotations

import io

from otlp_sample import sample_store
from rich.console import Console
from textual.app import App

from tracetui.model import TraceStore
from tracetui.ui.app import TraceTuiApp, make_app

SIZE = (120, 35)


def sample_app(store: TraceStore | None = None, **kw) -> TraceTuiApp:
    return make_app(sample_store() if store is None else store, sources=["sample.json"], utc=True, **kw)


async def wait_loaded(app: TraceTuiApp, pilot, timeout: float = 10.0) -> None:
    """Wait until the background loader has finished and its messages are handled."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while app.status.loading:
        assert time.monotonic() < deadline, "loading never finished"
        await asyncio.sleep(0.02)
    await pilot.pause()


def screen_text(app: App) -> str:
    """What the terminal shows, as text (the same render `App.export_screenshot` records)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=False)


def table_rows(app: App) -> list[str]:
    """The trace list's visible rows (the header excluded), as text."""
    from tracetui.ui.widgets.trace_table import TraceTable

    table = app.screen.query_one(TraceTable)
    height = table.scrollable_content_region.height
    rows = []
    for y in range(1, height):
        line = "".join(seg.text for seg in table.render_line(y)).rstrip()
        if line:
            rows.append(line)
    return rows
