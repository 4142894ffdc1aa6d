"""Issue 16's headless pieces: colours, log-scale bars, zoom labels, only-matches rows, the
missing-parent detail, the events list, remembered settings."""

from __future__ import annotations

import json

import pytest
from builders import checkout_trace, span, trace

from tracetui.model.query import parse_query
from tracetui.model.span import KIND_CLIENT, KIND_SERVER, STATUS_ERROR, Event
from tracetui.viewmodels.colours import PALETTES, ServiceColours
from tracetui.viewmodels.events import trace_events
from tracetui.viewmodels.layout import axis_line
from tracetui.viewmodels.rows import RowView
from tracetui.viewmodels.span_fields import LINK, likely_loser, missing_parent_fields
from tracetui.viewmodels.trace_list import duration_fraction

MS = 1_000_000


def test_services_of_one_trace_never_share_a_colour_and_keep_it_for_the_session():
    c = ServiceColours()
    first = ["frontend", "product", "recommend", "pricing", "currency", "ads"]
    c.show(first)
    colours = [c.colour(s) for s in first]
    assert len(set(colours)) == len(first)
    # Another trace with new services: none takes a colour of a service it is shown with.
    second = ["frontend", "cart", "redis", "checkout"]
    c.show(second)
    assert len({c.colour(s) for s in second}) == len(second)
    assert [c.colour(s) for s in first] == colours  # stable
    # The colour-blind palette: every colour comes from it, still distinct within a view.
    c.use_palette("colorblind")
    c.show(first)
    c.show(second)  # 9 services seen, 7 colours: still none shared within one view
    assert {c.colour(s) for s in second} <= set(PALETTES["colorblind"])
    assert len({c.colour(s) for s in second}) == len(second)
    with pytest.raises(ValueError):
        c.use_palette("nope")


def test_no_palette_colour_is_red():
    for palette in PALETTES.values():
        for hexcolour in palette:
            r, g, b = (int(hexcolour[i:i + 2], 16) for i in (1, 3, 5))
            assert not (r > 180 and g < 90 and b < 90), hexcolour


def test_log_scale_bars_keep_fast_traces_readable_next_to_an_outlier():
    low, high = 5 * MS, 30_000 * MS  # 5 ms … one 30 s outlier
    linear = duration_fraction(50 * MS, low, high, log=False)
    log = duration_fraction(50 * MS, low, high, log=True)
    assert linear < 0.01  # a single eighth of a 12-cell bar
    assert 0.2 < log < 0.5
    assert duration_fraction(high, low, high, log=True) == pytest.approx(1.0)
    assert duration_fraction(low, low, high, log=True) == pytest.approx(0.05)
    # Order is kept.
    assert duration_fraction(40 * MS, low, high, True) < duration_fraction(400 * MS, low, high, True)


def test_deep_zoom_labels_tell_neighbouring_ticks_apart():
    line = axis_line(69_800_000, 69_900_000, 100, 0)
    labels = [part.split()[0] for part in line.split("│")[1:]]
    assert len(labels) == len(set(labels)) >= 5
    assert "69.81ms" in labels


def test_only_matches_keeps_ancestors_and_draws_the_last_shown_child_as_last():
    t = checkout_trace()
    view = RowView(t)
    matches = set(parse_query("db").matching_positions(t))
    view.show_only(matches)
    names = [t.spans[n].name for n in view.rows]
    assert names == ["GET /checkout", "add item", "SELECT cart", "charge", "INSERT payment"]
    view.show_only({t.position("a1")})
    names = [t.spans[n].name for n in view.rows]
    assert names == ["GET /checkout", "add item", "SELECT cart"]
    assert view.prefix(1).startswith("└─")  # "add item" is now the last child shown
    view.show_only(None)
    assert len(view) == 5


def test_a_missing_parent_says_which_service_probably_lost_it():
    # checkout calls payment; a second payment server span's parent (a checkout client span) is lost.
    t = trace(
        span("r", "", 0, 100, service="checkout", kind=KIND_SERVER),
        span("c1", "r", 10, 40, service="checkout", kind=KIND_CLIENT),
        span("s1", "c1", 12, 38, service="payment", kind=KIND_SERVER),
        span("s2", "lost", 50, 80, service="payment", kind=KIND_SERVER),
        span("i2", "gone", 60, 70, service="cart", name="internal step"),
    )
    orphans = [t.position("s2")]
    assert likely_loser(t, orphans)[0] == "checkout"
    assert likely_loser(t, [t.position("i2")])[0] == "cart"
    fields = missing_parent_fields(t, "lost", orphans)
    assert any(f.value == "lost" for f in fields)
    links = [f for f in fields if f.kind == LINK]
    assert [f.target for f in links] == [("t1", "s2")]


def test_events_of_a_trace_come_in_time_order_with_their_spans():
    t = trace(
        span("r", "", 0, 100 * MS, service="front", raw_events=[Event(90 * MS, "done")]),
        span("a", "r", 10 * MS, 60 * MS, service="cart", status=STATUS_ERROR,
             raw_events=[Event(30 * MS, "exception", {"exception.type": "Boom", "exception.message": "it broke"})]),
        span("b", "r", 5 * MS, 20 * MS, service="pay", raw_events=[Event(6 * MS, "retry", {"attempt": 2})]),
    )
    rows, total = trace_events(t)
    assert total == 3
    assert [(r.name, t.spans[r.pos].span_id) for r in rows] == [("retry", "b"), ("exception", "a"), ("done", "r")]
    assert rows[1].is_exception and rows[1].summary == "Boom: it broke"
    assert rows[0].summary == "attempt=2" and rows[0].offset_ns == 6 * MS


def test_remembered_choices_survive_a_restart_and_a_broken_file_is_said(tmp_path, monkeypatch):
    from tracetui.ui.settings import Remembered, load_keymap, load_remembered, save_remembered

    monkeypatch.setenv("TRACETUI_STATE", str(tmp_path / "state.json"))
    assert save_remembered(Remembered(theme="textual-light", palette="colorblind", utc=True)) is None
    got, problem = load_remembered()
    assert (got.theme, got.palette, got.utc, problem) == ("textual-light", "colorblind", True, None)
    (tmp_path / "state.json").write_text("{nope")
    got, problem = load_remembered()
    assert got == Remembered() and "state.json" in problem

    config = tmp_path / "config.toml"
    monkeypatch.setenv("TRACETUI_CONFIG", str(config))
    config.write_text('[keys]\n"trace.next_error" = "x"\n"no.such" = "y"\n"app.quit" = 3\n')
    keymap, problems = load_keymap({"trace.next_error", "app.quit"})
    assert keymap == {"trace.next_error": "x"}
    assert len(problems) == 2 and any("no.such" in p for p in problems)
    json.dumps(problems)  # plain strings
