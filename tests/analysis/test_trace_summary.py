"""The trace list's figures come from a pass that builds no tree; they must equal the tree's."""

from __future__ import annotations

from builders import span, trace
from hypothesis import given, settings
from hypothesis import strategies as st

from tracetui.analysis import summarize
from tracetui.model import Trace
from tracetui.model.skew import CALLEES, callee_shift


def from_tree(t: Trace) -> tuple:
    t.ensure_built()
    top = t.roots or t.top
    root = t.spans[top[0]] if top else None
    return (len(t.orphans), root.span_id if root else None, bool(t.roots))


def light(t: Trace) -> tuple:
    fresh = Trace(t.trace_id, t.spans)  # nothing built yet
    root = fresh.root
    out = (fresh.orphan_count, root.span_id if root else None, fresh.has_root)
    return out


def test_summary_without_building_the_tree():
    t = trace(span("r", "", 0, 100), span("a", "r", 10, 20, status=2), span("x", "gone", 5, 6, service="b"))
    s = summarize(Trace("t1", t.spans))
    assert (s.orphan_count, s.root_name, s.error_count, s.services, s.has_root) == (1, "r", 1, ["b", "svc"], True)


def test_light_pass_does_not_build_plain_trees():
    t = Trace("t1", trace(span("r", "", 0, 100), span("a", "r", 10, 20)).spans)
    assert t.orphan_count == 0 and t.root.span_id == "r"
    assert not t.has_tree


def test_cycle_self_parent_and_shared_ids_match_the_tree():
    cases = [
        [span("a", "b", 0, 10), span("b", "a", 1, 5)],  # cycle, no root
        [span("r", "", 0, 9), span("a", "b", 3, 4), span("b", "a", 3, 5)],  # cycle beside a root
        [span("r", "", 0, 9), span("s", "s", 1, 2)],  # its own parent
        [span("r", "", 0, 9), span("aa", "r", 1, 8), span("aa", "aa", 2, 7)],  # Zipkin shared span
        [span("w", "gone", 5, 6), span("v", "gone2", 1, 3)],  # orphans only
    ]
    for spans in cases:
        t = trace(*spans)
        assert light(t) == from_tree(t)


ids = st.sampled_from(["", "a", "b", "c", "d", "e", "f", "zz"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(ids.filter(bool), ids, st.integers(0, 5)), min_size=1, max_size=8))
def test_light_pass_equals_tree_on_any_shape(rows):
    t = trace(*[span(sid, parent, start, start + 1) for sid, parent, start in rows])
    assert light(t) == from_tree(t)


def test_tree_build_on_a_deep_chain_listed_children_first():
    n = 100_000
    spans = [span(f"s{i}", f"s{i - 1}" if i else "", i, 2 * n - i) for i in range(n)]
    t = Trace("t1", spans[::-1])  # children listed before their parents
    assert t.depth[0] == n - 1 and t.order[0] == n - 1 and t.roots == [n - 1]


def exact(spans) -> tuple:
    """The figures from the tree, as TraceStats.count gives them once a tree is built."""
    from tracetui.model.trace import TraceStats

    t = Trace("t1", spans)
    t.ensure_built()
    st = TraceStats.count(t)
    return (st.start_ns, st.end_ns, st.error_count, st.services, st.orphan_count, st.root)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(ids.filter(bool), ids, st.integers(0, 5), st.integers(0, 6), st.sampled_from("pqr"),
                          st.sampled_from([1, 2, 3, 5]), st.sampled_from([0, 2])), min_size=1, max_size=10))
def test_the_light_pass_gives_the_figures_and_the_skew_verdict_of_the_separate_passes(rows):
    """Traces get their skew check and figures from one loop; both must be what the separate
    passes (and the tree) say, on any shape: cycles, repeated ids, services, kinds, errors."""
    from tracetui.model.trace import light_figures

    spans = [span(sid, parent, start, start + length, service=svc, kind=kind, status=status)
             for sid, parent, start, length, svc, kind, status in rows]
    skewed, figures = light_figures(spans)
    assert skewed == might_be_skewed(spans)
    if figures is not None:
        assert (figures.start_ns, figures.end_ns, figures.error_count, figures.services, figures.orphan_count,
                figures.root) == exact(spans)


def might_be_skewed(spans: list) -> bool:
    """Whether some callee, compared with its caller as read, does not fit: the skew check as it
    was before `light_figures` folded it into its loop, kept here as the reference.

    A trace where this is False has no shifts at all: the first shift in tree order is measured
    against an unshifted caller. Ids that repeat (Zipkin shared spans) answer True: the tree
    decides who is whose parent then. One pass to index the spans, then a look at each server
    or consumer span's parent (a plain loop measured faster here than C-level `map` passes,
    which build more lists: 0.36 µs a span, about a third of the trace list's figures pass).
    """
    index: dict[str, int] = {}
    callees = []
    for i, s in enumerate(spans):
        sid, pid = s.span_id, s.parent_id
        if pid == sid or sid in index:
            return True
        index[sid] = i
        if pid and s.kind in CALLEES:
            callees.append(i)
    get = index.get
    for i in callees:
        s = spans[i]
        p = get(s.parent_id)
        if p is None:
            continue  # an orphan
        ps = spans[p]
        if s.start_ns >= ps.start_ns and s.end_ns <= ps.end_ns:
            continue  # inside its caller: no rule moves it
        if ps.resource.service != s.resource.service and callee_shift(s, ps.start_ns, ps.end_ns, ps.kind):
            return True
    return False
