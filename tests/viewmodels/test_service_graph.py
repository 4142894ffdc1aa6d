"""The service map's picture: boxes in columns by call depth, an arrow and numbers per edge."""

from __future__ import annotations

from builders import span, trace
from conftest import SAMPLES
from loading import load_files

from tracetui.analysis.service_map import service_map
from tracetui.viewmodels.service_graph import edge_label, layout, render_plain


def _follow(pic, k: int) -> set[tuple[int, int]]:
    return {(x, y) for y in range(pic.height) for x in range(pic.width) if pic.tags[y][x] == f"edge:{k}"}


def test_services_are_boxes_in_columns_by_call_depth_and_every_edge_has_its_numbers():
    store, _ = load_files(SAMPLES / "shop.json")
    smap = service_map(store)
    pic = layout(smap)
    text = "\n".join(render_plain(pic))
    for name in ("frontend", "checkout", "payments", "inventory", "catalog"):
        assert f"│ {name}" in text
    x = {name: pic.node_at[name][0] for name in pic.node_at}
    assert x["frontend"] < x["checkout"] < x["payments"] == x["inventory"]
    assert x["catalog"] == x["checkout"]  # both called by the frontend, one level down
    assert len(pic.edges) == len(smap.edges)
    for k, e in enumerate(pic.edges):
        lx, ly = pic.label_at[k]
        assert edge_label(e) in "".join(pic.chars[ly])
        cells = _follow(pic, k)
        # the edge's line starts right of the caller's box and ends with ▶ at the callee's left border
        cx, cy, cw, ch = pic.node_at[e.caller]
        tx, ty, _, th = pic.node_at[e.callee]
        assert any(x == cx + cw and cy < y < cy + ch - 1 for x, y in cells)
        assert any(pic.chars[y][x] == "▶" and x == tx - 1 and ty < y < ty + th - 1 for x, y in cells)


def test_a_cycle_is_drawn_with_an_arrow_back():
    t = trace(span("r", "", 0, 100, service="a"), span("b", "r", 1, 90, service="b"),
              span("c", "b", 2, 80, service="a"))
    pic = layout(service_map([t]))
    keys = [e.key for e in pic.edges]
    assert sorted(keys) == [("a", "b"), ("b", "a")]
    back = keys.index(("b", "a"))
    assert any(pic.chars[y][x] == "◀" for x, y in _follow(pic, back))
    assert pic.edge_index_at(*pic.label_at[back]) == back


def test_a_long_edge_passes_through_the_columns_between():
    # a → b → c and a → c: c is two columns right of a; the a → c line runs through b's column
    t = trace(span("r", "", 0, 100, service="a"), span("b", "r", 1, 50, service="b"),
              span("c", "b", 2, 40, service="c"), span("c2", "r", 60, 90, service="c"))
    pic = layout(service_map([t]))
    k = [e.key for e in pic.edges].index(("a", "c"))
    bx, _, bw, _ = pic.node_at["b"]
    assert any(bx <= x < bx + bw for x, _ in _follow(pic, k))


def test_service_names_are_cleaned_and_cut():
    t = trace(span("r", "", 0, 100, service="web\x1b[31m"), span("b", "r", 1, 50, service="x" * 60))
    text = "\n".join(render_plain(layout(service_map([t]))))
    assert "\x1b" not in text and "x" * 27 + "…" in text
