"""The visible-rows index the waterfall draws: collapse, hide services, orphans, deep chains."""

import time

from builders import span, trace

from tracetui.model.span import Resource, Span
from tracetui.model.trace import Trace
from tracetui.viewmodels.rows import RowView


def shop():
    # root ─┬─ a (cart) ─┬─ a1 (db)
    #       │            └─ a2 (cart)
    #       └─ b (pay) ─── b1 (db)
    return trace(
        span("root", "", 0, 100, service="front"),
        span("a", "root", 10, 60, service="cart"),
        span("a1", "a", 12, 20, service="db"),
        span("a2", "a", 30, 50, service="cart"),
        span("b", "root", 65, 95, service="pay"),
        span("b1", "b", 70, 80, service="db"),
    )


def names(view: RowView) -> list[str]:
    out = []
    for node in view.rows:
        out.append(view.trace.spans[node].span_id if node >= 0 else "?" + view.missing_parent(node))
    return out


def pos(t, sid):
    return t.position(sid)


def test_all_rows_in_tree_order_with_guides():
    v = RowView(shop())
    assert names(v) == ["root", "a", "a1", "a2", "b", "b1"]
    prefixes = [v.prefix(r) for r in range(len(v))]
    assert prefixes == ["▾ ", "├─▾ ", "│ ├── ", "│ └── ", "└─▾ ", "  └── "]
    assert [v.depth_of(r) for r in range(len(v))] == [0, 1, 2, 2, 1, 2]


def test_collapse_hides_subtree_and_expand_restores_it():
    t = shop()
    v = RowView(t)
    before = v.version
    v.collapse(pos(t, "a"))
    assert names(v) == ["root", "a", "b", "b1"]
    assert v.prefix(1) == "├─▸ "
    assert v.hidden_descendants(pos(t, "a")) == 2
    assert v.version > before
    v.toggle(pos(t, "a"))
    assert names(v) == ["root", "a", "a1", "a2", "b", "b1"]


def test_collapse_all_and_expand_all():
    t = shop()
    v = RowView(t)
    v.collapse_all()
    assert names(v) == ["root"]
    v.expand_all()
    assert len(v) == 6


def test_collapsing_a_leaf_changes_nothing():
    t = shop()
    v = RowView(t)
    version = v.version
    v.collapse(pos(t, "a1"))
    assert len(v) == 6 and v.version == version


def test_reveal_expands_collapsed_ancestors():
    t = shop()
    v = RowView(t)
    v.collapse_all()
    assert v.row_of(pos(t, "b1")) is None
    row = v.reveal(pos(t, "b1"))
    assert names(v) == ["root", "a", "b", "b1"]
    assert row == 3 and v.pos_at(row) == pos(t, "b1")
    assert v.parent_row(row) == 2


def test_hidden_service_children_reattach_to_nearest_shown_ancestor():
    t = shop()
    v = RowView(t)
    v.set_hidden_services({"cart"})
    # a and a2 are cart: a1 (db) moves up to root, in the place a had.
    assert names(v) == ["root", "a1", "b", "b1"]
    assert v.depth_of(1) == 1 and v.prefix(1) == "├── "
    assert v.row_of(pos(t, "a")) is None
    assert v.reveal(pos(t, "a2")) is None
    v.set_hidden_services(set())
    assert len(v) == 6


def test_hiding_works_when_span_positions_are_not_in_tree_order():
    # The same tree as shop(), spans given in another order (as files deliver them).
    t = trace(
        span("b1", "b", 70, 80, service="db"),
        span("a2", "a", 30, 50, service="cart"),
        span("root", "", 0, 100, service="front"),
        span("b", "root", 65, 95, service="pay"),
        span("a1", "a", 12, 20, service="db"),
        span("a", "root", 10, 60, service="cart"),
    )
    v = RowView(t)
    v.set_hidden_services({"cart"})
    assert names(v) == ["root", "a1", "b", "b1"]
    v.set_hidden_services({"db"})
    assert names(v) == ["root", "a", "a2", "b"]
    v.collapse(pos(t, "a"))
    assert names(v) == ["root", "a", "b"]


def test_hiding_the_root_service_lifts_its_children_to_the_top():
    t = shop()
    v = RowView(t)
    v.set_hidden_services({"front", "pay"})
    assert names(v) == ["a", "a1", "a2", "b1"]
    assert [v.depth_of(r) for r in range(4)] == [0, 1, 1, 0]


def test_collapse_survives_hiding_another_service():
    t = shop()
    v = RowView(t)
    v.collapse(pos(t, "b"))
    v.set_hidden_services({"cart"})
    assert names(v) == ["root", "a1", "b"]


def test_orphans_grouped_under_a_placeholder_for_their_missing_parent():
    t = trace(
        span("r", "", 0, 100),
        span("x", "lost", 20, 30),
        span("y", "lost", 40, 50),
        span("z", "gone", 5, 8),
        span("x1", "x", 21, 22),
    )
    v = RowView(t)
    # Top level by start: r (0), placeholder "gone" (5), placeholder "lost" (20).
    assert names(v) == ["r", "?gone", "z", "?lost", "x", "x1", "y"]
    assert v.is_placeholder(v.rows[1]) and v.pos_at(1) is None
    assert v.depth_of(5) == 2  # x1 under x under the placeholder
    v.collapse(v.rows[3])
    assert names(v) == ["r", "?gone", "z", "?lost"]
    assert v.reveal(pos(t, "x1")) == 5


def test_hidden_orphan_keeps_its_children_under_the_placeholder():
    t = trace(span("r", "", 0, 100), span("x", "lost", 20, 30, service="noisy"), span("x1", "x", 21, 22))
    v = RowView(t)
    v.set_hidden_services({"noisy"})
    assert names(v) == ["r", "?lost", "x1"]


def test_untouched_trace_keeps_the_traces_own_order():
    t = shop()
    v = RowView(t)
    assert v.rows == t.order and v.rows is not t.order  # a copy: collapsing never edits the trace


def _chain(n: int) -> Trace:
    res = Resource("svc")
    spans = [Span("t", f"s{i}", f"s{i - 1}" if i else "", f"op{i}", 0, i, 2 * n - i, resource=res)
             for i in range(n)]
    return Trace("t", spans)


def test_a_chain_of_100k_spans_builds_without_recursion_and_fast():
    t = _chain(100_000)
    t.ensure_built()
    start = time.perf_counter()
    v = RowView(t)
    v.collapse(0)
    v.expand_all()
    v.set_hidden_services({"nope"})
    elapsed = time.perf_counter() - start
    assert len(v) == 100_000 and v.depth_of(99_999) == 99_999
    # Only the levels that fit are drawn; the cut guides give way to the row's depth, as a number.
    p = v.prefix(99_999, max_cells=20)
    assert len(p) == 20 and p.startswith("100000┊") and p.endswith("└── ")
    v.collapse(0)
    assert v.reveal(99_999) == 99_999
    assert elapsed < 1.0  # generous for a shared CI machine; the bench measures it properly


def _reference_rows(t, hidden: set[str], collapsed: set[int]) -> list:
    """The rows by definition: pre-order over the unfiltered tree, hidden spans left out (their
    children keep their place), everything below a collapsed shown span left out; orphans under
    one placeholder ("?id") per missing parent, placed among the roots by their first start."""

    def walk(tops: list[int], blocked: bool) -> list[int]:
        out = []
        stack = [(r, blocked) for r in reversed(tops)]
        while stack:
            i, b = stack.pop()
            shown = t.spans[i].service not in hidden
            if not b and shown:
                out.append(i)
            below = b or (shown and i in collapsed)
            stack.extend((c, below) for c in reversed(t.children[i]))
        return out

    groups: dict[str, list[int]] = {}
    for o in t.orphans:
        groups.setdefault(t.spans[o].parent_id, []).append(o)
    top = [(t.spans[r].start_ns, [r], None) for r in t.roots]
    top += [(min(t.spans[o].start_ns for o in g), g, pid) for pid, g in groups.items()]
    top.sort(key=lambda x: x[0])
    rows = []
    for _, members, pid in top:
        below = walk(members, False)
        if pid is None:
            rows += below
        elif below:
            rows += ["?" + pid] + below
    return rows


def test_rows_match_their_definition_on_random_trees():
    import random

    rnd = random.Random(3)
    for _ in range(300):
        n = rnd.randrange(1, 40)
        spans = [span("s0", "", 0, 1000, service="a")]
        for k in range(1, n):
            p = rnd.randrange(k)
            parent = f"s{p}" if rnd.random() > 0.1 else rnd.choice(["lost1", "lost2"])
            spans.append(span(f"s{k}", parent, rnd.randrange(1000), 1000, service=rnd.choice("abcd")))
        rnd.shuffle(spans)  # positions are not tree order
        t = trace(*spans)
        hidden = set(rnd.sample("abcd", rnd.randrange(4)))
        v = RowView(t)
        v.set_hidden_services(hidden)
        collapsed = set(rnd.sample(range(n), rnd.randrange(n // 3 + 1)))
        v.set_collapsed({c for c in collapsed if v.is_shown(c)})
        shown_collapsed = {c for c in v.collapsed}
        got = [nd if nd >= 0 else "?" + v.missing_parent(nd) for nd in v.rows]
        assert got == _reference_rows(t, hidden, shown_collapsed)
        for r in range(len(v)):
            assert v.row_of(v.rows[r]) == r
            parent = v.parent_row(r)
            assert (parent is None) == (v.depth_of(r) == 0)
            if parent is not None:
                assert v.depth_of(parent) == v.depth_of(r) - 1 and parent < r
        # What a collapsed row hides: the rows that expanding everything below it would add.
        full = RowView(t)
        full.set_hidden_services(hidden)
        for r, node in enumerate(full.rows):
            depth, k = full.depth_of(r), r + 1
            while k < len(full) and full.depth_of(k) > depth:
                k += 1
            assert v.hidden_descendants(node) == k - r - 1
            # └ for the last child of its parent, ├ when a sibling follows.
            if depth:
                has_next_sibling = k < len(full) and full.depth_of(k) == depth
                assert full.prefix(r)[2 * depth - 2] == ("├" if has_next_sibling else "└")
