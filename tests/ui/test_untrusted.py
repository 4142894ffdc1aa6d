"""Span names and values from other programs show literally and never break the screen."""

from __future__ import annotations

from otlp_sample import TRACE_D
from ui_helpers import SIZE, sample_app, screen_text, table_rows

from tracetui.ui.screens.value import ValueScreen
from tracetui.ui.widgets.span_detail import SpanDetail


def _assert_clean(text: str, width: int) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\t" not in text
    for line in text.splitlines():
        assert len(line) <= width


async def test_hostile_text_in_the_list_the_view_and_the_value_modal():
    app = sample_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        row = next(r for r in table_rows(app) if "pwn" in r)
        assert "[bold]pwn[/]" in row  # markup shown as typed, not applied
        text = screen_text(app)
        _assert_clean(text, SIZE[0])
        assert len(text.splitlines()) == SIZE[1]

        app.open_trace(TRACE_D)
        await pilot.pause()
        text = screen_text(app)
        _assert_clean(text, SIZE[0])
        assert len(text.splitlines()) == SIZE[1]
        assert "[bold]pwn[/]" in text
        assert text.count("[bold]pwn[/]") == 4  # header, waterfall, detail pane title and name
        assert "⇥tab↵newline ünïcødé 漢字" in text
        detail = app.screen.query_one(SpanDetail)
        # A link whose ids are markup: followed, the message shows them literally.
        detail.focus()
        detail.highlighted = next(i for i, f in enumerate(detail.fields) if f.kind == "link")
        await pilot.press("enter")
        await pilot.pause()
        assert "trace [b]nope[/b] is not loaded" in screen_text(app)
        detail.highlighted = next(i for i, f in enumerate(detail.fields) if f.key == "evil")
        detail.focus()
        await pilot.pause()
        text = screen_text(app)
        _assert_clean(text, SIZE[0])
        assert "[red]x[/red]" in text and "long long" in text  # wrapped, literal
        await pilot.press("v")
        assert isinstance(app.screen, ValueScreen)
        text = screen_text(app)
        _assert_clean(text, SIZE[0])
        assert "[red]x[/red]" in text
        await pilot.press("y")
        assert app.clipboard.startswith("[red]x[/red] \x1b]52;")  # the copy is the exact value


async def test_hostile_names_in_crisp_and_the_diff_of_two_traces_show_literally():
    import asyncio

    from otlp_sample import TRACE_A

    from tracetui.analysis.crisp import root_frame
    from tracetui.ui.screens.crisp import CrispScreen
    from tracetui.ui.screens.trace_diff import TraceDiffScreen

    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = CrispScreen(root=root_frame(app.store.get(TRACE_D)))  # the root's name is hostile
        app.push_screen(screen)
        for _ in range(200):
            if screen.model is not None:
                break
            await asyncio.sleep(0.02)
        await pilot.pause()
        text = screen_text(app)
        _assert_clean(text, SIZE[0])
        assert "[bold]pwn[/]" in text and "⇥tab↵newline" in text
        app.pop_screen()
        app.push_screen(TraceDiffScreen(app.store.get(TRACE_A), app.store.get(TRACE_D)))
        await pilot.pause()
        text = screen_text(app)
        _assert_clean(text, SIZE[0])
        assert "[bold]pwn[/]" in text
