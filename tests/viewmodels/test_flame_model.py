"""The flame graph's layouts and steps (viewmodels/flame.py), without a terminal."""

from __future__ import annotations

import random

import pytest
from builders import checkout_trace, span, trace
from conftest import SAMPLES

from tracetui.analysis.overview import TraceAnalysis
from tracetui.model import TraceStore
from tracetui.model.query import parse_query
from tracetui.sources.files import load_paths
from tracetui.viewmodels.flame import MERGED, FlameModel, merged_layout, time_layout


def shop_traces():
    store = TraceStore()
    load_paths([str(SAMPLES / "shop.json")], store)
    return list(store.traces.values())


def random_trace(seed: int, n: int = 60):
    rng = random.Random(seed)
    spans = [span("s0", "", 0, 1000, service="a", name="root")]
    for i in range(1, n):
        p = rng.randrange(i)
        ps, pe = spans[p].start_ns, spans[p].end_ns
        s = rng.randrange(ps, max(ps + 1, pe))
        e = rng.randrange(s, pe + 1)
        spans.append(span(f"s{i}", f"s{p}", s, e, service=rng.choice("abc"), name=rng.choice("xyz")))
    return trace(*spans)


def assert_no_overlap_in_a_row(frames):
    for items in map(frames.items, range(len(frames))):
        for a, b in zip(items, items[1:], strict=False):
            assert frames.x1[a] <= frames.x0[b], (a, b)


@pytest.mark.parametrize("seed", range(30))
def test_children_sit_below_their_parent_and_never_overlap_in_a_row(seed):
    t = random_trace(seed)
    f = time_layout(t)
    assert_no_overlap_in_a_row(f)
    for i, p in enumerate(t.parent):
        if p >= 0:
            assert f.row_of[i] > f.row_of[p]
    assert sum(len(f.items(r)) for r in range(len(f))) == len(t.spans)


def test_overlapping_siblings_go_on_extra_rows_and_their_children_below_them():
    # r 0..100: a 0..60 (with child a1), b 10..50 overlaps a, c 60..90 fits after a on a's row.
    t = trace(span("r", "", 0, 100), span("a", "r", 0, 60), span("a1", "a", 5, 20),
              span("b", "r", 10, 50), span("c", "r", 60, 90))
    f = time_layout(t)
    row = {t.spans[i].span_id: f.row_of[i] for i in range(len(t.spans))}
    assert row == {"r": 0, "a": 1, "c": 1, "a1": 2, "b": 3}


def test_frames_are_where_the_spans_are_in_time():
    t = checkout_trace()
    f = time_layout(t)
    assert [(f.x0[i], f.x1[i]) for i in range(len(t.spans))] == [(s.start_ns, s.end_ns) for s in t.spans]
    assert (f.lo, f.hi) == (t.start_ns, t.end_ns)


@pytest.mark.parametrize("t", shop_traces(), ids=lambda t: t.trace_id[:8])
def test_left_heavy_children_fit_their_parent_heaviest_first(t):
    a = TraceAnalysis(t)
    model = FlameModel(t, a)
    f = merged_layout(model.tree)
    tree = model.tree
    assert_no_overlap_in_a_row(f)
    assert f.hi == sum(a.self_times)
    for n in range(len(tree)):
        kids = tree.children[n]
        assert sum(f.x1[c] - f.x0[c] for c in kids) + tree.self_ns[n] == f.x1[n] - f.x0[n]
        widths = [f.x1[c] - f.x0[c] for c in sorted(kids, key=f.x0.__getitem__)]
        assert widths == sorted(widths, reverse=True)


def test_enter_zooms_into_a_frame_and_escape_goes_back():
    t = checkout_trace()
    m = FlameModel(t, TraceAnalysis(t))
    pay = next(i for i, s in enumerate(t.spans) if s.name == "charge")
    assert m.window == (0, 100_000_000)
    assert m.zoom_into(pay) and m.window == (65_000_000, 95_000_000)
    assert not m.zoom_into(pay)  # already fills the width
    assert m.zoom_out() and m.window == (0, 100_000_000) and not m.zoom_out()


def test_arrows_move_to_parent_child_and_neighbours():
    t = checkout_trace()
    m = FlameModel(t, TraceAnalysis(t))
    pos = {s.span_id: i for i, s in enumerate(t.spans)}
    assert m.step_row(pos["root"], 1) == pos["a"]  # under the root's middle (50ms): cart
    assert m.step_row(pos["b1"], -1) == pos["b"]
    assert m.neighbour(pos["a"], 1) == pos["b"] and m.neighbour(pos["b"], -1) == pos["a"]
    assert m.neighbour(pos["b"], 1) is None


def test_search_and_errors_step_in_tree_order_and_merged_frames_stop_once():
    t = trace(span("r", "", 0, 100, service="s", name="r"),
              span("a1", "r", 0, 30, service="db", name="q"), span("a2", "r", 40, 60, service="db", name="q"),
              span("b", "r", 70, 90, service="s", name="other"))
    m = FlameModel(t, TraceAnalysis(t))
    assert m.set_search(parse_query("db")) == 2
    first = m.next_match(1)
    m.selected_pos = first
    second = m.next_match(1)
    assert {t.spans[first].span_id, t.spans[second].span_id} == {"a1", "a2"}
    m.set_mode(MERGED)
    m.selected_pos = first
    assert m.tree.node_of[m.next_match(1)] == m.tree.node_of[first]  # one frame: back to itself
    assert m.is_match(m.tree.node_of[first]) and not m.is_match(m.tree.node_of[t.position("b")])


def test_merged_marks_errors_and_the_critical_path():
    t = checkout_trace()
    m = FlameModel(t, TraceAnalysis(t))
    m.set_mode(MERGED)
    node = {m.tree.frame[n]: n for n in range(len(m.tree))}
    assert m.is_error(node["cart: add item"]) and not m.is_error(node["pay: charge"])
    assert all(m.on_critical_path(n) for n in node.values())


def test_a_row_of_100k_frames_draws_one_frame_a_cell_at_most():
    n = 100_000
    spans = [span("r", "", 0, 10 * n)] + [span(f"c{i}", "r", 10 * i, 10 * i + 5) for i in range(n)]
    t = trace(*spans)
    m = FlameModel(t, TraceAnalysis(t))
    cells = m.row_cells(1, 100)
    assert len(cells) == 100
    assert all(c1 - c0 == 1 for c0, c1, _ in cells) and [c0 for c0, _, _ in cells] == list(range(100))


def test_cells_follow_time_and_the_zoom():
    t = checkout_trace()  # root 0..100ms; cart 10..60, pay 65..95
    m = FlameModel(t, TraceAnalysis(t))
    pos = {s.span_id: i for i, s in enumerate(t.spans)}
    assert m.row_cells(0, 100) == [(0, 100, pos["root"])]
    assert m.row_cells(1, 100) == [(10, 60, pos["a"]), (65, 95, pos["b"])]
    m.zoom_into(pos["b"])
    assert m.row_cells(1, 100) == [(0, 100, pos["b"])]
    assert m.row_cells(2, 10) == [(1, 5, pos["b1"])]
