"""The icicle layout: frames as wide as their totals, widest first, zoom, moves between frames."""

from __future__ import annotations

from tracetui.viewmodels.icicle import FlameTree, Icicle

# root (own 10) ── a (own 50) ── a1 (own 20)
#              └── b (own 19)
#              └── tiny (own 1)
KEYS = [0, 1, 2, 3, 4]
PARENT = {0: -1, 1: 0, 2: 1, 3: 0, 4: 0}
LABEL = {0: "f: root", 1: "s: a", 2: "s: a1", 3: "t: b", 4: "t: tiny"}
OWN = {0: 10, 1: 50, 2: 20, 3: 19, 4: 1}


def tree(delta=None) -> FlameTree:
    return FlameTree.from_weights(KEYS, PARENT.__getitem__, LABEL.__getitem__, lambda k: LABEL[k].split(":")[0],
                                  OWN, delta)


def labels(ic: Icicle, width: int) -> list[list[tuple[str, int, int]]]:
    t = ic.tree
    return [[(t.label[f.node], f.x0, f.x1) for f in row] for row in ic.rows(width)]


def test_totals_include_everything_below_and_children_sort_widest_first():
    t = tree()
    root = t.tops[0]
    assert t.total[root] == 100
    assert [t.label[c] for c in t.children[root]] == ["s: a", "t: b", "t: tiny"]


def test_frames_are_as_wide_as_their_totals_and_a_thin_one_still_takes_a_cell():
    ic = Icicle(tree())
    assert labels(ic, 100) == [
        [("f: root", 0, 100)],
        [("s: a", 0, 70), ("t: b", 70, 89), ("t: tiny", 89, 90)],
        [("s: a1", 0, 20)],
    ]
    assert labels(ic, 20)[1] == [("s: a", 0, 14), ("t: b", 14, 18), ("t: tiny", 18, 19)]  # tiny: 0.2 cells


def test_zoom_makes_a_frame_fill_the_width_and_zooming_out_goes_up_one_level():
    ic = Icicle(tree())
    a = ic.tree.label.index("s: a")
    ic.zoom_to(a)
    # a fills the width; its caller spans it above; b and tiny are outside the window
    assert labels(ic, 70) == [[("f: root", 0, 70)], [("s: a", 0, 70)], [("s: a1", 0, 20)]]
    assert ic.zoom_out() and ic.zoom is None  # the only top fills the width anyway: no zoom
    assert not ic.zoom_out()
    ic.zoom_to(ic.tree.tops[0])
    assert ic.zoom is None


def test_moves_go_to_the_parent_the_widest_child_and_the_neighbours():
    ic = Icicle(tree())
    assert ic.child_frame(100, 0, 0) == (1, 0)
    assert ic.child_frame(100, 1, 1) is None  # b has no children
    assert ic.parent_frame(100, 2, 0) == (1, 0)
    assert ic.frame_at(100, 1, 75) == 1 and ic.frame_at(100, 1, 95) is None
    assert ic.locate(100, ic.tree.label.index("s: a1")) == (2, 0)


def test_nodes_with_nothing_under_them_are_dropped_and_deltas_follow_their_nodes():
    own = {**OWN, 3: 0}
    t = FlameTree.from_weights(KEYS, PARENT.__getitem__, LABEL.__getitem__, lambda k: "", own, {2: 5.0, 3: -19.0})
    assert "t: b" not in t.label
    assert t.delta[t.label.index("s: a1")] == 5.0
