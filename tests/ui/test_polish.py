"""Issue 16 as a user meets it in the explorer (Pilot): colours, depth, moving between traces
and links, missing parents, only-matches, events, quitting, time zone, words."""

from __future__ import annotations

from builders import span
from otlp_sample import TRACE_A, TRACE_B, TRACE_C
from ui_helpers import SIZE, sample_app, screen_text

from tracetui.model import TraceStore
from tracetui.model.span import KIND_CLIENT, KIND_SERVER, STATUS_ERROR, Event
from tracetui.ui.screens.events import EventsScreen
from tracetui.ui.screens.help import binding_sections
from tracetui.ui.screens.trace_list import TraceListScreen
from tracetui.ui.screens.trace_view import TraceViewScreen
from tracetui.ui.widgets.span_detail import SpanDetail

MS = 1_000_000


async def _open(app, pilot, trace_id: str = TRACE_A) -> TraceViewScreen:
    await pilot.pause()
    app.open_trace(trace_id)
    await pilot.pause()
    assert isinstance(app.screen, TraceViewScreen)
    return app.screen


def _notes(app) -> str:
    return " ".join(str(n.message) for n in app._notifications)


def _store(*spans) -> TraceStore:
    store = TraceStore()
    store.add(spans)
    return store


async def test_services_on_screen_have_distinct_colours():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        services = [s for s, _ in screen.analysis.services]
        assert len({app.colours.colour(s) for s in services}) == len(services) == 3


async def test_following_a_link_and_coming_back_with_esc_and_forward_again():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, TRACE_C)
        detail = screen.query_one(SpanDetail)
        link = next(i for i, f in enumerate(detail.fields) if f.kind == "link" and TRACE_A in f.value)
        detail.focus()
        detail.highlighted = link
        await pilot.press("enter")
        await pilot.pause()
        target = app.screen
        assert isinstance(target, TraceViewScreen) and target.trace.trace_id == TRACE_A
        assert target.trace.spans[target.waterfall.selected_pos].name == "payment.charge"
        fields = target.query_one(SpanDetail).fields
        assert any(f.key == "linked from" and f.target[0] == TRACE_C for f in fields)
        await pilot.press("escape")  # back to where the link was followed, not to the list
        await pilot.pause()
        assert isinstance(app.screen, TraceViewScreen) and app.screen.trace.trace_id == TRACE_C
        await pilot.press("alt+right")
        await pilot.pause()
        assert app.screen.trace.trace_id == TRACE_A
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.trace.trace_id == TRACE_C
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TraceListScreen)


async def test_next_and_previous_trace_follow_the_lists_order():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        order = [s.trace_id for s in app.index.rows]
        screen = await _open(app, pilot, order[1])
        assert screen.trace.trace_id == order[1]
        await pilot.press("J")
        await pilot.pause()
        assert app.screen.trace.trace_id == order[2]
        await pilot.press("K", "K")
        await pilot.pause()
        assert app.screen.trace.trace_id == order[0]
        await pilot.press("K")  # the top: says so, stays
        await pilot.pause()
        assert app.screen.trace.trace_id == order[0]


async def test_a_missing_parent_row_is_selectable_and_has_its_own_detail():
    store = _store(
        span("r", "", 0, 100 * MS, service="checkout", kind=KIND_SERVER, trace_id="t9"),
        span("c1", "r", 10 * MS, 40 * MS, service="checkout", kind=KIND_CLIENT, trace_id="t9"),
        span("s1", "c1", 12 * MS, 38 * MS, service="payment", kind=KIND_SERVER, trace_id="t9"),
        span("s2", "feedbeef", 50 * MS, 80 * MS, service="payment", kind=KIND_SERVER, name="charge again",
             trace_id="t9"),
    )
    app = sample_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, "t9")
        await pilot.press("j", "j", "j")  # the fourth row: the placeholder of the missing parent
        await pilot.pause()
        text = screen_text(app)
        assert screen.waterfall.selected_node is not None and screen.waterfall.selected_node < 0
        assert "Missing parent span" in text and "feedbeef" in text
        assert "probably lost by" in text and "checkout" in text
        await pilot.press("j")
        await pilot.pause()
        assert screen.trace.spans[screen.waterfall.selected_pos].name == "charge again"


async def test_only_matches_hides_the_rest_and_keeps_the_ancestors():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("slash", *"SELECT", "enter")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        rows = screen.waterfall.row_view
        names = [screen.trace.spans[n].name for n in rows.rows]
        assert names == ["GET /checkout", "checkout.place_order", "payment.charge", "SELECT cards"]
        assert "only these shown" in screen_text(app)
        await pilot.press("o")
        await pilot.pause()
        assert len(screen.waterfall.row_view) == 5


async def test_the_events_list_jumps_to_the_span():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, EventsScreen)
        text = screen_text(app)
        assert "1 event in time order" in text and "CardDeclined: card declined" in text
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.trace.spans[screen.waterfall.selected_pos].name == "payment.charge"


async def test_q_in_a_trace_asks_before_quitting():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, TraceViewScreen)
        assert "press q again to quit" in _notes(app)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


async def test_time_zone_switches_at_run_time_and_is_remembered(monkeypatch, tmp_path):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    import time

    time.tzset()
    try:
        app = sample_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.utc
            before = screen_text(app)
            assert "11-14 22:13:20" in before  # the sample starts at 22:13:20 UTC
            await pilot.press("ctrl+t")
            await pilot.pause()
            assert not app.utc and "11-15 07:13:20" in screen_text(app)
        from tracetui.ui.settings import load_remembered

        assert load_remembered()[0].utc is False
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


async def test_log_scale_for_the_list_and_fit_to_the_root_in_the_waterfall():
    # The root ends at 10 ms, a follow-up span runs for 60 s after it.
    store = _store(
        span("r", "", 0, 10 * MS, service="front", trace_id="t7"),
        span("a", "r", 1 * MS, 9 * MS, service="db", trace_id="t7"),
        span("later", "r", 5 * MS, 60_000 * MS, service="mail", trace_id="t7"),
        span("x", "", 0, 20 * MS, service="front", trace_id="t8"),
    )
    app = sample_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.table
        await pilot.press("b")
        await pilot.pause()
        assert table.log_scale and "bars: log scale" in screen_text(app)
        screen = await _open(app, pilot, "t7")
        assert "R: fit to the root" in screen_text(app)
        await pilot.press("R")
        await pilot.pause()
        assert screen.waterfall.window == (0, 10 * MS)
        assert "0: whole trace" in screen_text(app)


async def test_help_titles_are_words_not_class_names():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        titles = [t for t, _ in binding_sections(app, app.screen)]
        assert "Trace view" in titles and "Waterfall (span tree and timeline)" in titles
        assert not [t for t in titles if " " not in t and any(c.isupper() for c in t[1:])]


async def test_words_read_right_for_one_of_a_thing():
    store = _store(span("only", "", 0, 5 * MS, service="solo", trace_id="t1",
                        status=STATUS_ERROR, raw_events=[Event(1 * MS, "exception")]))
    app = sample_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "1 trace " in text and "1 traces" not in text and "1 spans" not in text
        assert "✗ errors" in text and "⚠ orphans" in text  # the errors column's legend
        await _open(app, pilot, "t1")
        text = screen_text(app)
        assert "1 span" in text and "1 service" in text and "1 spans" not in text
        fields = app.screen.query_one(SpanDetail).fields
        assert any(f.key == "parent id" and f.note == "none: a root span" for f in fields)


async def test_the_sorted_columns_title_is_whole():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key, title in (("4", "Errors ▼"), ("3", "Spans ▼")):
            await pilot.press(key)
            await pilot.pause()
            assert title in screen_text(app)


async def test_an_unknown_id_in_the_palette_says_so():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"deadbeef")
        await pilot.pause(0.5)
        assert "No loaded trace id contains deadbeef" in screen_text(app)


async def test_j_stops_at_the_last_line_of_the_detail_pane():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, TRACE_B)
        detail = screen.query_one(SpanDetail)
        detail.focus()
        await pilot.press("G")
        last = detail.highlighted
        await pilot.press("j")
        assert detail.highlighted == last


async def test_keys_remapped_in_the_config_work_and_a_wrong_id_is_said(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"trace.next_error" = "w"\n"trace.nope" = "y"\n')
    monkeypatch.setenv("TRACETUI_CONFIG", str(config))
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "trace.nope: no such binding id" in _notes(app)
        screen = await _open(app, pilot)
        await pilot.press("w")
        await pilot.pause()
        assert screen.trace.spans[screen.waterfall.selected_pos].name == "payment.charge"


async def test_the_theme_and_the_colour_blind_palette_are_remembered():
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        app.theme = "textual-light"
        app.set_palette("colorblind")
        await pilot.pause()
        from tracetui.viewmodels.colours import PALETTES

        assert {app.colours.colour(s) for s, _ in screen.analysis.services} <= set(PALETTES["colorblind"])
    again = sample_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "textual-light" and again.colours.palette_name == "colorblind"


async def test_the_events_list_has_the_traces_log_records_too():
    from conftest import SAMPLES

    from tracetui.sources.files import load_paths
    from tracetui.ui.widgets.event_table import EventTable

    store = TraceStore()
    assert not load_paths([str(SAMPLES / "shop_logs.jsonl")], store)
    tid = next(t.trace_id for t in store.traces.values() if t.logs)
    app = sample_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, tid)
        await pilot.press("x")
        await pilot.pause()
        rows = app.screen.query_one(EventTable).rows
        logs = [r for r in rows if r.is_log]
        assert len(logs) == len(screen.trace.logs) > 0
        assert [r.offset_ns for r in rows] == sorted(r.offset_ns for r in rows)
        assert "log record" in screen_text(app)
