"""`x` on the trace list: exceptions across the loaded traces, grouped; Enter lists their traces."""

from __future__ import annotations

from conftest import SAMPLES
from loading import load_files
from ui_helpers import sample_app, screen_text, table_rows

from tracetui.ui.screens.exceptions import ExceptionsScreen
from tracetui.ui.screens.trace_list import TraceListScreen
from tracetui.ui.widgets.exceptions_table import ExceptionsTable

SIZE = (160, 40)


def exception_traces(store) -> dict[str, set[str]]:
    """Worked out from the spans: exception type -> the traces with such an event."""
    out: dict[str, set[str]] = {}
    for t in store:
        for s in t.spans:
            for e in s.events:
                if e.name == "exception":
                    out.setdefault(str(e.attributes.get("exception.type")), set()).add(t.trace_id)
    return out


async def test_x_groups_the_exceptions_and_enter_lists_their_traces_esc_lists_all_again():
    store, _ = load_files(SAMPLES / "shop.json")
    expected = exception_traces(store)
    assert expected, "the shop sample records exceptions"
    app = sample_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        everything = len(table_rows(app))
        await pilot.press("x")
        await app.workers.wait_for_complete()  # (grouped off the event loop)
        await pilot.pause()
        assert isinstance(app.screen, ExceptionsScreen)
        table = app.screen.query_one(ExceptionsTable)
        text = screen_text(app)
        first = table.groups[0]
        assert first.type in text and first.service in text and "Message (numbers and ids masked)" in text
        assert {g.type for g in table.groups} == set(expected)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TraceListScreen)
        listed = {s.trace_id for s in app.index.rows}
        assert listed == first.trace_ids and listed <= expected[first.type]
        assert len(table_rows(app)) == len(listed) < everything
        assert f"filter: exception {first.type} in {first.service}" in screen_text(app)
        await pilot.press("escape")
        assert len(table_rows(app)) == everything and "filter:" not in screen_text(app)


async def test_without_exceptions_the_screen_says_so():
    from builders import span

    from tracetui.model import TraceStore

    store = TraceStore()
    store.add([span("r", "", 0, 10, service="front", trace_id="t1"), span("a", "r", 1, 5, trace_id="t1")])
    app = sample_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await app.workers.wait_for_complete()  # (grouped off the event loop)
        await pilot.pause()
        text = screen_text(app)
        assert "Exceptions: 0 in 0 traces" in text and "No exception events in the loaded traces." in text
        await pilot.press("enter", "escape")  # nothing to choose; back
        assert isinstance(app.screen, TraceListScreen) and len(table_rows(app)) == 1


async def test_the_screen_opens_and_answers_keys_while_the_exceptions_are_grouped(monkeypatch):
    """At a million spans grouping takes about a second: the screen says what it is doing, and
    Esc goes back at once rather than after the work."""
    import threading

    import tracetui.ui.screens.exceptions as screen_module

    release = threading.Event()
    real = screen_module.exception_groups

    def slow(traces):
        release.wait(10)
        return real(traces)

    monkeypatch.setattr(screen_module, "exception_groups", slow)
    store, _ = load_files(SAMPLES / "shop.json")
    app = sample_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExceptionsScreen)
        assert "Grouping the exceptions of 5 traces" in screen_text(app)
        assert "No exception events" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TraceListScreen)
        release.set()
        await app.workers.wait_for_complete()
