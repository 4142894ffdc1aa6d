"""Trace statistics in the trace view (`t`): Jaeger UI's figures on its own test trace, grouping
and sorting by keys, and Enter selecting a group's spans in the waterfall."""

from __future__ import annotations

from conftest import FIXTURES
from loading import load_files
from ui_helpers import SIZE, sample_app, screen_text

from tracetui.ui.screens.trace_stats import TraceStatsScreen
from tracetui.ui.screens.trace_view import TraceViewScreen
from tracetui.ui.widgets.stats_table import StatsTable

NORMAL = FIXTURES / "jaeger" / "trace-statistics" / "testTraceNormal.json"
HIKARI = "HikariProxyPreparedStatement.executeQuery"


def table_lines(app) -> list[str]:
    table = app.screen.query_one(StatsTable)
    height = table.scrollable_content_region.height
    return [line for y in range(height) if (line := table.render_line(y).text.rstrip())]


async def open_stats(app, pilot) -> TraceStatsScreen:
    await pilot.pause()
    (t,) = app.store
    app.open_trace(t.trace_id)
    await pilot.pause()
    assert isinstance(app.screen, TraceViewScreen)
    await pilot.press("T")
    await pilot.pause()
    assert isinstance(app.screen, TraceStatsScreen)
    return app.screen


async def test_t_shows_jaegers_figures_by_service_and_b_changes_the_grouping():
    store, _ = load_files(NORMAL)
    app = sample_app(store)
    async with app.run_test(size=(160, 30)) as pilot:
        await open_stats(app, pilot)
        header, *rows = table_lines(app)
        assert header.split()[:3] == ["Service", "Count", "Total"] and "Self▼" in header
        # jaeger-ui tableValues.test.js: api-gateway 2 spans, 7.4 ms, self 3.16 ms, 64.52 %.
        assert rows[0].split()[:5] == ["api-gateway", "2", "7.40ms", "3.16ms", "1.58ms"]
        assert "64.5%" in rows[0] and rows[1].split()[:4] == ["customers-service", "3", "1.81ms", "1.74ms"]
        await pilot.press("b")  # by operation
        assert "by operation" in screen_text(app)
        assert any(line.startswith(f"customers-service: {HIKARI}") for line in table_lines(app))
        await pilot.press("b")  # both: each service followed by its operations
        names = [line[:40].strip() for line in table_lines(app)[1:]]
        assert names[:3] == ["api-gateway", "GET /api/customer/owners/8/pets/10", "GET /owners/8/pets/10"]
        assert names[3] == "customers-service"


async def test_sorting_by_keys_and_by_a_click_on_a_title():
    store, _ = load_files(NORMAL)
    app = sample_app(store)
    async with app.run_test(size=(160, 30)) as pilot:
        screen = await open_stats(app, pilot)
        await pilot.press("b")  # by operation, most self time first
        first = [line.split(":")[1].split()[0] for line in table_lines(app)[1:]]
        assert first[0] == "GET" and first[-1] == HIKARI
        await pilot.press("r")  # reversed
        assert table_lines(app)[1].startswith(f"customers-service: {HIKARI}")
        assert "Self▲" in table_lines(app)[0] and "▲" in screen_text(app).splitlines()[0]
        await pilot.press("o")  # the next column: self avg, largest first
        assert screen.model.sort == "self_mean" and "Self avg▼" in table_lines(app)[0]
        await pilot.click(StatsTable, offset=(2, 0))  # the name column's title: by name, A to Z
        assert screen.model.sort == "name"
        labels = [line[:60].strip() for line in table_lines(app)[1:]]
        assert labels == sorted(labels, key=str.lower)


async def test_enter_selects_the_groups_spans_in_the_waterfall_and_n_steps_through_them():
    store, _ = load_files(NORMAL)
    app = sample_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_stats(app, pilot)
        await pilot.press("b")
        row = next(i for i, g in enumerate(screen.model.rows) if g.name == HIKARI)
        screen.table.move_cursor(row)
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, TraceViewScreen)
        spans = view.trace.spans
        wanted = {p for p, s in enumerate(spans) if s.name == HIKARI}
        assert len(wanted) == 2 and view.waterfall.model.matches == wanted
        first = view.waterfall.selected_pos
        assert first in wanted
        assert view.search_bar.input.value == f"{{service=customers-service name={HIKARI}}}"
        assert "1/2" in screen_text(app)
        await pilot.press("n")
        assert view.waterfall.selected_pos in wanted - {first} and "2/2" in screen_text(app)


async def test_escape_goes_back_to_the_trace_unchanged():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_trace(next(iter(app.store)).trace_id)
        await pilot.pause()
        view = app.screen
        await pilot.press("T", "escape")
        assert app.screen is view and not view.waterfall.model.matches


async def test_the_detail_pane_says_where_a_span_stands_among_its_operations_loaded_spans():
    from conftest import SAMPLES

    store, _ = load_files(SAMPLES / "shop.json")
    app = sample_app(store)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        # The slowest "SELECT stock" of all the loaded traces, worked out here from the spans.
        stock = sorted((s.duration_ns, t.trace_id, s.span_id) for t in store for s in t.spans
                       if s.name == "SELECT stock")
        assert len(stock) > 2
        _, trace_id, span_id = stock[-1]
        app.open_trace(trace_id, span_id)
        await pilot.pause()
        durations = [d for d, _, _ in stock]
        p50 = durations[(len(durations) + 1) // 2 - 1]  # nearest rank
        from tracetui.render.units import fmt_duration

        text = screen_text(app)
        assert f"(p100 of {len(stock)}, p50 {fmt_duration(p50)})" in text
        # The fastest one stands at the bottom.
        _, trace_id, span_id = stock[0]
        app.open_trace(trace_id, span_id)
        await pilot.pause()
        assert f"(p{100 // len(stock)} of {len(stock)}, p50 {fmt_duration(p50)})" in screen_text(app)
