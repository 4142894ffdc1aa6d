"""The critical path must match Jaeger UI's own test cases, loaded from Jaeger JSON."""

import json

import pytest
from builders import span, trace
from conftest import FIXTURES

from tracetui.analysis import critical_path, time_on_path
from tracetui.model import TraceStore
from tracetui.model.span import KIND_CONSUMER, KIND_PRODUCER
from tracetui.sources.files import load_paths

CASES = sorted((FIXTURES / "jaeger" / "critical-path").glob("case*.json"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_matches_jaeger_ui(path):
    expected = [
        (s["spanID"], s["sectionStart"] * 1000, s["sectionEnd"] * 1000)
        for s in json.loads(path.read_text())["criticalPathSections"]
    ]
    store = TraceStore()
    assert load_paths([str(path)], store) == []
    (t,) = store.traces.values()
    got = [(t.spans[s.pos].span_id, s.start_ns, s.end_ns) for s in critical_path(t)]
    assert got == expected


def test_all_six_cases_present():
    assert len(CASES) == 6


def test_sequential_children_and_gap():
    # root 0..100; a 10..40, b 40..70 (starts exactly when a ends); root alone 0..10 and 70..100.
    t = trace(span("r", "", 0, 100), span("a", "r", 10, 40), span("b", "r", 40, 70))
    got = [(t.spans[s.pos].span_id, s.start_ns, s.end_ns) for s in critical_path(t)]
    # Jaeger picks children that end strictly before the barrier, so a (ends 40) is not picked
    # from b's start (40): the root owns nothing between them and a is skipped.
    assert got == [("r", 70, 100), ("b", 40, 70), ("r", 0, 40)]


def test_overlapping_children_last_finisher_wins():
    # a 0..60 and b 10..50 overlap; a finishes last, b finishes before a starts? no: b is skipped.
    t = trace(span("r", "", 0, 100), span("a", "r", 0, 60), span("b", "r", 10, 50))
    on = time_on_path(t)
    names = {t.spans[p].span_id: d for p, d in on.items()}
    assert names == {"r": 40, "a": 60}


def test_child_outliving_parent_is_clipped():
    t = trace(span("r", "", 0, 100), span("late", "r", 50, 180))
    got = [(t.spans[s.pos].span_id, s.start_ns, s.end_ns) for s in critical_path(t)]
    assert got == [("late", 50, 100), ("r", 0, 50)]


def test_fire_and_forget_child_is_not_on_path():
    t = trace(span("r", "", 0, 100), span("after", "r", 120, 200))
    assert [(t.spans[s.pos].span_id, s.start_ns, s.end_ns) for s in critical_path(t)] == [("r", 0, 100)]


def test_consumer_of_producer_is_not_blocking():
    t = trace(span("p", "", 0, 30, kind=KIND_PRODUCER), span("c", "p", 10, 25, kind=KIND_CONSUMER))
    assert [(t.spans[s.pos].span_id) for s in critical_path(t)] == ["p"]


def test_deep_chain_has_no_recursion_limit():
    n = 100_000
    spans = [span("s0", "", 0, 2 * n)] + [span(f"s{i}", f"s{i-1}", i, 2 * n - i) for i in range(1, n)]
    t = trace(*spans)
    sections = critical_path(t)
    assert sum(s.duration_ns for s in sections) == 2 * n
    assert t.max_depth == n - 1
