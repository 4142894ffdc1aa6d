"""The trace list index: order, filter and incremental updates agree with a plain sort."""

import random

from builders import span

from tracetui.model import TraceStore
from tracetui.model.span import STATUS_ERROR
from tracetui.viewmodels.trace_list import SORT_KEYS, TraceIndex


class ErrorQuery:
    def match_trace(self, trace) -> bool:
        return trace.error_count > 0


def _expected(store: TraceStore, sort: str, descending: bool, only_errors: bool) -> list[str]:
    traces = [t for t in store if not only_errors or t.error_count]
    key = {
        "start": lambda t: (t.start_ns, t.trace_id),
        "duration": lambda t: (t.duration_ns, t.start_ns, t.trace_id),
        "spans": lambda t: (len(t.spans), t.start_ns, t.trace_id),
        "errors": lambda t: (t.error_count, len(t.orphans), t.start_ns, t.trace_id),
    }[sort]
    return [t.trace_id for t in sorted(traces, key=key, reverse=descending)]


def test_incremental_updates_match_a_full_sort_in_every_order():
    rng = random.Random(7)
    store = TraceStore()
    index = TraceIndex()
    n = 0
    for step in range(300):
        # Mostly small batches (moved by bisection), now and then a big one (full sort).
        size = 200 if step % 50 == 0 else rng.randint(1, 3)
        spans = []
        for _ in range(size):
            tid = f"t{rng.randint(0, 400):04d}"
            n += 1
            start = rng.randint(0, 10_000)
            spans.append(span(f"s{n}", "" if rng.random() < 0.3 else f"s{rng.randint(1, n)}", start,
                              start + rng.randint(0, 5_000), trace_id=tid,
                              status=STATUS_ERROR if rng.random() < 0.1 else 0))
        new = index.update(store, store.add(spans))
        assert new <= set(store.traces)
        if step % 37 == 0:
            sort = SORT_KEYS[step % 4]
            index.set_sort(sort, descending=bool(step % 2))
        if step == 150:
            index.set_query(store, ErrorQuery())
        got = [s.trace_id for s in index.rows]
        assert got == _expected(store, index.sort, index.descending, index.query is not None)
        assert index.max_duration_ns == max(t.duration_ns for t in store)
        tid = got[len(got) // 2]
        assert index.index_of(tid) == len(got) // 2
        assert index.rows[-1].trace_id == got[-1] and [s.trace_id for s in index.rows[:3]] == got[:3]


def test_same_key_again_reverses_a_new_key_starts_with_the_biggest():
    store = TraceStore()
    store.add([span("a", "", 0, 10, trace_id="fast"), span("b", "", 5, 500, trace_id="slow")])
    index = TraceIndex()
    index.update(store, list(store.traces))
    index.set_sort("duration")
    assert [s.trace_id for s in index.rows] == ["slow", "fast"]
    index.set_sort("duration")
    assert [s.trace_id for s in index.rows] == ["fast", "slow"]


def test_evicted_traces_leave_the_list():
    store = TraceStore(max_spans=2)
    index = TraceIndex()
    index.update(store, store.add([span("a", "", 0, 900, trace_id="old")]))
    index.update(store, store.add([span("b", "", 1, 2, trace_id="x"), span("c", "", 2, 3, trace_id="y")]))
    assert [s.trace_id for s in index.rows] == ["y", "x"]
    assert index.max_duration_ns == 1
