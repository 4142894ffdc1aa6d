"""A snapshot of the backend search screen (Tempo: with the TraceQL box) at 120x35.

Update after a deliberate change: pytest tests/ui/test_snapshots_backend.py --snapshot-update
"""

from __future__ import annotations

import dataclasses

from textual.widgets import Select

from tracetui.model import TraceStore
from tracetui.sources.backends import build_params, open_backend
from tracetui.sources.backends.config import from_url
from tracetui.ui.app import make_app

LABEL = "tempo+http://tempo.example:3200"  # the real port changes every run


def test_search_screen(snap_compare, serve):
    server = serve("tempo")
    backend = open_backend(dataclasses.replace(from_url(server.url), label=LABEL))
    params = build_params(service="frontend", tags=("http.request.method=POST",), min_duration="100ms",
                          since="6h", limit=30)
    app = make_app(TraceStore(), sources=[LABEL], backends=[backend], search=params, utc=True)

    async def services_loaded(pilot) -> None:
        await pilot.press("S")
        for _ in range(100):
            screen = pilot.app.screen
            if len(screen.query_one("#service", Select)._options) > 3 and len(
                    screen.query_one("#operation", Select)._options) > 2:
                break
            await pilot.pause(0.05)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 35), run_before=services_loaded)
