"""The comparison screen on the incident sample: what a user sees and does."""

from __future__ import annotations

import asyncio
import time

import pytest
from conftest import SAMPLES
from textual import events
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


async def test_f_diffs_the_critical_path_of_the_selection_against_the_baseline(incident_app):
    """Issue 13's CRISP diff between the comparison's selection and baseline: the slow query on top."""
    from tracetui.ui.screens.crisp import CrispScreen

    app = incident_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = await computed(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        crisp = app.screen
        assert isinstance(crisp, CrispScreen)
        deadline = time.monotonic() + 30
        while crisp.model is None:
            assert time.monotonic() < deadline, "profiling never finished"
            await asyncio.sleep(0.05)
        await pilot.pause()
        assert crisp.model.mode == "groups"
        selection, baseline = crisp.groups
        assert len(selection) == 17 and len(baseline) == 143  # the comparison's own split
        top = crisp.model.changes()[0]
        assert crisp.model.crisp.paths.frames(top.path)[-1] == "inventory: SELECT stock"
        assert top.b_ns > top.a_ns  # grew in the selection
        assert "selection (17 traces) against baseline (143)" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_the_tables_computed_in_slices_equal_the_headless_json(incident_app, monkeypatch):
    """The screen's figures, computed a step at a time on the event loop, are `tracetui compare
    --json`'s, number for number (the default split, and span scope on the slow query)."""
    import orjson
    from click.testing import CliRunner

    from tracetui.cli import main

    monkeypatch.setattr("tracetui.ui.slices.SLICE_SECONDS", 0.0)  # one step per slice: many turns of the loop

    def headless(*args: str) -> dict:
        out = CliRunner().invoke(main, ["compare", str(SAMPLES / "incident.json"), "--json", *args])
        assert out.exit_code == 0, out.output
        return orjson.loads(out.stdout)

    app = incident_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = await computed(app, pilot)
        assert screen.model.comparison.to_json() == headless()
        shown = screen.query_one(OperationsTable).rows
        assert [(r.service, r.name) for r in shown] == [(r.service, r.name) for r in screen.model.comparison.operations]
        await pilot.press("s")
        screen = await computed(app, pilot)
        assert screen.model.comparison.to_json() == headless("--span-scope", "inventory: SELECT stock")


async def until(condition, timeout: float = 5.0) -> float:
    """Poll `condition` (giving the event loop its turns) until it holds; how long that took."""
    t0 = time.monotonic()
    while not condition():
        assert time.monotonic() - t0 < timeout, "it never happened"
        await asyncio.sleep(0.001)
    return time.monotonic() - t0


def send_key(app, key: str) -> None:
    """A key press as the terminal sends it, without Pilot's waiting for the CPU to be idle
    (`pilot.press` waits up to 1 s for that while the tables compute)."""
    app.post_message(events.Key(key, None))


async def test_keys_move_the_split_while_the_tables_compute_and_only_the_last_split_is_shown(
        incident_app, monkeypatch):
    monkeypatch.setattr("tracetui.ui.slices.SLICE_SECONDS", 0.0)  # one step per slice: the work outlasts the keys
    shown: list[tuple] = []
    original = CompareScreen._show

    def recording_show(self, result, key):
        shown.append(key)
        original(self, result, key)

    monkeypatch.setattr(CompareScreen, "_show", recording_show)
    app = incident_app
    async with app.run_test(size=SIZE) as pilot:
        send_key(app, "c")
        await until(lambda: isinstance(app.screen, CompareScreen) and app.screen.computing)
        screen = app.screen
        assert "analysing" in screen_text(app)  # the tables say they are being computed
        send_key(app, "right_square_bracket")  # answered at once, while the first split computes
        await until(lambda: screen.model.selection.kind == "range", timeout=0.5)
        assert screen.computing and "selection: duration" in screen_text(app)
        send_key(app, "right_square_bracket")
        first = screen.model.selection
        await until(lambda: screen.model.selection != first, timeout=0.5)
        moved = screen.model.selection
        assert screen.computing and screen.model.comparison is None  # nothing shown yet
        screen = await computed(app, pilot)
        assert [k[0] for k in shown] == [moved]  # the superseded splits were never shown
        from tracetui.analysis.compare import Comparer

        expected = Comparer(screen.state.traces).compare(moved)
        assert screen.model.comparison.to_json() == expected.to_json()
        assert screen.model.comparison.selection_count == sum(1 for t in app.store if t.duration_ns >= moved.low_ns)
