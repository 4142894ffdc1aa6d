"""A new row view is one small class: how many rows, the header, one row. The base does the rest
(cursor, keys, paging, scrolling the cursor into view, the sticky header, the strip cache)."""

from __future__ import annotations

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.strip import Strip

from tracetui.ui.widgets.row_view import RowScrollView, row_bindings

SIZE = (40, 12)  # 12 lines: 2 header lines, 10 rows


class Numbers(RowScrollView):
    """The whole of a row view: N numbered rows under a two-line header."""

    BINDINGS = row_bindings("numbers")
    HEADER_LINES = 2

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self.drawn: list[int] = []

    def row_count(self) -> int:
        return self.n

    def render_header(self, y: int, width: int) -> Strip:
        return Strip([Segment(f"header {y}".ljust(width))])

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        self.drawn.append(row)
        return Strip([Segment(f"{'>' if selected else ' '} row {row}".ljust(width))])


class NumbersApp(App):
    def __init__(self, n: int = 100, show_cursor: bool = True) -> None:
        super().__init__()
        self.n, self.show = n, show_cursor

    def compose(self) -> ComposeResult:
        view = Numbers(self.n)
        view.show_cursor = self.show
        yield view

    def on_mount(self) -> None:
        self.query_one(Numbers).focus()


def shown(view: Numbers) -> list[str]:
    return [view.render_line(y).text.rstrip() for y in range(view.scrollable_content_region.height)]


async def test_cursor_keys_move_the_cursor_and_the_header_stays():
    app = NumbersApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(Numbers)
        assert view.page_rows == 10
        assert shown(view)[:3] == ["header 0", "header 1", "> row 0"]
        await pilot.press("down", "j", "j", "k")
        assert view.cursor == 2 and shown(view)[4] == "> row 2" and view.top_row == 0
        await pilot.press("G")
        lines = shown(view)
        assert view.cursor == 99 and lines[:2] == ["header 0", "header 1"]  # sticky
        assert lines[-1] == "> row 99" and lines[2] == "  row 90"  # scrolled just enough
        await pilot.press("up", "g")
        assert view.cursor == 0 and view.top_row == 0 and shown(view)[2] == "> row 0"


async def test_paging_moves_view_and_cursor_by_one_page_together():
    app = NumbersApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(Numbers)
        await pilot.press("down", "down", "pagedown")
        assert (view.cursor, view.top_row) == (12, 10)  # the cursor keeps its line on screen
        assert shown(view)[4] == "> row 12"
        await pilot.press("pageup")
        assert (view.cursor, view.top_row) == (2, 0)
        await pilot.press("pageup")
        assert view.cursor == 0
        for _ in range(11):
            await pilot.press("pagedown")
        assert view.cursor == 99 and view.top_row == 90  # stops at the last row


async def test_the_cursor_set_from_code_scrolls_into_view_and_clicks_pick_rows():
    app = NumbersApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(Numbers)
        view.cursor = 50
        assert view.top_row == 41 and shown(view)[-1] == "> row 50"
        view.cursor = 500  # clamped to the last row
        assert view.cursor == 99
        view.cursor = 45
        await pilot.pause()
        await pilot.click(Numbers, offset=(3, 4))  # line 4 = the third row on screen
        assert view.cursor == view.top_row + 2
        await pilot.click(Numbers, offset=(3, 0))  # the header is not a row
        assert view.cursor == view.top_row + 2


async def test_a_cursor_move_redraws_two_lines_from_the_cache():
    app = NumbersApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(Numbers)
        await pilot.pause()
        regions = []
        original = view.refresh
        view.refresh = lambda *r, **kw: (regions.extend(r), original(*r, **kw))[1]
        view.drawn.clear()
        await pilot.press("down")
        await pilot.pause()
        assert sorted(r.y for r in regions) == [2, 3] and all(r.height == 1 for r in regions)
        assert sorted(view.drawn) == [0, 1]  # only the two rows whose look changed
        view.drawn.clear()
        shown(view)
        assert view.drawn == []  # the rest comes from the cache
        view.invalidate_rows()
        shown(view)
        assert sorted(view.drawn) == list(range(10))
        view.drawn.clear()
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        shown(view)
        assert sorted(view.drawn) == list(range(10))  # a theme change drops every cached row


async def test_without_a_cursor_the_keys_only_scroll():
    app = NumbersApp(show_cursor=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(Numbers)
        assert not any(line.startswith(">") for line in shown(view))
        await pilot.press("down", "down")
        assert view.top_row == 2 and shown(view)[2] == "  row 2"
        await pilot.press("pagedown")
        assert view.top_row == 12
        await pilot.press("G")
        assert view.top_row == 90 and shown(view)[-1] == "  row 99"
        await pilot.press("g")
        assert view.top_row == 0


async def test_an_empty_view_draws_its_header_and_blank_lines():
    app = NumbersApp(n=0)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(Numbers)
        await pilot.press("down", "pagedown", "G")
        assert view.cursor == 0 and shown(view)[:2] == ["header 0", "header 1"]
        assert all(line == "" for line in shown(view)[2:])
