"""The trace list: what a user sees and does on the first screen."""

from __future__ import annotations

from otlp_sample import TRACE_A, TRACE_B, sample_bytes
from ui_helpers import SIZE, sample_app, screen_text, table_rows, wait_loaded

from tracetui.loaders import Batch, Problem, read_bytes
from tracetui.model import TraceStore
from tracetui.ui.messages import SpansArrived
from tracetui.ui.screens.trace_list import TraceListScreen
from tracetui.ui.screens.trace_view import TraceViewScreen
from tracetui.ui.widgets.trace_table import TraceTable


async def test_one_row_per_trace_with_marks_and_newest_first():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = table_rows(app)
        assert len(rows) == 4
        # Newest first by default: the hostile trace D starts last (300 ms), A and B first.
        assert "GET /report" in rows[-1] or "GET /checkout" in rows[-1]
        checkout = next(r for r in rows if "GET /checkout" in r)
        assert "frontend: GET /checkout" in checkout
        assert "✗1" in checkout and "120ms" in checkout and "5" in checkout
        text = screen_text(app)
        assert "4 traces" in text and "sorted by start ▼" in text


async def test_sort_by_duration_puts_the_slowest_trace_first_and_again_reverses():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        rows = table_rows(app)
        assert "GET /report" in rows[0] and "900ms" in rows[0]
        assert app.screen.query_one(TraceTable).selected.trace_id == TRACE_B
        assert "sorted by duration ▼" in screen_text(app)
        await pilot.press("d")
        assert "GET /report" in table_rows(app)[-1]
        assert "sorted by duration ▲" in screen_text(app)


async def test_sort_by_errors_key_and_by_clicking_a_column_title():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        assert "GET /checkout" in table_rows(app)[0]
        table = app.screen.query_one(TraceTable)
        # Click the "Spans" title in the header line.
        x = table.render_line(0).text.index("Spans")
        await pilot.click(TraceTable, offset=(x + 1, 0))
        await pilot.pause()
        assert app.index.sort == "spans"
        assert "GET /checkout" in table_rows(app)[0]  # 5 spans, the most


async def test_filter_shows_count_and_bad_query_says_why():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await pilot.press(*"payment")
        await pilot.press("enter")
        rows = table_rows(app)
        assert len(rows) == 1 and "GET /checkout" in rows[0]
        assert "1 of 4 traces" in screen_text(app)
        await pilot.press("slash", "home", "ctrl+k")
        await pilot.press(*"duration>800ms")
        await pilot.press("enter")
        assert len(table_rows(app)) == 1 and "GET /report" in table_rows(app)[0]
        await pilot.press("slash")
        await pilot.press("end", *" duration>x")
        await pilot.press("enter")
        text = screen_text(app)
        assert "✗" in text and "duration>x" not in text.split("✗", 1)[0][-5:]
        err = app.screen.query_one("#filter-error")
        assert err.display  # the error line is shown
        # Esc clears the filter: every trace is back.
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert len(table_rows(app)) == 4


async def test_enter_opens_the_selected_trace_and_escape_comes_back():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d", "j", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TraceViewScreen)
        assert app.screen.trace.trace_id == TRACE_A  # second slowest
        assert f"Trace {TRACE_A}" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, TraceListScreen)
        assert app.screen.query_one(TraceTable).selected.trace_id == TRACE_A


async def test_background_loader_fills_the_list_and_reports_problems():
    problem = Problem("dump.jsonl", "line 7", "not JSON: unexpected character", skipped=1)

    def loader():
        yield Batch(problems=[problem])
        yield from read_bytes(sample_bytes(), "sample.json")

    app = sample_app(TraceStore(), loader=loader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(app, pilot)
        assert len(table_rows(app)) == 4
        assert not any(row.startswith("•") for row in table_rows(app))  # a file's traces are not "new"
        text = screen_text(app)
        assert "4 traces · 9 spans" in text
        assert "1 problem, 1 span skipped — press ! to see them" in text
        assert not app.status.loading
        await pilot.press("exclamation_mark")
        assert "dump.jsonl: line 7: not JSON: unexpected character" in screen_text(app)


def _doc(names_and_starts: list[tuple[int, int]]) -> bytes:
    """Single-span traces: trace i starts at the given millisecond."""
    import orjson
    from otlp_sample import _resource, _span
    spans = [_span(f"{i:032x}", f"{i:016x}", "", f"op-{i}", start, start + 5) for i, start in names_and_starts]
    return orjson.dumps({"resourceSpans": [_resource("svc", spans)]})


def _add(store: TraceStore, doc: bytes) -> set[str]:
    ids: set[str] = set()
    for b in read_bytes(doc, "test"):
        ids |= store.add(b.spans)
    return ids


async def test_spans_arriving_keep_selection_and_scroll_and_mark_new_traces():
    store = TraceStore()
    _add(store, _doc([(i, i * 10) for i in range(1, 81)]))
    app = sample_app(store)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(TraceTable)
        await pilot.press(*["j"] * 40)
        selected = table.selected.trace_id
        screen_row = table.cursor - round(table.scroll_y)
        assert table.scroll_y > 0
        # Two newer traces arrive: newest first, they sort above the selection.
        ids = _add(store, _doc([(901, 5000), (902, 5001)]))
        app.post_message(SpansArrived(ids))
        await pilot.pause()
        assert len(app.index.rows) == 82
        assert table.selected.trace_id == selected
        assert table.cursor - round(table.scroll_y) == screen_row  # nothing moved on screen
        assert {r.trace_id for r in app.index.rows[:2]} == ids == table.new_ids
        await pilot.press("g")
        assert table.render_line(1).text.startswith("•")  # the new trace is marked
        await pilot.press("enter", "escape")
        assert not table.render_line(1).text.startswith("•")  # opened: no longer new


async def test_switching_theme_repaints_rows_in_the_new_colours():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(TraceTable)

        def colours(y: int) -> set:
            return {str(seg.style.color) for seg in table.render_line(y) if seg.style and seg.style.color}

        dark = colours(2)
        app.theme = "textual-light"
        await pilot.pause()
        light = colours(2)
        assert dark and light and dark != light  # no colour baked in from the first theme


async def test_the_ui_answers_while_a_loader_is_still_reading():
    import threading

    release = threading.Event()

    def slow_loader():
        yield from read_bytes(sample_bytes(), "sample.json")
        release.wait(10)  # the rest of a huge file, still being read

    app = sample_app(TraceStore(), loader=slow_loader)
    async with app.run_test(size=SIZE) as pilot:
        try:
            for _ in range(100):  # the first batch arrives while the loader is still busy
                await pilot.pause(0.05)
                if app.index.rows:
                    break
            assert app.status.loading
            text = screen_text(app)
            assert "loading…" in text and len(table_rows(app)) == 4
            await pilot.press("d")  # keys are handled meanwhile
            assert "GET /report" in table_rows(app)[0]
        finally:
            release.set()
        await wait_loaded(app, pilot)
        assert "loading…" not in screen_text(app)


async def test_keys_and_mouse_move_through_a_long_list():
    store = TraceStore()
    _add(store, _doc([(i, i * 10) for i in range(1, 201)]))
    app = sample_app(store)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(TraceTable)
        page = table.scrollable_content_region.height - 1
        await pilot.press("pagedown")
        assert table.cursor == page
        await pilot.press("G")
        assert table.cursor == 199 and "op-1" in table_rows(app)[-1]  # oldest last
        await pilot.press("g", "j", "j", "k")
        assert table.cursor == 1
        await pilot.click(TraceTable, offset=(30, 5))  # line 5 = the 5th row
        assert table.cursor == 4 and isinstance(app.screen, TraceListScreen)
        await pilot.pause(0.6)  # past the double-click interval
        await pilot.double_click(TraceTable, offset=(30, 6))
        await pilot.pause()
        assert isinstance(app.screen, TraceViewScreen)
        assert app.screen.trace.trace_id == app.index.rows[5].trace_id


async def test_an_empty_list_says_why():
    def loader():
        yield Batch(problems=[Problem("bad.json", "", "not a trace format this tool reads")])

    app = sample_app(TraceStore(), loader=loader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(app, pilot)
        text = screen_text(app)
        assert "No traces loaded.  Press ! to see what went wrong." in text
        await pilot.press("exclamation_mark")
        assert "bad.json: not a trace format this tool reads" in screen_text(app)
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"nothing-matches-this", "enter")
        assert "No trace matches the filter (Esc clears it)." in screen_text(app)
        assert "0 of 4 traces" in screen_text(app)


async def test_letters_typed_in_the_filter_are_text_not_commands():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"qdt?")
        assert app.is_running and isinstance(app.screen, TraceListScreen)
        assert app.screen.query_one("#filter-input").value == "qdt?"
        assert app.index.sort == "start"


async def test_a_loader_that_breaks_keeps_what_it_read_and_says_so():
    def loader():
        yield from read_bytes(sample_bytes(), "sample.json")
        raise ValueError("[b]disk[/b] went away")

    app = sample_app(TraceStore(), loader=loader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(app, pilot)
        assert len(table_rows(app)) == 4
        assert "loading stopped: ValueError: [b]disk[/b] went away" in screen_text(app)


async def test_resizing_keeps_rows_whole_and_the_cursor_in_view():
    store = TraceStore()
    _add(store, _doc([(i, i * 10) for i in range(1, 101)]))
    app = sample_app(store)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(TraceTable)
        await pilot.press(*["j"] * 30)
        for width, height in ((70, 20), (200, 50), (120, 35)):
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            text = screen_text(app)
            assert all(len(line) <= width for line in text.splitlines())
            top = round(table.scroll_y)
            assert top <= table.cursor < top + table.scrollable_content_region.height - 1
            assert "op-" in table.render_line(table.cursor - top + 1).text


async def test_a_big_batch_is_listed_completely_before_loading_ends():
    doc = _doc([(i, i) for i in range(1, 4001)])  # more traces than one slice of the drain

    def loader():
        yield from read_bytes(doc, "big.json")

    app = sample_app(TraceStore(), loader=loader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(app, pilot)
        assert len(app.index.rows) == 4000
        assert "4,000 traces · 4,000 spans" in screen_text(app)
        assert "op-4000" in table_rows(app)[0]  # newest first, sorted once everything is in


async def test_the_filter_answers_while_its_index_builds_and_from_the_index_after(monkeypatch):
    import asyncio
    import threading

    from tracetui.model.filter_index import FilterIndex
    from tracetui.ui import app as app_module

    monkeypatch.setattr(app_module, "INDEX_MIN_SPANS", 1)  # index even the four sample traces
    release = threading.Event()
    build, matching = FilterIndex.build.__func__, FilterIndex.matching
    answered: list[str] = []

    def held_build(cls, traces, progress=None, cancelled=None):
        assert release.wait(10)
        return build(cls, traces, progress, cancelled)

    def counted(self, store, query, ids):
        answered.append(query.text)
        return matching(self, store, query, ids)

    monkeypatch.setattr(FilterIndex, "build", classmethod(held_build))
    monkeypatch.setattr(FilterIndex, "matching", counted)

    async def show(pilot, query: str) -> list[str]:
        await pilot.press("slash", "home", "ctrl+k", *query, "enter")
        await pilot.pause()
        return table_rows(app)

    app = sample_app(TraceStore(), loader=lambda: read_bytes(sample_bytes(), "sample.json"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_loaded(app, pilot)
            assert "indexing for the filter" in screen_text(app)
            while_building = [await show(pilot, q) for q in ("payment", "db.system=postgresql", "-checkout")]
            assert app.index.filter_index is None and not answered
            assert len(while_building[0]) == 1 and "GET /checkout" in while_building[0][0]
            assert while_building[1] == while_building[0]
            assert len(while_building[2]) == 3 and not any("GET /checkout" in r for r in while_building[2])
            release.set()
            for _ in range(200):
                if app.index.filter_index is not None:
                    break
                await asyncio.sleep(0.02)
            await pilot.pause()
            assert app.index.filter_index is not None
            assert "indexing" not in screen_text(app)
            after = [await show(pilot, q) for q in ("payment", "db.system=postgresql", "-checkout")]
            assert after == while_building
            assert answered == ["payment", "db.system=postgresql", "-checkout"]
    finally:
        release.set()
