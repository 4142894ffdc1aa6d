"""Call paths of one trace (analysis/flame.py): merged by (service, operation) chain, with
critical-path self time that adds up to the critical path."""

from __future__ import annotations

import pytest
from builders import checkout_trace, span, trace
from conftest import FIXTURES, SAMPLES

from tracetui.analysis import critical_path, self_times
from tracetui.analysis.flame import call_tree, cp_self_by_path, critical_path_ns
from tracetui.model import TraceStore
from tracetui.sources.files import load_paths

MS = 1_000_000


def loaded(*paths) -> list:
    store = TraceStore()
    load_paths([str(p) for p in paths], store)
    return list(store.traces.values())


ALL_TRACES = (loaded(SAMPLES / "shop.json")
              + loaded(*sorted((FIXTURES / "jaeger" / "critical-path").glob("case*.json"))))


def test_checkout_paths_and_their_critical_path_self_time():
    # front 0..100 ─┬─ cart 10..60 ── db 12..20 ; └─ pay 65..95 ── db 70..80
    # The path walks back from 100: front 95..100, pay 80..95, db(pay) 70..80, pay 65..70,
    # front 60..65, cart 20..60, db(cart) 12..20, cart 10..12, front 0..10.
    got = cp_self_by_path(checkout_trace())
    assert got == {
        ("front: GET /checkout",): 20 * MS,
        ("front: GET /checkout", "cart: add item"): 42 * MS,
        ("front: GET /checkout", "cart: add item", "db: SELECT cart"): 8 * MS,
        ("front: GET /checkout", "pay: charge"): 20 * MS,
        ("front: GET /checkout", "pay: charge", "db: INSERT payment"): 10 * MS,
    }
    assert list(got)[2] == ("front: GET /checkout", "cart: add item", "db: SELECT cart")  # pre-order


def test_spans_with_the_same_chain_merge_and_a_different_parent_keeps_them_apart():
    # Two calls r→a→db and one r→b→db: "a: a;db: db" holds two spans, "b: b;db: db" one.
    t = trace(span("r", "", 0, 100, service="r", name="r"),
              span("a1", "r", 0, 30, service="a", name="a"), span("d1", "a1", 0, 10, service="db", name="db"),
              span("a2", "r", 30, 60, service="a", name="a"), span("d2", "a2", 30, 50, service="db", name="db"),
              span("b", "r", 60, 100, service="b", name="b"), span("d3", "b", 60, 65, service="db", name="db"))
    ct = call_tree(t)
    paths = {ct.path(n): n for n in range(len(ct))}
    a_db = paths[("r: r", "a: a", "db: db")]
    assert ct.count[a_db] == 2 and ct.duration_ns[a_db] == 30
    assert ct.count[paths[("r: r", "b: b", "db: db")]] == 1
    assert ct.count[paths[("r: r", "a: a")]] == 2 and ct.self_ns[paths[("r: r", "a: a")]] == 30
    assert len(ct) == 5


@pytest.mark.parametrize("t", ALL_TRACES, ids=lambda t: t.trace_id[:8])
def test_widths_add_up_to_the_critical_path(t):
    sections = critical_path(t)
    assert sum(cp_self_by_path(t).values()) == critical_path_ns(sections) > 0


@pytest.mark.parametrize("t", ALL_TRACES, ids=lambda t: t.trace_id[:8])
def test_self_and_counts_add_up_to_the_spans(t):
    ct = call_tree(t)
    assert sum(ct.count) == len(t.spans)
    assert sum(ct.self_ns) == sum(self_times(t))
    assert sum(ct.duration_ns) == sum(s.duration_ns for s in t.spans)
    # inclusive critical path of a top = its own tree's share of the path
    cp_total = ct.totals(ct.cp_self_ns)
    assert sum(cp_total[n] for n in ct.tops) == critical_path_ns(critical_path(t))


def test_orphans_start_their_own_path():
    t = trace(span("r", "", 0, 10, service="s", name="root"), span("o", "lost", 2, 5, service="s", name="orphan"))
    assert set(call_tree(t).path(n) for n in range(2)) == {("s: root",), ("s: orphan",)}


def test_a_chain_100k_deep_is_walked_without_recursion():
    n = 100_000
    spans = [span("s0", "", 0, 2 * n, service="s", name="op")]
    spans += [span(f"s{i}", f"s{i - 1}", i, 2 * n - i, service="s", name="op") for i in range(1, n)]
    ct = call_tree(trace(*spans))
    assert len(ct) == n and max(ct.depth) == n - 1
    assert sum(ct.cp_self_ns) == 2 * n


def test_operations_count_recursion_once_and_name_callers_and_callees():
    # r 0..100 → a 10..90 → a 20..60 (recursion) → db 30..40 ; r → db 90..95
    t = trace(span("r", "", 0, 100, service="s", name="r"), span("a", "r", 10, 90, service="s", name="a"),
              span("a2", "a", 20, 60, service="s", name="a"), span("d", "a2", 30, 40, service="db", name="q"),
              span("d2", "r", 90, 95, service="db", name="q"))
    from tracetui.analysis import time_on_path
    from tracetui.analysis.flame import operations

    ops = operations(t, time_on_path(t), self_times(t))
    a, q = ops["s: a"], ops["db: q"]
    assert (a.count, a.total_ns, a.self_ns) == (2, 80, 40 + 30)
    assert a.callers == {"s: r": [1, 80], "s: a": [1, 40]}
    assert a.callees == {"s: a": [1, 40], "db: q": [1, 10]}
    assert q.callers == {"s: a": [1, 10], "s: r": [1, 5]} and q.total_ns == 15
    assert sum(o.cp_ns for o in ops.values()) == critical_path_ns(critical_path(t))
