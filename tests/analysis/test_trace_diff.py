"""The diff of two traces: the union tree keyed by call path, sorted by the change in critical path."""

from __future__ import annotations

from builders import span, trace
from incident import AFTER, SLOW_OPERATION, load

from tracetui.analysis.trace_diff import diff_traces
from tracetui.render.trace_diff import diff_json

MS = 1_000_000


def page(tid: str, db_ms: int, cache: bool = False, extra_call: bool = False):
    """front GET / 0..(10 + db) ── api list 1..(9 + db) ── db select 2..(2 + db) [── cache get]"""
    spans = [
        span("r", "", 0, (10 + db_ms) * MS, service="front", name="GET /", trace_id=tid),
        span("a", "r", 1 * MS, (9 + db_ms) * MS, service="api", name="list", trace_id=tid),
        span("d", "a", 2 * MS, (2 + db_ms) * MS, service="db", name="select", trace_id=tid),
    ]
    if cache:
        spans.append(span("c", "a", (3 + db_ms) * MS, (4 + db_ms) * MS, service="cache", name="get", trace_id=tid))
    if extra_call:
        spans.append(span("x", "a", (4 + db_ms) * MS, (5 + db_ms) * MS, service="db", name="select", trace_id=tid))
    return trace(*spans)


def test_nodes_carry_count_duration_and_critical_path_in_both_traces():
    a, b = page("A", 5, cache=True), page("B", 50, extra_call=True)
    d = diff_traces(a, b)
    nodes = {d.frames(n): n for n in d.nodes}
    select = nodes[("front: GET /", "api: list", "db: select")]
    assert (select.count_a, select.count_b) == (1, 2)  # the second select is the same call path
    assert (select.duration_a_ns, select.duration_b_ns) == (5 * MS, 51 * MS)
    assert (select.cp_a_ns, select.cp_b_ns) == (5 * MS, 51 * MS)
    cache = nodes[("front: GET /", "api: list", "cache: get")]
    assert cache.only_in == "A" and cache.count_b == 0 and cache.cp_a_ns == 1 * MS
    assert select.only_in == ""


def test_json_nodes_are_sorted_by_the_change_in_critical_path_time():
    doc = diff_json(diff_traces(page("A", 5), page("B", 50)))
    assert doc["nodes"][0] == {
        "path": ["front: GET /", "api: list", "db: select"], "count_a": 1, "count_b": 1,
        "duration_a_ns": 5 * MS, "duration_b_ns": 50 * MS, "cp_a_ns": 5 * MS, "cp_b_ns": 50 * MS,
    }
    changes = [abs(n["cp_b_ns"] - n["cp_a_ns"]) for n in doc["nodes"]]
    assert changes == sorted(changes, reverse=True) and len(changes) == 3


def test_unchanged_subtrees_are_marked_to_fold_and_children_sort_by_change():
    a = trace(span("r", "", 0, 100 * MS, service="f", name="root", trace_id="A"),
              span("s", "r", 0, 10 * MS, service="same", name="op", trace_id="A"),
              span("s1", "s", 1 * MS, 9 * MS, service="same", name="inner", trace_id="A"),
              span("g", "r", 10 * MS, 20 * MS, service="grow", name="op", trace_id="A"))
    b = trace(span("r", "", 0, 100 * MS, service="f", name="root", trace_id="B"),
              span("s", "r", 0, 10 * MS, service="same", name="op", trace_id="B"),
              span("s1", "s", 1 * MS, 9 * MS, service="same", name="inner", trace_id="B"),
              span("g", "r", 10 * MS, 90 * MS, service="grow", name="op", trace_id="B"))
    d = diff_traces(a, b)
    (root,) = [d.nodes[k] for k in d.top]
    first, second = (d.nodes[k] for k in root.children)
    assert first.frame == "grow: op" and first.changed
    assert second.frame == "same: op" and not second.changed
    assert root.changed


def test_incident_a_slow_trace_against_a_fast_one_puts_the_slow_replicas_query_on_top():
    traces = sorted(load(AFTER), key=lambda t: t.duration_ns)
    doc = diff_json(diff_traces(traces[0], traces[-1]))
    top = doc["nodes"][0]
    assert top["path"][-1] == SLOW_OPERATION
    assert top["cp_b_ns"] > 5 * top["cp_a_ns"]


def test_a_deep_chain_diffs_without_recursion():
    n = 20_000
    chain = [span(f"s{i}", f"s{i - 1}" if i else "", i, 2 * n - i, service="svc", name="op", trace_id="deep")
             for i in range(n)]
    d = diff_traces(trace(*chain), trace(*chain))
    assert len(d.nodes) == n and len(d.preorder()) == n
    assert not any(node.changed for node in d.nodes)
