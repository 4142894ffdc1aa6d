"""The waterfall widget in a tiny app: what a user sees and what keys do (the state behind it:
tests/viewmodels/test_waterfall_model.py)."""

from __future__ import annotations

import io

from builders import checkout_trace, span, trace
from rich.cells import cell_len
from rich.console import Console
from textual import events
from textual.app import App, ComposeResult

from tracetui.analysis.overview import TraceAnalysis
from tracetui.model.query import parse_query
from tracetui.ui.widgets.waterfall import Waterfall

MS = 1_000_000
WIDTH, HEIGHT = 120, 14


shop = checkout_trace


class WaterfallApp(App):
    def __init__(self, t) -> None:
        super().__init__()
        self.t = t
        self.highlighted: list[int] = []
        self.activated: list[int] = []

    def compose(self) -> ComposeResult:
        yield Waterfall()

    def on_mount(self) -> None:
        w = self.query_one(Waterfall)
        w.show_trace(self.t, TraceAnalysis(self.t))
        w.focus()

    def on_waterfall_span_highlighted(self, message: Waterfall.SpanHighlighted) -> None:
        self.highlighted.append(message.pos)

    def on_waterfall_span_activated(self, message: Waterfall.SpanActivated) -> None:
        self.activated.append(message.pos)


def lines(w: Waterfall) -> list[str]:
    out = []
    for y in range(w.scrollable_content_region.height):
        text = "".join(seg.text for seg in w.render_line(y)).rstrip()
        if text:
            out.append(text)
    return out


def row_names(w: Waterfall) -> list[str]:
    t = w.trace
    return [t.spans[n].span_id if n >= 0 else "?" for n in w.row_view.rows]


def pos(t, sid):
    return t.position(sid)


async def test_rows_show_tree_services_names_durations_and_axis():
    t = shop()
    app = WaterfallApp(t)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        text = lines(w)
        axis, rows = text[0], text[1:]
        assert "│0" in axis and "ms" in axis and "dur" in axis and "self" in axis
        assert len(rows) == 5
        assert rows[0].startswith("▾ ") and "front" in rows[0] and "GET /checkout" in rows[0]
        assert rows[1].startswith("├─▾ ✖") and "add item" in rows[1]  # error mark
        assert rows[2].startswith("│ └── ") and "SELECT cart" in rows[2]
        assert rows[4].startswith("  └── ")
        # Duration and self time: cart is 50 ms, 42 ms of it its own (db takes 8 ms).
        assert rows[1].endswith("50.0ms  42.0ms")
        # The exception event is marked on cart's bar; the critical path is drawn on bars.
        assert "◆" in rows[1]
        assert "━" in rows[0] and "━" in rows[3]


async def test_untrusted_span_name_renders_literally_and_keeps_the_line_width():
    evil = "[bold]x[/]\x1b[2J\tA\nB"
    wide = "表" * 80 + "🚀"
    t = trace(span("r", "", 0, 10 * MS, name=evil), span("c", "r", 1 * MS, 2 * MS, name=wide))
    app = WaterfallApp(t)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        for y in range(3):
            strip = w.render_line(y)
            text = "".join(seg.text for seg in strip)
            assert strip.cell_length == w.scrollable_content_region.width
            assert cell_len(text) == w.scrollable_content_region.width
            assert not any(ch in text for ch in "\x1b\t\n\r")
        row = "".join(seg.text for seg in w.render_line(1))
        assert "[bold]x[/]" in row and "⇥A↵B" in row
        assert "…" in "".join(seg.text for seg in w.render_line(2))  # cut, not wrapped


async def test_cursor_keys_move_and_announce_the_span():
    t = shop()
    app = WaterfallApp(t)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        assert app.highlighted[-1] == pos(t, "root")  # announced once shown
        await pilot.press("down", "j")
        await pilot.pause()
        assert w.selected_pos == pos(t, "a1") and app.highlighted[-1] == pos(t, "a1")
        await pilot.press("G")
        assert w.selected_pos == pos(t, "b1")
        await pilot.press("k")
        assert w.selected_pos == pos(t, "b")
        await pilot.press("g")
        assert w.selected_pos == pos(t, "root")
        await pilot.press("enter")
        await pilot.pause()
        assert app.activated == [pos(t, "root")]


async def test_collapse_and_expand_with_keys_and_mouse():
    t = shop()
    app = WaterfallApp(t)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        await pilot.press("down")
        await pilot.pause()
        announced = len(app.highlighted)
        await pilot.press("left")  # collapse cart
        await pilot.pause()
        assert row_names(w) == ["root", "a", "b", "b1"]
        assert len(app.highlighted) == announced  # still on cart: nothing new to announce
        assert lines(w)[2].startswith("├─▸") and "+1" in lines(w)[2]
        await pilot.press("left")  # already collapsed: go to the parent
        assert w.selected_pos == pos(t, "root")
        await pilot.press("H")
        assert row_names(w) == ["root"]
        assert "5 spans · 1 row" in lines(w)[0]
        await pilot.press("L")
        assert len(row_names(w)) == 5
        await pilot.press("space")
        assert row_names(w) == ["root"]
        await pilot.press("right")
        assert len(row_names(w)) == 5
        await pilot.press("right")  # expanded: go to the first child
        assert w.selected_pos == pos(t, "a")
        # A click selects a row; a click on its ▾ marker folds it.
        await pilot.click(Waterfall, offset=(30, 4))
        assert w.selected_pos == pos(t, "b")
        await pilot.click(Waterfall, offset=(2, 4))
        assert row_names(w) == ["root", "a", "a1", "b"]


async def test_zoom_changes_the_axis_and_resets():
    t = shop()
    app = WaterfallApp(t)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        full_axis = lines(w)[0]
        assert w.window == (0, 100 * MS)
        await pilot.press("down", "down")  # db 12..20 ms
        await pilot.press("plus")
        ws, we = w.window
        assert we - ws == 50 * MS and ws <= 16 * MS <= we
        assert lines(w)[0] != full_axis and "zoom" in lines(w)[0]
        await pilot.press("minus")
        assert w.window == (0, 100 * MS)
        await pilot.press("z")
        ws, we = w.window
        assert ws <= 12 * MS and we >= 20 * MS and we - ws < 10 * MS
        assert "12.0ms" in lines(w)[0] or "14.0ms" in lines(w)[0]
        await pilot.press("0")
        assert w.window == (0, 100 * MS) and lines(w)[0] == full_axis
        w.zoom_to(0, 40 * MS)
        await pilot.press("shift+right")
        assert w.window == (10 * MS, 50 * MS)
        for _ in range(5):
            await pilot.press("shift+right")
        assert w.window == (60 * MS, 100 * MS)  # stops at the end of the trace


async def test_next_error_and_critical_path_and_search():
    t = shop()
    app = WaterfallApp(t)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        w.collapse_all()
        assert w.next_error(1) and w.selected_pos == pos(t, "a")
        assert w.next_error(1) and w.selected_pos == pos(t, "b1")  # expanded to reach it
        assert w.next_error(1) and w.selected_pos == pos(t, "a")   # wraps around
        assert w.next_error(-1) and w.selected_pos == pos(t, "b1")

        # Critical path in time order: front, cart, its db call (the only child, so the last to
        # finish inside cart), pay, pay's db call.
        w.select_pos(pos(t, "root"))
        steps = []
        for _ in range(4):
            await pilot.press("right_square_bracket")
            steps.append(t.spans[w.selected_pos].span_id)
        assert steps == ["a", "a1", "b", "b1"]
        await pilot.press("left_square_bracket")
        assert w.selected_pos == pos(t, "b")

        assert w.set_search(parse_query("db")) == 2
        match_bg = {seg.style.bgcolor for seg in w.render_line(1 + w.row_view.row_of(pos(t, "a1")))
                    if "SELECT" in seg.text}
        plain_bg = {seg.style.bgcolor for seg in w.render_line(1 + w.row_view.row_of(pos(t, "b")))
                    if "charge" in seg.text}
        assert match_bg and match_bg != plain_bg
        w.select_pos(pos(t, "root"))
        assert w.next_match(1) and w.selected_pos == pos(t, "a1")
        assert w.next_match(1) and w.selected_pos == pos(t, "b1")
        assert w.set_search(None) == 0 and not w.next_match(1)


async def test_hidden_and_dimmed_services():
    t = shop()
    app = WaterfallApp(t)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        w.select_pos(pos(t, "a1"))
        w.set_hidden_services({"db"})
        await pilot.pause()
        assert row_names(w) == ["root", "a", "b"]
        assert w.selected_pos == pos(t, "a")  # the cursor falls back to the nearest ancestor
        assert app.highlighted[-1] == pos(t, "a")  # and the detail pane is told
        w.set_hidden_services({"cart"})
        assert row_names(w) == ["root", "a1", "b", "b1"]

        def bar_colours(sid):
            y = 1 + w.row_view.row_of(pos(t, sid))
            return {seg.style.color for seg in w.render_line(y) if "█" in seg.text}

        before = bar_colours("b")
        w.set_dimmed_services({"pay"})
        assert bar_colours("b") != before and bar_colours("b")


async def test_showing_the_same_trace_again_keeps_the_state():
    t = shop()
    app = WaterfallApp(t)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        w.select_pos(pos(t, "a"))
        await pilot.press("left")  # collapse cart
        w.select_pos(pos(t, "b"))
        w.zoom_to(50 * MS, 100 * MS)
        t.add([span("b2", "b", 85 * MS, 90 * MS, service="db", name="late")])
        w.show_trace(t, TraceAnalysis(t))
        assert row_names(w) == ["root", "a", "b", "b1", "b2"]
        assert w.selected_pos == pos(t, "b") and w.window == (50 * MS, 100 * MS)
        other = shop()
        w.show_trace(other, TraceAnalysis(other))
        assert len(row_names(w)) == 5 and w.selected_pos == pos(other, "root") and not w.zoomed


async def test_wheel_scrolls_a_long_trace_and_the_axis_stays():
    spans = [span("r", "", 0, 1000 * MS)] + [span(f"c{i}", "r", i * MS, (i + 5) * MS) for i in range(200)]
    t = trace(*spans)
    app = WaterfallApp(t)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        axis = lines(w)[0]
        for _ in range(2):  # two wheel notches over the widget
            w.post_message(events.MouseScrollDown(w, 10, 5, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert w.scroll_y > 0
        assert lines(w)[0] == axis  # sticky
        first_row = lines(w)[1]
        assert f"c{int(w.scroll_y) - 1} " in first_row  # row 0 is r, row k is c{k-1}
        await pilot.press("G")
        assert w.selected_pos == len(spans) - 1
        assert "c199" in lines(w)[-1]  # the cursor's row is on screen


async def test_theme_switch_repaints_with_the_new_colours():
    t = shop()
    app = WaterfallApp(t)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        app.theme = "textual-dark"
        await pilot.pause()
        dark = {seg.style.bgcolor for seg in w.render_line(3) if seg.text.strip() == ""}
        app.theme = "textual-light"
        await pilot.pause()
        light = {seg.style.bgcolor for seg in w.render_line(3) if seg.text.strip() == ""}
        assert dark and light and dark.isdisjoint(light)
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            segs = list(w.render_line(3))  # "│ └── ▍db SELECT cart"
            guide = next(seg for seg in segs if seg.text.startswith("│"))
            name = next(seg for seg in segs if "SELECT cart" in seg.text)
            # Guides are drawn fainter than names, in both themes.
            assert guide.style.color != name.style.color, theme


async def test_tiny_widths_do_not_break():
    t = shop()
    app = WaterfallApp(t)
    async with app.run_test(size=(14, 6)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        for y in range(w.scrollable_content_region.height):
            assert w.render_line(y).cell_length == w.scrollable_content_region.width
        await pilot.press("plus", "down", "left", "z")


def screen_text(app: App) -> str:
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=False)


async def test_durations_stay_visible_next_to_the_scrollbar():
    # Enough rows for a scrollbar: the right-hand "dur self" column must not slide under it.
    spans = [span("r", "", 0, 100 * MS)] + [span(f"c{i}", "r", i * MS, (i + 2) * MS) for i in range(60)]
    app = WaterfallApp(trace(*spans))
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        shown = screen_text(app).splitlines()
        assert "dur    self" in shown[0]
        assert "100ms  39.0ms" in shown[1]  # root: 100 ms, 39 ms not covered by c0..c59 (0..61 ms)
        assert "2.00ms  2.00ms" in shown[2]


async def test_page_keys_move_the_rows_and_the_cursor_by_one_page():
    spans = [span("r", "", 0, 1000 * MS)] + [span(f"c{i}", "r", i * MS, (i + 5) * MS) for i in range(200)]
    app = WaterfallApp(trace(*spans))
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await pilot.pause()
        w = app.query_one(Waterfall)
        page = w.page_rows  # the lines below the axis
        await pilot.press("down", "pagedown")
        assert w.cursor == 1 + page and w.top_row == page  # the cursor keeps its line on screen
        assert lines(w)[2].startswith("├── ") and f"c{page} " in lines(w)[2]
        await pilot.press("pageup")
        assert (w.cursor, w.top_row) == (1, 0)
        assert app.highlighted[-1] == w.selected_pos  # each page step told the detail pane
