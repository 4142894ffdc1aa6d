"""The trace view: the questions a user comes with — where did the time go, what failed, why."""

from __future__ import annotations

from otlp_sample import TRACE_A, TRACE_C
from ui_helpers import SIZE, sample_app, screen_text

from tracetui.ui.screens.trace_view import TraceViewScreen
from tracetui.ui.screens.value import ValueScreen
from tracetui.ui.widgets.service_filter import ServiceFilter
from tracetui.ui.widgets.span_detail import SpanDetail


def _names(screen: TraceViewScreen) -> dict[str, int]:
    return {s.name: i for i, s in enumerate(screen.trace.spans)}


async def _open(app, pilot, trace_id: str = TRACE_A) -> TraceViewScreen:
    await pilot.pause()
    app.open_trace(trace_id)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, TraceViewScreen)
    return screen


async def test_header_tells_duration_errors_and_critical_path():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        text = screen_text(app)
        assert f"Trace {TRACE_A}" in text
        assert "120ms" in text and "5 spans" in text and "3 services" in text
        assert "✗ 1 error" in text
        assert "critical path 120ms (100%)" in text
        assert "depth 4" in text


async def test_next_error_shows_which_service_failed_and_why():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("e")
        assert screen.waterfall.selected_pos == _names(screen)["payment.charge"]
        text = screen_text(app)
        assert "payment.charge" in text
        assert "card declined" in text
        assert "CardDeclined: card declined" in text
        # The stack trace is shown with its lines, not squashed into one.
        lines = text.splitlines()
        assert any(line.strip().startswith("raise CardDeclined()") for line in lines)
        await pilot.press("e")  # only one error: stays, says so
        assert screen.waterfall.selected_pos == _names(screen)["payment.charge"]


async def test_c_walks_the_critical_path_in_time_order():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        order = screen.analysis.critical_order
        wf = screen.waterfall
        wf.select_pos(order[0])
        visited = []
        for _ in range(len(order) - 1):
            await pilot.press("c")
            visited.append(wf.selected_pos)
        assert visited == order[1:]
        # Worked out by hand: from the end (120 ms) back: checkout ends last (110), in it payment
        # (105), in it SELECT (60); before payment started (35) inventory had ended (30).
        spans = screen.trace.spans
        assert [spans[p].name for p in visited] == [
            "checkout.place_order", "inventory.reserve", "payment.charge", "SELECT cards"]
        await pilot.press("C")
        assert wf.selected_pos == order[-2]


async def test_service_filter_hides_dims_and_shows_only_one():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        wf = screen.waterfall
        full = len(wf.row_view)
        await pilot.press("s")
        panel = screen.query_one(ServiceFilter)
        assert panel.display and panel.has_focus
        text = screen_text(app)
        assert "payment" in text and "checkout" in text
        # services are listed by name: checkout, frontend, payment
        await pilot.press("j", "j", "space")
        assert wf.row_view.hidden_services == frozenset({"payment"})
        assert len(wf.row_view) == full - 2
        rv, spans = wf.row_view, screen.trace.spans
        assert all(spans[rv.pos_at(r)].service != "payment" for r in range(len(rv)))
        assert "hidden" in screen_text(app)
        await pilot.press("space", "d")
        assert wf.row_view.hidden_services == frozenset()
        assert "dimmed" in screen_text(app)
        await pilot.press("k", "o")  # only frontend
        assert wf.row_view.hidden_services == frozenset({"checkout", "payment"})
        assert len(wf.row_view) == 1
        await pilot.press("a")
        assert len(wf.row_view) == full
        await pilot.press("s")  # focused panel: s closes it
        assert not panel.display


async def test_search_highlights_counts_and_steps():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("slash", *"service=payment", "enter")
        names = _names(screen)
        matches = {names["payment.charge"], names["SELECT cards"]}
        wf = screen.waterfall
        assert wf.selected_pos in matches
        assert screen._match_count == 2
        assert "1/2" in screen_text(app)  # on the first of two matches
        first = wf.selected_pos
        await pilot.press("n")
        assert wf.selected_pos in matches and wf.selected_pos != first
        assert "2/2" in screen_text(app)
        await pilot.press("N")
        assert wf.selected_pos == first
        await pilot.press("slash", "home", "ctrl+k", *"duration>", "enter")
        assert screen.query_one("#search-error").display


async def test_collapse_hides_the_subtree():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        wf = screen.waterfall
        assert len(wf.row_view) == 5
        wf.select_pos(_names(screen)["checkout.place_order"])
        await pilot.press("space")
        assert len(wf.row_view) == 2
        assert "SELECT cards" not in screen_text(app)
        await pilot.press("space")
        assert len(wf.row_view) == 5


async def test_follow_a_link_to_a_loaded_trace_and_to_a_missing_one():
    app = sample_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _open(app, pilot, TRACE_C)
        await pilot.press("enter")  # waterfall Enter: into the detail pane
        detail = app.screen.query_one(SpanDetail)
        assert detail.has_focus
        links = [i for i, f in enumerate(detail.fields) if f.kind == "link"]
        assert len(links) == 2
        assert "trace loaded" in screen_text(app) or "Enter opens it" in str(detail.fields[links[0]].note)
        detail.highlighted = links[1]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.trace.trace_id == TRACE_C  # not loaded: stays, and says so
        assert "trace eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee is not loaded" in screen_text(app)
        detail.highlighted = links[0]
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TraceViewScreen) and screen.trace.trace_id == TRACE_A
        assert screen.waterfall.selected_pos == _names(screen)["payment.charge"]
        await pilot.press("escape")  # back to the trace the link was followed from (issue 16)
        await pilot.pause()
        assert isinstance(app.screen, TraceViewScreen) and app.screen.trace.trace_id == TRACE_C
        await pilot.press("escape")  # then to the list
        await pilot.pause()
        assert not isinstance(app.screen, TraceViewScreen)


async def test_a_link_inside_the_same_trace_selects_that_span():
    from otlp_sample import TRACE_B

    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, TRACE_B)
        await pilot.press("enter")
        detail = screen.query_one(SpanDetail)
        detail.highlighted = next(i for i, f in enumerate(detail.fields) if f.kind == "link")
        assert "in this trace" in detail.highlighted_field.note
        await pilot.press("enter")
        assert app.screen is screen
        assert screen.waterfall.selected_pos == _names(screen)["build-report"]
        assert screen.waterfall.has_focus


async def test_copy_and_view_the_full_value():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("e", "enter")
        detail = screen.query_one(SpanDetail)
        stack = next(i for i, f in enumerate(detail.fields) if f.key == "exception.stacktrace")
        detail.highlighted = stack
        await pilot.press("y")
        assert app.clipboard.startswith("Traceback (most recent call last):")
        assert app.clipboard.endswith("CardDeclined: card declined")
        await pilot.press("v")
        assert isinstance(app.screen, ValueScreen)
        assert 'File "pay.py", line 12, in charge' in screen_text(app)
        await pilot.press("escape")
        assert app.screen is screen


async def test_detail_pane_beside_when_wide_below_when_narrow():
    app = sample_app()
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _open(app, pilot)
        wf, detail = screen.waterfall, screen.query_one(SpanDetail)
        assert detail.region.x > wf.region.x and detail.region.y == wf.region.y
        await pilot.resize_terminal(100, 40)
        await pilot.pause()
        assert screen.has_class("narrow")
        assert detail.region.y > wf.region.y and detail.region.x == wf.region.x


async def test_late_spans_grow_the_open_trace_and_keep_the_selection():
    import orjson
    from otlp_sample import _resource, _span

    from tracetui.loaders import read_bytes
    from tracetui.ui.messages import SpansArrived

    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("e")
        selected = screen.waterfall.selected_pos
        late = orjson.dumps({"resourceSpans": [_resource("fraud", [
            _span(TRACE_A, "a000000000000009", "a000000000000002", "fraud.score", 30, 34)])]})
        ids: set[str] = set()
        for batch in read_bytes(late, "live"):
            ids |= app.store.add(batch.spans)
        app.post_message(SpansArrived(ids))
        await pilot.pause()
        assert len(screen.waterfall.row_view) == 6
        assert screen.waterfall.selected_pos == selected  # still on payment.charge
        text = screen_text(app)
        assert "6 spans" in text and "4 services" in text and "fraud.score" in text
        # A second burst right after: the view catches up shortly (re-analysis is throttled).
        later = orjson.dumps({"resourceSpans": [_resource("fraud", [
            _span(TRACE_A, "a00000000000000a", "a000000000000009", "fraud.rules", 31, 33)])]})
        for batch in read_bytes(later, "live"):
            app.post_message(SpansArrived(app.store.add(batch.spans)))
        await pilot.pause(0.8)
        assert len(screen.waterfall.row_view) == 7 and "7 spans" in screen_text(app)


async def test_f_jumps_to_where_the_errors_start():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        assert "failed first: payment: payment.charge — card declined" in screen_text(app)
        await pilot.press("f")
        assert screen.waterfall.selected_pos == _names(screen)["payment.charge"]


async def test_typing_a_search_highlights_after_a_pause_and_escape_clears_it():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("slash", *"SELECT")
        await pilot.pause(0.3)
        assert screen._match_count == 1
        assert "1 match" in screen_text(app)  # the selection is elsewhere: no "1/1" yet
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert screen._match_count == 0 and not screen.query_one("#search-bar").display
        assert screen.waterfall.has_focus


async def test_quitting_while_a_trace_view_opens_is_clean():
    # q pressed (or the test ended) in the instant between a trace view being pushed and mounted.
    for _ in range(5):
        app = sample_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.open_trace(TRACE_A)
            app.exit()
