"""The waterfall's state without a terminal: zoom and pan, search, and where the next error,
match or critical-path span is (tests/ui/test_waterfall.py drives the same through keys)."""

from __future__ import annotations

from builders import checkout_trace, span, trace

from tracetui.analysis.overview import TraceAnalysis
from tracetui.model.query import parse_query
from tracetui.model.span import STATUS_ERROR
from tracetui.viewmodels.waterfall import DUR_W, WaterfallModel, geometry

MS = 1_000_000


shop = checkout_trace


def model(t=None) -> WaterfallModel:
    t = t or shop()
    return WaterfallModel(t, TraceAnalysis(t))


def ids(m: WaterfallModel) -> list[str]:
    return [m.trace.spans[n].span_id if n >= 0 else "?" for n in m.rows.rows]


def row(m: WaterfallModel, sid: str) -> int:
    r = m.rows.row_of(m.trace.position(sid))
    assert r is not None
    return r


def sid(m: WaterfallModel, pos: int | None) -> str | None:
    return None if pos is None else m.trace.spans[pos].span_id


def test_zoom_in_centres_on_the_span_and_out_returns_to_the_whole_trace():
    m = model()
    assert m.window == (0, 100 * MS) and not m.zoomed
    m.zoom(0.5, m.trace.position("a1"), min_width_ns=10)  # db 12..20 ms
    ws, we = m.window
    assert we - ws == 50 * MS and ws <= 16 * MS <= we and m.zoomed
    m.zoom(2.0, m.trace.position("a1"), min_width_ns=10)
    assert m.window == (0, 100 * MS) and not m.zoomed


def test_zoom_to_a_span_pads_it_and_pan_stops_at_the_trace_edges():
    m = model()
    m.zoom_to_span(m.trace.position("a1"))
    assert m.window == (12 * MS - 400_000, 20 * MS + 400_000)
    m.zoom_to(0, 40 * MS)
    assert m.pan(1) and m.window == (10 * MS, 50 * MS)
    for _ in range(5):
        m.pan(1)
    assert m.window == (60 * MS, 100 * MS)
    m.reset_zoom()
    assert not m.pan(1) and m.window == (0, 100 * MS)  # the whole trace does not pan
    m.zoom_to(-5 * MS, 200 * MS)
    assert not m.zoomed  # a window over the whole trace is no zoom


def test_next_error_expands_collapsed_ancestors_and_wraps():
    m = model()
    m.rows.collapse_all()
    assert ids(m) == ["root"]
    assert sid(m, m.next_error(0, 1)) == "a"
    b1 = m.next_error(row(m, "a"), 1)
    assert sid(m, b1) == "b1" and "b1" in ids(m)  # revealed: its row exists now
    assert sid(m, m.next_error(row(m, "b1"), 1)) == "a"  # wraps around
    assert sid(m, m.next_error(row(m, "a"), -1)) == "b1"


def test_stepping_skips_spans_of_hidden_services():
    m = model()
    m.rows.set_hidden_services({"pay", "db"})
    assert sid(m, m.next_error(0, 1)) == "a"
    assert sid(m, m.next_error(row(m, "a"), 1)) == "a"  # b1 is hidden: back to the only one
    m.rows.set_hidden_services({"cart", "db"})
    assert m.next_error(0, 1) is None


def test_critical_path_steps_in_time_order_and_stops_at_the_ends():
    m = model()
    steps, r = [], 0
    while (p := m.next_critical(r, 1)) is not None:
        steps.append(sid(m, p))
        r = m.rows.row_of(p)
    assert steps == ["a", "a1", "b", "b1"]  # root is where it started
    assert sid(m, m.next_critical(r, -1)) == "b"
    assert sid(m, m.next_critical(0, -1)) is None


def test_search_counts_matches_and_steps_through_them_in_tree_order():
    m = model()
    assert m.set_search(parse_query("db")) == 2
    assert m.match_index(m.trace.position("b1")) == 2 and m.match_index(m.trace.position("b")) is None
    assert sid(m, m.next_match(0, 1)) == "a1"
    assert sid(m, m.next_match(row(m, "a1"), 1)) == "b1"
    assert sid(m, m.next_match(0, -1)) == "b1"
    assert m.set_search(None) == 0 and m.next_match(0, 1) is None
    assert m.set_search(parse_query("")) == 0 and not m.matches


def test_a_placeholder_row_steps_from_the_first_span_below_it():
    # "x" names a parent that is not in the trace: a placeholder row sits above it.
    t = trace(span("r", "", 0, 10 * MS, status=STATUS_ERROR), span("x", "gone", 2 * MS, 3 * MS),
              span("y", "x", 2 * MS, 3 * MS, status=STATUS_ERROR))
    m = model(t)
    ph = next(r for r, n in enumerate(m.rows.rows) if n < 0)
    assert sid(m, m.next_error(ph, 1)) == "y"
    assert sid(m, m.next_error(ph, -1)) == "r"


def test_the_same_trace_again_keeps_folds_filters_zoom_and_search():
    t = shop()
    old = model(t)
    old.rows.collapse(t.position("a"))
    old.rows.set_hidden_services({"pay"})
    old.dimmed = frozenset({"cart"})
    old.zoom_to(50 * MS, 100 * MS)
    old.set_search(parse_query("db"))
    t.add([span("b2", "b", 85 * MS, 90 * MS, service="db", name="late")])
    grown = WaterfallModel(t, TraceAnalysis(t), previous=old)
    assert ids(grown) == ["root", "a", "b1", "b2"]
    assert grown.window == (50 * MS, 100 * MS) and grown.dimmed == {"cart"}
    assert len(grown.matches) == 3  # the new db span matches too
    other = shop()
    fresh = WaterfallModel(other, TraceAnalysis(other), previous=old)
    assert len(ids(fresh)) == 5 and not fresh.zoomed and not fresh.dimmed and not fresh.matches


def test_row_near_falls_back_to_the_nearest_shown_ancestor():
    m = model()
    m.rows.collapse(m.trace.position("a"))
    assert m.row_near(m.trace.position("a1")) == row(m, "a")
    assert m.row_near(99) is None


def test_geometry_keeps_durations_and_a_bar_while_there_is_room():
    wide = geometry(120, 0.4)
    assert (wide.name_w, wide.dur_w) == (48, DUR_W) and wide.bar_x + wide.bar_w + 1 + wide.dur_w == 120
    assert geometry(50, 0.4).dur_w == 7 and geometry(30, 0.4).dur_w == 0
    assert geometry(14, 0.4).name_w == 8  # names keep 8 cells however narrow
    assert geometry(120, 0.4).guide_cells == 19 and geometry(10, 0.4).guide_cells == 6

