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


def _reference_critical_path(t) -> list[tuple[int, int, int]]:
    """The plain definition (the scan over all children at every step that tracetui used until the
    fast walk, quadratic in siblings): the fast walk must give exactly this."""
    from tracetui.model.trace import NO_PARENT

    out = []
    for top in t.top:
        spans = t.spans
        start, end, kids = {top: spans[top].start_ns}, {top: spans[top].end_ns}, {}
        stack = [top]
        while stack:
            p = stack.pop()
            keep = []
            for c in t.children[p]:
                if not t.is_blocking(c):
                    continue
                cs, ce = spans[c].start_ns, spans[c].end_ns
                if cs >= start[p]:
                    if cs >= end[p]:
                        continue
                    ce = min(ce, end[p])
                else:
                    if ce <= start[p]:
                        continue
                    cs, ce = start[p], min(ce, end[p])
                start[c], end[c] = cs, ce
                keep.append(c)
            kids[p] = keep
            stack.extend(keep)
        cur, barrier = top, None
        while True:
            lfc, best = None, -1
            for c in kids[cur]:
                if (barrier is None or end[c] < barrier) and end[c] > best:
                    best, lfc = end[c], c
            section_end = barrier if barrier is not None else end[cur]
            if lfc is not None:
                if best != section_end:
                    out.append((cur, best, section_end))
                cur, barrier = lfc, None
                continue
            if start[cur] != section_end:
                out.append((cur, start[cur], section_end))
            if cur == top or t.parent[cur] == NO_PARENT:
                break
            cur, barrier = t.parent[cur], start[cur]
    return out


@pytest.mark.parametrize("seed", range(60))
def test_the_fast_walk_equals_the_plain_definition_on_random_trees(seed):
    import random

    rnd = random.Random(seed)
    n = rnd.randint(1, 120)
    grain = rnd.choice([3, 10, 1000])  # coarse times: many equal starts and ends (ties)
    spans = []
    for i in range(n):
        parent = "" if i == 0 or rnd.random() < 0.05 else f"s{rnd.randrange(i)}"
        if rnd.random() < 0.05:
            parent = "missing"  # an orphan: its own walk
        a = rnd.randrange(0, 10 * grain)
        b = a + rnd.randrange(0, 6 * grain)
        kind = rnd.choice([0, 0, 0, KIND_PRODUCER, KIND_CONSUMER])
        spans.append(span(f"s{i}", parent, a, b, kind=kind, follows_from=rnd.random() < 0.05))
    rnd.shuffle(spans)
    t = trace(*spans)
    got = [(s.pos, s.start_ns, s.end_ns) for s in critical_path(t)]
    assert got == _reference_critical_path(t)


def test_many_siblings_take_one_sort_not_a_scan_per_step():
    # One parent with 3,000 children one after another: the walk steps back through all of them.
    # A scan of the siblings at each step read 4.5 million ends here (142 s for 200k children);
    # the walk reads each child's end a few times. Counted, not timed.
    from tracetui.analysis.critical_path import walk_back
    from tracetui.model.trace import NO_PARENT

    class Counted(dict):
        reads = 0

        def __getitem__(self, key):
            Counted.reads += 1
            return dict.__getitem__(self, key)

    n = 3_000
    start = {0: 0} | {i: 10 * i + 1 for i in range(1, n + 1)}
    end = Counted({0: 10 * n + 10} | {i: 10 * i + 9 for i in range(1, n + 1)})
    kids = {0: list(range(1, n + 1))} | {i: [] for i in range(1, n + 1)}
    parent = [NO_PARENT] + [0] * n
    got = walk_back(0, start, end, kids, parent)
    assert len(got) == 2 * n + 1 and got[0].pos == 0 and got[1].pos == n
    assert Counted.reads < 10 * n
