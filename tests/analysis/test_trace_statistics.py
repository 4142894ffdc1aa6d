"""Trace Statistics (per service and operation) checked against Jaeger UI's own test cases.

The expected figures are those of jaeger-ui's `TraceStatistics/tableValues.test.js` (c321fb3),
on the traces it uses (tests/fixtures/jaeger/trace-statistics/). Jaeger shows milliseconds
rounded to two decimals with JavaScript's Math.round (half up), and `percent` is the group's
self time over the trace's duration.
"""

import math

import pytest
from builders import checkout_trace, span, trace
from conftest import FIXTURES

from tracetui.analysis.stats import SpanStats, group_stats, trace_stats, traces_stats
from tracetui.model import TraceStore
from tracetui.sources.files import load_paths

STATS = FIXTURES / "jaeger" / "trace-statistics"


def js_ms(ns: int) -> float:
    """Jaeger UI's `Math.round((µs / 1000) * 100) / 100`."""
    return math.floor(ns / 1000 / 1000 * 100 + 0.5) / 100


def js_percent(part: int, whole: int) -> float:
    return math.floor(part * (100 / whole) * 100 + 0.5) / 100


def jaeger_row(stats: SpanStats, service: str, name: str | None = None) -> dict:
    (g,) = [g for g in stats.groups("both") if g.key == (service, name)]
    return {"count": g.count, "total": js_ms(g.total_ns), "avg": js_ms(g.mean_ns), "min": js_ms(g.min_ns),
            "max": js_ms(g.max_ns), "selfTotal": js_ms(g.self_ns), "selfAvg": js_ms(g.self_mean_ns),
            "selfMin": js_ms(g.self_min_ns), "selfMax": js_ms(g.self_max_ns),
            "percent": js_percent(g.self_ns, stats.duration_ns)}


def one_trace(name: str):
    # As read: Jaeger UI computes its statistics on the times it is given (no skew adjustment).
    store = TraceStore(adjust_skew=False)
    problems = load_paths([str(STATS / name)], store)
    assert not problems
    (t,) = store
    return t


def row(count, total, avg, mn, mx, self_total, self_avg, self_min, self_max, percent):
    return {"count": count, "total": total, "avg": avg, "min": mn, "max": mx, "selfTotal": self_total,
            "selfAvg": self_avg, "selfMin": self_min, "selfMax": self_max, "percent": percent}


GATEWAY, CUSTOMERS = "api-gateway", "customers-service"
# tableValues.test.js: 'get values two dropdowns are selected (Service Name, Operation Name)'
NORMAL = [
    ((GATEWAY, None), row(2, 7.4, 3.7, 2.5, 4.9, 3.16, 1.58, 0.76, 2.4, 64.52)),
    ((GATEWAY, "GET /api/customer/owners/8/pets/10"), row(1, 4.9, 4.9, 4.9, 4.9, 2.4, 2.4, 2.4, 2.4, 49.02)),
    ((GATEWAY, "GET /owners/8/pets/10"), row(1, 2.5, 2.5, 2.5, 2.5, 0.76, 0.76, 0.76, 0.76, 15.5)),
    ((CUSTOMERS, None), row(3, 1.81, 0.6, 0.02, 1.74, 1.74, 0.58, 0.02, 1.67, 35.48)),
    ((CUSTOMERS, "GET /owners/8/pets/10"), row(1, 1.74, 1.74, 1.74, 1.74, 1.67, 1.67, 1.67, 1.67, 33.99)),
    ((CUSTOMERS, "HikariProxyPreparedStatement.executeQuery"),
     row(2, 0.07, 0.04, 0.02, 0.05, 0.07, 0.04, 0.02, 0.05, 1.49)),
]


@pytest.mark.parametrize(("key", "expected"), NORMAL, ids=[f"{s}/{n}" for (s, n), _ in NORMAL])
def test_every_figure_of_jaegers_normal_trace(key, expected):
    stats = trace_stats(one_trace("testTraceNormal.json"))
    assert jaeger_row(stats, *key) == expected


def test_grouping_both_lists_each_service_then_its_operations_as_jaeger_does():
    stats = trace_stats(one_trace("testTraceNormal.json"))
    assert [g.key for g in stats.groups("both")] == [key for key, _ in NORMAL]
    assert [g.key for g in stats.groups("service")] == [(GATEWAY, None), (CUSTOMERS, None)]
    assert len(stats.groups("operation")) == 4 and all(g.name for g in stats.groups("operation"))


# tableValues.test.js, 'check self time': (file, service, operation, Jaeger's selfTotal in ms)
SELF_TIME_CASES = [
    ("spansAmongEachOther.json", CUSTOMERS, "GET /owners", 1.67),
    ("spansAmongEachOtherGrouped.json", CUSTOMERS, "GET /owners", 1.63),
    ("spanAmongEachOtherGroupedAndSpans.json", CUSTOMERS, "GET /owners", 1.56),
    ("spanLongerAsParent.json", GATEWAY, "GET /owners/8/pets/10", 1.22),
    ("traceWithOverlappingChildrenLongerThanParent.json", "service-one", None, 0.03),
    ("traceWithTwoNonOverlappingChildren.json", "service-one", None, 0.03),
    ("traceWithOverlappingChildren.json", "service-one", None, 0),
    ("traceWithSingleChildLongerThanParentAndStartsAfterParent.json", "service-one", None, 0.04),
    ("traceWithThreeShortChildren.json", "service-one", None, 0.01),
    ("traceWithTwoChildrenStartedAtTraceStart.json", "service-one", None, 0),
]


@pytest.mark.parametrize(("name", "service", "operation", "self_ms"), SELF_TIME_CASES,
                         ids=[c[0].removesuffix(".json") for c in SELF_TIME_CASES])
def test_self_time_as_jaeger_computes_it(name, service, operation, self_ms):
    stats = trace_stats(one_trace(name))
    assert jaeger_row(stats, service, operation)["selfTotal"] == self_ms


def test_the_groups_of_jaegers_tag_test_trace_count_every_span():
    stats = trace_stats(one_trace("traceWithMultipleSpansWithTheSameValueInDifferentTags.json"))
    assert sum(g.count for g in stats.groups("operation")) == 4 == stats.groups("service")[0].count


MS = 1_000_000


def test_critical_path_errors_and_the_spans_of_each_group():
    # front 0..100 ─┬─ cart 10..60 (error) ── db 12..20 ; └─ pay 65..95 ── db 70..80 (error)
    t = checkout_trace()
    stats = trace_stats(t)
    by = {g.key: g for g in stats.groups("both")}
    db = by[("db", None)]
    assert (db.count, db.errors, db.total_ns, db.self_ns) == (2, 1, 18 * MS, 18 * MS)
    assert (db.self_min_ns, db.self_max_ns, db.self_mean_ns) == (8 * MS, 10 * MS, 9 * MS)
    # The path: front 95..100, pay 80..95, db 70..80, pay 65..70, front 60..65, cart 20..60,
    # db 12..20, cart 10..12, front 0..10: each group's share of the 100 ms adds up to it.
    assert db.critical_path_ns == 18 * MS
    assert by[("front", None)].critical_path_ns == 20 * MS
    assert by[("pay", None)].critical_path_ns == 20 * MS and by[("cart", None)].critical_path_ns == 42 * MS
    assert sum(by[(s, None)].critical_path_ns for s in ("front", "cart", "pay", "db")) == t.duration_ns
    assert sorted(t.spans[p].span_id for p in db.positions) == ["a1", "b1"]
    assert sorted(t.spans[p].span_id for p in by[("db", "SELECT cart")].positions) == ["a1"]
    assert by[("cart", None)].errors == 1 and by[("front", None)].errors == 0


def test_most_self_time_first():
    t = trace(span("r", "", 0, 100, service="front"), span("a", "r", 10, 40, service="db", name="q"),
              span("b", "r", 50, 60, service="db", name="q"))
    assert [(g.key, g.count, g.self_ns) for g in group_stats(t)] == [(("front", None), 1, 60), (("db", None), 2, 40)]
    assert [(g.key, g.count) for g in group_stats(t, by="operation")] == [(("front", "r"), 1), (("db", "q"), 2)]
    with pytest.raises(ValueError, match="service, operation or both"):
        group_stats(t, by="span")


def test_over_several_traces_the_figures_add_up():
    one = trace(span("r", "", 0, 100, service="front", trace_id="t1"),
                span("a", "r", 0, 30, service="db", name="q", trace_id="t1"))
    two = trace(span("r", "", 0, 50, service="front", trace_id="t2"),
                span("a", "r", 10, 60, service="db", name="q", trace_id="t2"))
    stats = traces_stats([one, two])
    (q,) = [g for g in stats.groups("operation") if g.name == "q"]
    assert (q.count, q.total_ns, q.self_min_ns, q.self_max_ns) == (2, 80, 30, 50)
    # two: db runs 10..60, past front's end at 50: 40 of its 50 ns are on the path.
    assert q.critical_path_ns == 30 + 40
    assert stats.duration_ns == 100 + 60 and stats.traces == 2
