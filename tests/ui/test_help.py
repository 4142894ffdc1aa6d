"""Help lists every key from the bindings themselves, so it cannot drift from them."""

from __future__ import annotations

import re

from otlp_sample import TRACE_A
from textual.binding import Binding
from ui_helpers import SIZE, sample_app, screen_text

from tracetui.ui.screens.help import HelpScreen
from tracetui.ui.screens.trace_list import TraceListScreen
from tracetui.ui.screens.trace_view import TraceViewScreen


def _descriptions(cls) -> set[str]:
    return {b.description for b in Binding.make_bindings(cls.BINDINGS) if b.description}


async def test_help_on_the_list_lists_the_list_keys():
    app = sample_app()
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for desc in _descriptions(TraceListScreen):
            assert desc in text
        assert "Open trace" in text and "Quit" in text and "Command palette" in text
        await pilot.press("escape")
        assert isinstance(app.screen, TraceListScreen)


async def test_help_in_the_trace_view_lists_screen_and_widget_keys():
    app = sample_app()
    async with app.run_test(size=(120, 80)) as pilot:
        await pilot.pause()
        app.open_trace(TRACE_A)
        await pilot.pause()
        await pilot.press("question_mark")
        text = screen_text(app)
        for desc in _descriptions(TraceViewScreen):
            assert desc in text
        # keys of the widgets on the screen too (service panel, waterfall)
        assert "Only" in text and "Hide" in text
        assert re.search(r"│ e +Errors — Next span with status ERROR", text)


async def test_command_palette_opens_a_trace_by_id():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"aaaaaaaa")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TraceViewScreen) and app.screen.trace.trace_id == TRACE_A
        assert f"Trace {TRACE_A}" in screen_text(app)


async def test_command_palette_runs_screen_actions():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_trace(TRACE_A)
        await pilot.pause()
        await pilot.press("ctrl+p", *"toggle service filter")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        from tracetui.ui.widgets.service_filter import ServiceFilter

        panel = app.screen.query_one(ServiceFilter)
        assert panel.display and panel.has_focus


async def test_help_taller_than_the_terminal_scrolls_with_keys():
    from textual.containers import VerticalScroll

    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_trace(TRACE_A)
        await pilot.pause()
        await pilot.press("question_mark")
        scroll = app.screen.query_one(VerticalScroll)
        assert scroll.max_scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y
