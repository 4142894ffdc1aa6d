"""CRISP: the critical path of many traces of one root operation, by call path and percentile."""

from __future__ import annotations

import pytest
from builders import span, trace
from incident import AFTER, ROOT, SLOW_OPERATION, load

from tracetui.analysis.call_paths import CallPaths
from tracetui.analysis.crisp import (
    WindowError,
    crisp,
    diff,
    mean_cp,
    parse_window,
    percentile_ns,
    root_operations,
    window_slice,
)

MS = 1_000_000


def request(tid: str, db_ms: int, root: str = "GET /") -> object:
    """front `root` 0..(5 + db) ms ── db `query` 2..(2 + db) ms: the db call is on the path."""
    end = (5 + db_ms) * MS
    return trace(span("r", "", 0, end, service="front", name=root, trace_id=tid),
                 span("q", "r", 2 * MS, (2 + db_ms) * MS, service="db", name="query", trace_id=tid))


def test_a_window_holds_the_traces_ranked_in_its_percentiles():
    assert window_slice(10, (0, 50)) == slice(0, 5)
    assert window_slice(10, (0, 100)) == slice(0, 10)
    assert window_slice(20, (95, 100)) == slice(19, 20)
    assert window_slice(10, (95, 100)) == slice(9, 10)  # at least one trace
    assert window_slice(3, (0, 1)) == slice(0, 1)
    assert window_slice(0, (0, 50)) == slice(0, 0)


@pytest.mark.parametrize("text, expected", [("0-50", (0, 50)), ("P95-100", (95, 100)), ("p0–99", (0, 99)),
                                            (" 12.5 - 87.5 ", (12.5, 87.5))])
def test_windows_are_read_as_percent_ranges(text, expected):
    assert parse_window(text) == expected


@pytest.mark.parametrize("text", ["50", "50-0", "0-101", "a-b", "", "10-10"])
def test_a_bad_window_is_one_line_naming_it(text):
    with pytest.raises(WindowError) as e:
        parse_window(text)
    assert "\n" not in str(e.value) and repr(text) in str(e.value)


def test_the_mean_per_trace_counts_a_trace_without_the_path_as_zero():
    paths = CallPaths()
    fast = [request(f"t{k}", db_ms) for k, db_ms in enumerate([1, 2, 3])]
    no_db = trace(span("r", "", 0, 4 * MS, service="front", name="GET /", trace_id="t9"))
    c = crisp([*fast, no_db], paths=paths)
    db = paths.find(("front: GET /", "db: query"))
    root = paths.find(("front: GET /",))
    # on the path: the db call whole; the root before (2 ms), after the call (3 ms)
    mean = c.mean((0, 100))
    assert mean[db] == pytest.approx((1 + 2 + 3 + 0) * MS / 4)
    assert mean[root] == pytest.approx((5 + 5 + 5 + 4) * MS / 4)
    # the fastest half: the db-less trace (4 ms) and the 1 ms call (6 ms)
    assert c.mean((0, 50))[db] == pytest.approx(1 * MS / 2)


def test_the_root_operation_is_the_most_frequent_unless_named():
    traces = [request("a", 1), request("b", 2), request("c", 50, root="POST /pay")]
    assert root_operations(traces) == [("front: GET /", 2), ("front: POST /pay", 1)]
    assert crisp(traces).root == "front: GET /"
    assert [p.trace_id for p in crisp(traces).profiles] == ["a", "b"]
    only = crisp(traces, root="front: POST /pay")
    assert [p.trace_id for p in only.profiles] == ["c"]
    assert crisp(traces, root="nope: x") is None


def test_the_tail_diff_puts_the_operation_that_grew_on_top():
    traces = [request(f"t{k:02}", 1 if k < 16 else 40) for k in range(20)]  # 4 slow calls of 20
    c = crisp(traces)
    top = diff(c.mean((0, 50)), c.mean((95, 100)))[0]
    assert c.paths.frames(top.path) == ("front: GET /", "db: query")
    assert top.a_ns == pytest.approx(1 * MS) and top.b_ns == pytest.approx(40 * MS)


def test_top_paths_at_a_percentile_use_the_nearest_rank_over_every_trace():
    assert percentile_ns([10, 20, 30], missing=1, pct=50) == 10  # 0 10 | 20 30
    assert percentile_ns([10, 20, 30], missing=1, pct=25) == 0
    assert percentile_ns([10, 20, 30], missing=1, pct=99) == 30
    traces = [request(f"t{k:02}", 1 if k < 19 else 90) for k in range(20)]
    c = crisp(traces)
    (root50, _), (db50, _) = c.top(50)
    assert c.paths.frames(root50) == ("front: GET /",)  # at P50 the root's own 5 ms lead
    db99, ns = c.top(99)[0]
    assert c.paths.frames(db99)[-1] == "db: query" and ns == 90 * MS


def test_incident_the_tail_against_the_body_puts_the_slow_replicas_query_on_top():
    c = crisp(load(AFTER))
    assert c.root == ROOT and len(c.profiles) == 80
    deltas = diff(c.mean((0, 50)), c.mean((95, 100)))
    assert c.paths.frames(deltas[0].path)[-1] == SLOW_OPERATION
    assert deltas[0].b_ns > 5 * deltas[0].a_ns
    # and it is the top path at P95 and P99 (a quarter of the requests meet the slow replica)
    for pct in (95, 99):
        assert c.paths.frames(c.top(pct)[0][0])[-1] == SLOW_OPERATION


def test_a_deep_chain_costs_one_path_per_span():
    n = 100_000
    spans = [span(f"s{i}", f"s{i - 1}" if i else "", i, 2 * n - i, service="svc", name="op", trace_id="deep")
             for i in range(n)]
    paths = CallPaths()
    c = crisp([trace(*spans)], paths=paths)
    assert len(paths) == n
    assert sum(mean_cp(c.profiles).values()) == 2 * n  # the whole trace is on the path
