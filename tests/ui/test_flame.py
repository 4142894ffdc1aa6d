"""The flame graph in the trace view (`w`), on the SDK-recorded shop traces: what a user sees and
where the keys take them."""

from __future__ import annotations

from conftest import SAMPLES
from ui_helpers import SIZE, screen_text

from tracetui.model import TraceStore
from tracetui.sources.files import load_paths
from tracetui.ui.app import make_app
from tracetui.ui.screens.trace_view import TraceViewScreen
from tracetui.ui.widgets.flame import FlameGraph
from tracetui.ui.widgets.sandwich import CallsTable, OperationTable
from tracetui.ui.widgets.span_detail import SpanDetail

CHECKOUT = "4bf92f3577b34da6a3ce929d0e0e4736"  # slow authorization, fan-out to inventory
FAILED = "58f740e3b4c80c046143058fd8ee8a8f"  # the payment that times out


def shop_app():
    store = TraceStore()
    load_paths([str(SAMPLES / "shop.json")], store)
    return make_app(store, sources=["shop.json"], utc=True)


async def open_flame(app, pilot, trace_id: str = CHECKOUT) -> TraceViewScreen:
    await pilot.pause()
    app.open_trace(trace_id)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, TraceViewScreen)
    await pilot.press("w")
    await pilot.pause()
    return screen


def pos_of(screen: TraceViewScreen, name: str) -> int:
    return next(i for i, s in enumerate(screen.trace.spans) if s.name == name)


def flame_lines(screen: TraceViewScreen) -> list[str]:
    flame = screen.query_one(FlameGraph)
    return ["".join(seg.text for seg in flame.render_line(y)) for y in range(flame.scrollable_content_region.height)]


async def test_w_shows_the_flame_graph_with_the_root_across_the_width_and_back():
    app = shop_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_flame(app, pilot)
        flame = screen.query_one(FlameGraph)
        assert screen.in_flame and flame.display and not screen.waterfall.display and flame.has_focus
        lines = flame_lines(screen)
        assert lines[0].startswith("│0") and "│100ms" in lines[0]  # the time axis
        assert lines[1].startswith("frontend: POST /checkout")
        # width is time: the root (94ms of the trace's 150ms; a fire-and-forget call outlives it)
        # takes that share of the width, in its service's colour
        width = flame.scrollable_content_region.width
        root = screen.trace.root
        ((c0, c1, _),) = flame.model.row_cells(0, width)
        assert c0 == 0 and abs(c1 - width * root.duration_ns / screen.trace.duration_ns) <= 1
        background = flame.rich_style.bgcolor
        painted = [seg for seg in flame.render_line(1) if seg.style and seg.style.bgcolor != background]
        assert sum(len(seg.text) for seg in painted) in (c1 - 1, c1)  # the last cell may be the gap
        assert "checkout: POST /api/charges" in "".join(lines)
        await pilot.press("w")
        assert not screen.in_flame and screen.waterfall.display and screen.waterfall.has_focus


async def test_overlapping_stock_calls_each_get_a_row():
    app = shop_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_flame(app, pilot)
        model = screen.query_one(FlameGraph).model
        stock = [i for i, s in enumerate(screen.trace.spans) if s.name == "GET /api/stock/{sku}"
                 and s.resource.service == "checkout"]
        rows = {model.frames.row_of[i] for i in stock}
        overlapping = any(screen.trace.spans[a].start_ns < screen.trace.spans[b].end_ns
                          and screen.trace.spans[b].start_ns < screen.trace.spans[a].end_ns
                          for a in stock for b in stock if a < b)
        assert overlapping and len(rows) > 1


async def test_selection_is_the_detail_panes_span_and_survives_the_switch():
    app = shop_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_flame(app, pilot)
        auth = pos_of(screen, "POST /v1/authorizations")
        screen.query_one(FlameGraph).select_pos(auth)
        await pilot.pause()
        assert screen.query_one(SpanDetail).border_title == "POST /v1/authorizations"
        await pilot.press("up")  # the frame above: its parent
        await pilot.pause()
        parent = screen.trace.parent[auth]
        assert screen.query_one(FlameGraph).selected_pos == parent
        assert screen.query_one(SpanDetail).border_title == screen.trace.spans[parent].name
        await pilot.press("w")
        assert screen.waterfall.selected_pos == parent


async def test_enter_zooms_into_a_frame_and_escape_zooms_out_then_leaves():
    app = shop_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_flame(app, pilot)
        flame = screen.query_one(FlameGraph)
        auth = pos_of(screen, "POST /v1/authorizations")
        flame.select_pos(auth)
        await pilot.press("enter")
        s = screen.trace.spans[auth]
        assert flame.model.window == (s.start_ns, s.end_ns)
        line = flame_lines(screen)[flame.model.frames.row_of[auth] + 1]
        assert line.startswith("payments: POST /v1/authorizations")  # it fills the width
        await pilot.press("escape")
        assert not flame.zoomed and app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen  # back to the list


async def test_search_and_n_step_through_matching_frames():
    app = shop_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_flame(app, pilot)
        await pilot.press("slash", *"inventory", "enter")
        await pilot.pause(0.3)
        flame = screen.query_one(FlameGraph)
        first = flame.selected_pos
        assert screen.trace.spans[first].resource.service == "inventory"
        await pilot.press("n")
        assert flame.selected_pos != first and screen.trace.spans[flame.selected_pos].resource.service == "inventory"
        assert "2/6" in screen_text(app) or "/6" in screen_text(app)


async def test_errors_stand_out_and_e_steps_to_them():
    app = shop_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_flame(app, pilot, FAILED)
        assert "✖" in "".join(flame_lines(screen))
        await pilot.press("e")
        pos = screen.query_one(FlameGraph).selected_pos
        assert screen.trace.spans[pos].is_error


async def test_left_heavy_and_the_sandwich_table():
    app = shop_app()
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_flame(app, pilot)
        await pilot.press("m")
        flame = screen.query_one(FlameGraph)
        assert flame.model.merged
        lines = flame_lines(screen)
        assert "left heavy" in lines[0]
        await pilot.press("t")
        await pilot.pause()
        table = screen.query_one(OperationTable)
        assert table.display and table.has_focus
        # operations by total time: the root operation first
        assert table.model.ops[0].frame == "frontend: POST /checkout"
        row = table.model.row_of_frame("payments: POST /v1/authorizations")
        table.move_cursor(row)
        await pilot.pause()
        calls = screen.query_one(CallsTable)
        kinds = {(c.kind, c.frame) for c in calls._lines}
        assert ("caller", "payments: authorize card") in kinds and ("self", "payments: POST /v1/authorizations") in kinds
        await pilot.press("enter")  # select that operation's span in the flame graph
        await pilot.pause()
        assert screen.trace.spans[flame.selected_pos].name == "POST /v1/authorizations"
        assert flame.has_focus


async def test_a_100k_span_trace_orders_and_draws_only_the_rows_on_screen():
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    from big_trace import make_trace
    from textual.app import App

    from tracetui.analysis.overview import TraceAnalysis

    trace = make_trace(100_000)
    analysis = TraceAnalysis(trace)

    class One(App):
        def compose(self):
            yield FlameGraph()

    app = One()
    async with app.run_test(size=(160, 46)) as pilot:
        flame = app.query_one(FlameGraph)
        flame.show_trace(trace, analysis)
        await pilot.pause()
        frames = flame.model.frames
        assert len(frames) > 1_000  # rows of overlapping calls
        height = flame.scrollable_content_region.height
        assert 0 < len(frames._starts) <= height  # rows put in order: those drawn
        assert "root request" in "".join(seg.text for seg in flame.render_line(1))


async def test_a_service_hidden_in_the_panel_is_faded_not_left_out():
    app = shop_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_flame(app, pilot)
        flame = screen.query_one(FlameGraph)
        auth = pos_of(screen, "POST /v1/authorizations")
        row = flame.model.frames.row_of[auth] + 1

        def frame_bg() -> object:
            for seg in flame.render_line(row):
                if seg.text.startswith("payments"):
                    return seg.style.bgcolor
            raise AssertionError("the frame is not drawn")

        before = frame_bg()
        panel_keys = ["s"] + ["down"] * [s for s, _ in screen.analysis.services].index("payments") + ["space"]
        await pilot.press(*panel_keys)
        await pilot.pause()
        assert "payments" in screen.query_one("#service-filter").hidden
        assert flame.model.dimmed == {"payments"}
        assert frame_bg() != before  # still drawn, in a fainter colour
