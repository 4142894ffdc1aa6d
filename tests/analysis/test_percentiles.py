"""Where a span stands among the loaded spans of its operation: "p97 of 412 (p50 6.10ms)"."""

from builders import span

from tracetui.analysis.percentiles import REBUILD_SECONDS, SpanDurations, durations_of, nearest_rank
from tracetui.model import TraceStore


def store_of(durations: list[int], service: str = "db", name: str = "q") -> TraceStore:
    store = TraceStore()
    store.add([span(f"s{i}", "", 0, d, service=service, name=name, trace_id=f"t{i}") for i, d in enumerate(durations)])
    return store


def test_the_share_at_or_below_and_the_median_by_nearest_rank():
    d = SpanDurations(store_of([10, 20, 30, 40, 1000]))
    assert d.standing("db", "q", 1000) == (100, 5, 30)   # the slowest: p100
    assert d.standing("db", "q", 10) == (20, 5, 30)      # 1 of 5 at or below
    assert d.standing("db", "q", 40) == (80, 5, 30)
    assert d.standing("db", "other", 40) is None
    assert nearest_rank([1, 2, 3, 4], 50) == 2 and nearest_rank([5], 99) == 5


def test_operations_are_told_apart_by_service_and_name():
    store = store_of([1, 2, 3])
    store.add([span("x", "", 0, 500, service="cache", name="q", trace_id="tx")])
    d = SpanDurations(store)
    assert d.standing("cache", "q", 500) == (100, 1, 500)
    assert d.standing("db", "q", 2).count == 3


def test_sorted_once_per_store_version_and_not_on_every_call():
    store = store_of([10, 20, 30])
    now = [0.0]
    first = durations_of(store, clock=lambda: now[0])
    assert durations_of(store, clock=lambda: now[0]) is first  # a keypress: no new index
    store.add([span("late", "", 0, 5, service="db", name="q", trace_id="t9")])
    now[0] = 1.0  # changed, but a moment ago an index was built: the old one answers
    assert durations_of(store, clock=lambda: now[0]) is first
    now[0] = 1.0 + REBUILD_SECONDS
    fresh = durations_of(store, clock=lambda: now[0])
    assert fresh is not first and fresh.standing("db", "q", 5) == (25, 4, 10)
    assert durations_of(store, clock=lambda: now[0] + 100) is fresh  # unchanged since
    # A change that is not arrivals (clock skew adjusted or not) is followed at once.
    store.set_adjust_skew(not store.adjust_skew)
    assert durations_of(store, clock=lambda: now[0] + 100.5) is not fresh
