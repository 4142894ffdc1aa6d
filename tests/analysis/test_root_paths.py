"""A trace with orphans has several trees: the root's critical path and the orphans' apart."""

from __future__ import annotations

from builders import span, trace

from tracetui.analysis.critical_path import critical_path, root_paths
from tracetui.analysis.overview import TraceAnalysis

US = 1_000


def orphaned():
    """root 0..17.6ms with a child 2..15ms; a lost parent "gone" had two subtrees that run at
    the same time as the root: o1 1..12ms (child 3..10ms) and o2 6..17ms."""
    return trace(
        span("root", "", 0, 17_600 * US, service="front"),
        span("kid", "root", 2_000 * US, 15_000 * US, service="front"),
        span("o1", "gone", 1_000 * US, 12_000 * US, service="back"),
        span("o1k", "o1", 3_000 * US, 10_000 * US, service="back"),
        span("o2", "gone", 6_000 * US, 17_000 * US, service="back"),
    )


def test_the_roots_path_comes_first_and_the_orphans_paths_apart():
    t = orphaned()
    paths = root_paths(t)
    assert [t.spans[p.top].span_id for p in paths] == ["root", "o1", "o2"]
    assert paths[0].duration_ns == 17_600 * US  # the root's path covers the root, and only it
    assert [p.duration_ns for p in paths[1:]] == [11_000 * US, 11_000 * US]
    # critical_path (Jaeger's order, every tree) is still all of them
    assert sum(s.duration_ns for s in critical_path(t)) == (17_600 + 22_000) * US


def test_no_share_of_the_trace_above_100_percent():
    t = orphaned()
    a = TraceAnalysis(t)
    assert a.critical_path_ns == a.main_path_ns == 17_600 * US
    assert a.critical_path_ns <= t.duration_ns
    assert [(t.spans[top].span_id, ns) for top, ns in a.other_paths] == [("o1", 11_000 * US), ("o2", 11_000 * US)]
    assert all(ns <= t.duration_ns for _, ns in a.other_paths)


def test_without_a_root_the_earliest_orphan_is_the_main_tree():
    t = trace(
        span("late", "gone", 5_000, 9_000, service="a"),
        span("early", "gone", 1_000, 4_000, service="a"),
    )
    a = TraceAnalysis(t)
    assert t.spans[root_paths(t)[0].top].span_id == "early"
    assert a.main_path_ns == 3_000 and [ns for _, ns in a.other_paths] == [4_000]
