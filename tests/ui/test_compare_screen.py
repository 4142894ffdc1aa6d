"""The comparison screen on the incident sample: what a user sees and does."""

from __future__ import annotations

import asyncio
import time

import pytest
from conftest import SAMPLES
from ui_helpers import screen_text

from tracetui.model import TraceStore
from tracetui.sources.files import load_paths
from tracetui.ui.app import make_app
from tracetui.ui.screens.compare import CompareScreen
from tracetui.ui.screens.trace_list import TraceListScreen
from tracetui.ui.widgets.compare_tables import AttributesTable, OperationsTable
from tracetui.ui.widgets.trace_table import TraceTable

SIZE = (140, 45)


@pytest.fixture
def incident_app():
    store = TraceStore()
    assert load_paths([str(SAMPLES / "incident.json")], store) == []
    return make_app(store, sources=["incident.json"], utc=True)


async def computed(app, pilot, timeout: float = 20.0) -> CompareScreen:
    deadline = time.monotonic() + timeout
    while True:
        screen = app.screen
        if isinstance(screen, CompareScreen) and screen.model.comparison is not None and not screen.computing:
            await pilot.pause()
            return screen
        assert time.monotonic() < deadline, f"the comparison never finished: {screen_text(app)[:300]}"
        await asyncio.sleep(0.05)


async def test_c_opens_the_comparison_with_the_slow_replica_and_query_first(incident_app):
    app = incident_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = await computed(app, pilot)
        text = screen_text(app)
        assert "selection: slowest 10% (≥ 385ms) · 17 traces" in text
        assert "baseline: the rest · 143 traces" in text
        ops = screen.query_one(OperationsTable)
        attrs = screen.query_one(AttributesTable)
        assert "inventory: SELECT stock" in "".join(s.text for s in ops.render_line(1))
        first = "".join(s.text for s in attrs.render_line(1))
        assert "host.name" in first and "inventory-7d9f-2" in first and "100%" in first
        assert "▲" in text and "⠀" not in text  # the split on the histogram; braille dots drawn


async def test_the_selection_follows_the_keys_and_the_screen_answers_meanwhile(incident_app):
    app = incident_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = await computed(app, pilot)
        await pilot.press("e")  # errors: the title changes at once, before the tables
        assert "selection: traces with errors" in screen_text(app)
        screen = await computed(app, pilot)
        assert screen.model.comparison.selection.kind == "errors"
        await pilot.press("right_square_bracket")  # a duration range from the histogram
        assert "selection: duration" in screen_text(app)
        await pilot.press("slash", *"host.name=inventory-7d9f-2", "enter")
        screen = await computed(app, pilot)
        assert screen.model.comparison.selection_count == sum(
            1 for t in app.store for s in t.spans if s.resource.attributes.get("host.name") == "inventory-7d9f-2"
            and s.name == "SELECT stock")
        assert screen.query_one(OperationsTable).rows[0].name == "SELECT stock"


async def test_enter_lists_the_traces_with_the_value_and_esc_comes_back(incident_app):
    app = incident_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = await computed(app, pilot)
        screen.query_one(AttributesTable).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TraceListScreen)
        listed = {s.trace_id for s in app.index.rows}
        on_replica_2 = {t.trace_id for t in app.store
                        if any(s.resource.attributes.get("host.name") == "inventory-7d9f-2" for s in t.spans)}
        assert listed == on_replica_2 and 0 < len(listed) < len(app.store)
        assert "host.name=inventory-7d9f-2" in screen_text(app)
        app.screen.query_one(TraceTable).focus()
        await pilot.press("escape")
        screen = await computed(app, pilot)
        assert len(app.index.rows) == len(app.store)  # the list's filter is back as it was
        assert screen.model.comparison.selection_count == 17


async def test_span_scope_on_the_operation_under_the_cursor(incident_app):
    app = incident_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await computed(app, pilot)
        await pilot.press("s")
        screen = await computed(app, pilot)
        assert screen.model.scope_op == ("inventory", "SELECT stock")
        assert "share of spans of inventory: SELECT stock" in screen_text(app)
        assert {r.scope for r in screen.query_one(AttributesTable).rows} == {"span"}
