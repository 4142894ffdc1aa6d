"""Selection against baseline: the split, the operations table and the attributes table, on
traces built here (answers worked out by hand) and on the incident sample (SDK-made)."""

from __future__ import annotations

import pytest
from builders import span, trace
from conftest import SAMPLES

from tracetui.analysis.compare import Comparer, Selection, compare, split
from tracetui.analysis.compare.attributes import ABSENT, OTHER_KIND
from tracetui.model import TraceStore
from tracetui.model.query import QueryError
from tracetui.model.span import STATUS_ERROR
from tracetui.sources.files import load_paths

MS = 1_000_000


def request(n: int, ms: int, *, db_ms: int = 0, error: bool = False, **attrs) -> object:
    """Trace `t{n}`: root `api: GET /` of `ms`; with `db_ms`, a child `db: SELECT` at its end."""
    tid = f"t{n:03d}"
    spans = [span("r", "", 0, ms * MS, service="api", name="GET /", trace_id=tid, raw_attributes=dict(attrs) or None,
                  status=STATUS_ERROR if error else 0)]
    if db_ms:
        spans.append(span("d", "r", (ms - db_ms) * MS, ms * MS, service="db", name="SELECT", trace_id=tid))
    return trace(*spans)


def test_slowest_ten_percent_is_at_or_above_the_p90_nearest_rank():
    traces = [request(i, ms) for i, ms in enumerate(range(10, 210, 10))]  # 20 traces, 10..200 ms
    sel, base = split(traces, Selection.slowest(10))
    # p90 nearest rank of 20 values: the 18th smallest, 180 ms: 180, 190, 200 are selected.
    assert sorted(t.duration_ns // MS for t in sel) == [180, 190, 200]
    assert len(base) == 17 and not set(map(id, sel)) & set(map(id, base))


def test_ties_at_the_threshold_are_all_selected():
    traces = [request(i, 100 if i >= 5 else 10) for i in range(10)]
    sel, _ = split(traces, Selection.slowest(10))
    assert len(sel) == 5


def test_errors_query_range_and_a_baseline_query():
    traces = [request(0, 10, error=True, region="eu"), request(1, 20, region="us"), request(2, 30, region="eu"),
              request(3, 40, region="ap")]
    assert [t.trace_id for t in split(traces, Selection.errors())[0]] == ["t000"]
    sel, base = split(traces, Selection.matching("region=eu"))
    assert [t.trace_id for t in sel] == ["t000", "t002"] and [t.trace_id for t in base] == ["t001", "t003"]
    sel, base = split(traces, Selection.matching("region=eu"), baseline="region=us")
    assert [t.trace_id for t in base] == ["t001"]
    sel, _ = split(traces, Selection.between(20 * MS, 30 * MS))
    assert [t.trace_id for t in sel] == ["t001", "t002"]
    # The baseline never holds a selected trace, even when its query matches one.
    assert split(traces, Selection.matching("region=eu"), baseline="region=eu")[1] == []


def test_a_bad_query_is_one_line_error():
    with pytest.raises(QueryError):
        Selection.matching("duration>fast")
    with pytest.raises(QueryError):
        split([request(0, 10)], Selection.slowest(), baseline='"unclosed')


def test_operations_mean_per_trace_counts_traces_without_it_as_zero():
    # Selection: 2 slow traces (root 100 ms, db 80 ms); baseline: 4 traces of 20 ms, one with a 10 ms db call.
    traces = [request(0, 100, db_ms=80), request(1, 100, db_ms=80)] + \
             [request(2, 20, db_ms=10)] + [request(i, 20) for i in range(3, 6)]
    c = compare(traces, Selection.matching("duration>=100ms"))
    first = c.operations[0]
    assert (first.service, first.name) == ("db", "SELECT")
    assert (first.selection_traces, first.baseline_traces) == (2, 1)
    assert first.selection_cp_ns == 80 * MS
    assert first.baseline_cp_ns == 10 * MS / 4  # one trace of four has it
    assert first.delta_cp_ns == 80 * MS - 2.5 * MS
    root = next(r for r in c.operations if r.service == "api")
    # The root's own time on the path: 20 ms in the slow traces; 10 or 20 ms in the others.
    assert root.selection_cp_ns == 20 * MS and root.baseline_cp_ns == (10 + 20 * 3) * MS / 4
    assert root.selection_self_ns == 20 * MS
    assert first.percentiles()[:2] == (80 * MS, 80 * MS)
    j = c.to_json()
    assert [o["delta_cp_ns"] for o in j["operations"]] == sorted((o["delta_cp_ns"] for o in j["operations"]),
                                                                 reverse=True)
    assert j["selection"] == {"query": "duration>=100ms", "traces": 2}
    assert j["baseline"] == {"query": None, "traces": 4}


def test_a_value_only_the_selection_has_ranks_first_and_absent_is_a_value():
    traces = [request(i, 500, host="b") for i in range(12)] + \
             [request(100 + i, 50, host="a" if i % 2 else "b") for i in range(60)] + \
             [request(200 + i, 50) for i in range(20)]  # no host at all
    c = compare(traces, Selection.matching("duration>=500ms"))
    top = c.attributes[0]
    assert (top.key, top.value) == ("host", "b")
    assert top.selection_share == 1.0 and top.baseline_share == pytest.approx(30 / 80)
    assert top.passes and top.q_value >= top.p_value
    absent = next(r for r in c.attributes if r.key == "host" and r.value == ABSENT)
    assert absent.selection_share == 0 and absent.baseline_share == pytest.approx(20 / 80)
    assert Comparer(traces).traces_with(absent) == [t.trace_id for t in traces[-20:]]


def test_values_past_the_fifty_most_frequent_are_one_row():
    # A request id on every trace (unique), and a user among 60 (each on two traces).
    traces = [request(i, 100 if i < 12 else 10, request_id=f"req-{i}", user=f"u{i % 60}") for i in range(120)]
    c = compare(traces, Selection.slowest(10))
    keys = [(r.key, r.kind) for r in c.attributes]
    assert ("request_id", "value") not in keys  # unique ids: one (other) row, same share: left out
    users = [r for r in c.attributes if r.key == "user"]
    assert sum(r.kind == "value" for r in users) <= 50
    other = [r for r in users if r.kind == OTHER_KIND]
    assert len(other) == 1 and other[0].value == "(other: 10 values)"


def test_numeric_attributes_compare_as_distributions():
    traces = [request(i, 200, rows=1000 + 37 * i) for i in range(15)] + \
             [request(100 + i, 20, rows=3 * i) for i in range(100)]
    c = compare(traces, Selection.matching("duration>=200ms"))
    rows = [r for r in c.attributes if r.key == "rows"]
    assert [r.kind for r in rows] == ["numeric"]  # no row per number
    assert rows[0].delta == pytest.approx(1.0)  # every selected value is above every baseline one
    assert rows[0].p_value < 1e-6 and rows[0].selection_median > rows[0].baseline_median


def test_span_scope_counts_the_spans_of_one_operation():
    traces = [trace(span("r", "", 0, (100 if i < 3 else 30 + i) * MS, service="api", name="GET /", trace_id=f"s{i}"),
                    span("a", "r", 0, 10 * MS, service="db", name="q", trace_id=f"s{i}", raw_attributes={"shard": "1"}),
                    span("b", "r", 10 * MS, 90 * MS if i < 3 else 20 * MS, service="db", name="q", trace_id=f"s{i}",
                         raw_attributes={"shard": "2"})) for i in range(30)]
    c = Comparer(traces).compare(Selection.slowest(10), scope_op=("db", "q"))
    assert c.selection_count == 4  # the p90 of 30 by nearest rank is the 27th: it and the 3 above
    shard2 = next(r for r in c.attributes if r.value == "2")
    assert shard2.scope == "span" and (shard2.selection_total, shard2.baseline_total) == (8, 52)
    assert shard2.selection_share == 0.5


def test_the_incident_sample_names_the_slow_replica_and_its_query():
    store = TraceStore()
    assert load_paths([str(SAMPLES / "incident.json")], store) == []
    assert len(store) >= 150
    c = compare(list(store))
    assert (c.operations[0].service, c.operations[0].name) == ("inventory", "SELECT stock")
    assert (c.attributes[0].key, c.attributes[0].value) == ("host.name", "inventory-7d9f-2")
    assert c.attributes[0].passes
    # The noise attribute (a unique id per request) does not flood the table.
    assert sum(r.key == "app.request.id" for r in c.attributes) <= 1


def test_big_groups_are_compared_through_the_same_sample_and_counts_stay_whole():
    traces = [request(i, 500 if i % 10 == 0 else 50, db_ms=400 if i % 10 == 0 else 5,
                      host="b" if i % 10 == 0 else ("a" if i % 3 else "b")) for i in range(300)]
    exact = Comparer(traces, sample=10_000).compare(Selection.matching("duration>=500ms"))
    first = Comparer(traces, sample=100).compare(Selection.matching("duration>=500ms"))
    again = Comparer(traces, sample=100).compare(Selection.matching("duration>=500ms"))
    assert (first.selection_count, first.baseline_count) == (30, 270) == (exact.selection_count, exact.baseline_count)
    assert first.sampled and (first.selection_sampled, first.baseline_sampled) == (30, 100)
    assert [r.to_json() for r in first.attributes] == [r.to_json() for r in again.attributes]  # repeatable
    assert (first.attributes[0].key, first.attributes[0].value) == ("host", "b") == \
        (exact.attributes[0].key, exact.attributes[0].value)
    assert first.operations[0].name == "SELECT" and first.operations[0].baseline_traces == 270


def test_a_lazy_snapshot_compared_in_steps_gives_the_same_tables_and_builds_only_the_sample():
    from tracetui.analysis.compare.snapshot import TraceSnapshot
    from tracetui.analysis.compare.steps import run

    store = TraceStore()
    assert load_paths([str(SAMPLES / "incident.json")], store) == []
    traces = list(store)
    for selection, baseline, scope in [(Selection.slowest(10), None, None), (Selection.errors(), None, None),
                                       (Selection.matching("host.name=inventory-7d9f-2"), "duration<300ms", None),
                                       (Selection.slowest(20), None, ("inventory", "SELECT stock"))]:
        expected = Comparer(traces, sample=40).compare(selection, baseline, scope).to_json()
        snapshot = TraceSnapshot.of(traces)
        comparer = Comparer(snapshot, sample=40)
        steps = comparer.compare_steps(selection, baseline, scope)
        assert run(steps).to_json() == expected
        assert sum(f is not None for f in comparer.facts) <= 80  # the two samples' facts only
        assert snapshot.built == 0  # each trace built for its facts (or a query) was let go


def test_the_pairs_a_comparison_keeps_per_trace_drop_out_of_the_collectors_walks():
    # Each full collection walks every tracked object: a comparison at 1M spans keeps ~20k
    # pair sets, and walking them stalled the screen between two slices of its work.
    import gc

    store = TraceStore()
    assert load_paths([str(SAMPLES / "incident.json")], store) == []
    comparer = Comparer(list(store))
    comparer.compare(Selection.slowest(10), scope_op=None)
    kept = [f.pairs for f in comparer.facts if f is not None and f.pairs]
    assert kept
    gc.collect()
    assert not any(gc.is_tracked(p) for p in kept)
    assert not any(gc.is_tracked(p) for p in comparer.cache.raw.values())
