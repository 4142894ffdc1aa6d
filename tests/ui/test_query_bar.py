"""The query bar: one widget behind the trace list's filter and the trace view's search."""

from __future__ import annotations

from otlp_sample import TRACE_A
from textual.app import App, ComposeResult
from ui_helpers import SIZE, sample_app, screen_text

from tracetui.ui.screens.trace_list import TraceListScreen
from tracetui.ui.screens.trace_view import TraceViewScreen
from tracetui.ui.widgets.query_bar import QueryBar


class BarApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.applied: list[tuple[str, bool, bool]] = []  # (text, submitted, query is empty)

    def compose(self) -> ComposeResult:
        yield QueryBar("q", "Query:", "type a query", 1.0)

    def on_mount(self) -> None:
        self.query_one(QueryBar).open()

    def on_query_bar_applied(self, message: QueryBar.Applied) -> None:
        self.applied.append((message.text, message.submitted, message.query.is_empty))


async def test_typing_applies_after_a_pause_enter_submits_and_a_bad_query_says_why():
    app = BarApp()
    async with app.run_test(size=(80, 10)) as pilot:
        bar = app.query_one(QueryBar)
        assert bar.is_open and bar.input.has_focus
        await pilot.press(*"error")
        assert app.applied == []  # not on every key
        await pilot.pause(1.3)
        assert app.applied == [("error", False, False)]
        await pilot.press(*" duration>x")
        await pilot.pause(1.3)
        await pilot.press("enter")
        assert len(app.applied) == 1  # a query that does not parse is not applied...
        error = app.query_one("#q-error")
        assert error.display and "✗" in screen_text(app)  # ...and says why, under the bar
        await pilot.press(*["backspace"] * len(" duration>x"), "enter")
        assert app.applied[-1] == ("error", True, False) and not error.display
        bar.clear()
        await pilot.pause()
        assert app.applied[-1] == ("", False, True) and bar.input.value == ""
        bar.close()
        await pilot.pause()
        assert not bar.is_open and not error.display


async def test_the_list_filter_and_the_trace_search_are_the_same_widget():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, TraceListScreen)
        assert [b.prefix for b in app.screen.query(QueryBar)] == ["filter"]
        app.open_trace(TRACE_A)
        await pilot.pause()
        assert isinstance(app.screen, TraceViewScreen)
        assert [b.prefix for b in app.screen.query(QueryBar)] == ["search"]
        await pilot.press("slash", *"error", "enter")
        assert "1/1" in screen_text(app) or "match" in screen_text(app)
