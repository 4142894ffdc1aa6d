"""The service map: edges counted from parent → child service changes, figures per edge."""

from __future__ import annotations

import json
from collections import Counter

from builders import span, trace
from conftest import SAMPLES
from loading import load_files

from tracetui.analysis.service_map import percentile, service_map
from tracetui.model.span import KIND_CLIENT, KIND_CONSUMER, KIND_PRODUCER, KIND_SERVER, STATUS_ERROR

MS = 1_000_000


def _raw_calls(path) -> tuple[Counter, Counter]:
    """Calls and errors counted straight from the OTLP JSON, without tracetui's loaders or tree:
    every span whose parent (same trace) is in another service is one call of parent → child."""
    doc = json.loads(path.read_text())
    spans = {}
    for rs in doc["resourceSpans"]:
        service = next(a["value"]["stringValue"] for a in rs["resource"]["attributes"] if a["key"] == "service.name")
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                spans[(s["traceId"], s["spanId"])] = (service, s)
    calls, errors = Counter(), Counter()
    for (tid, _), (service, s) in spans.items():
        parent = spans.get((tid, s.get("parentSpanId", "")))
        if parent is None or parent[0] == service:
            continue
        key = (parent[0], service)
        calls[key] += 1
        failed = s.get("status", {}).get("code") == 2 or (
            parent[1].get("kind") == 3 and parent[1].get("status", {}).get("code") == 2)
        errors[key] += failed
    return calls, errors


def test_the_map_of_the_sample_shop_matches_its_calls():
    store, problems = load_files(SAMPLES / "shop.json")
    assert not problems
    smap = service_map(store)
    got = {(e.caller, e.callee): (e.calls, e.errors) for e in smap.edges}
    # By hand, from sample_traces/README.md: two checkouts and two other pages from the frontend;
    # three stock checks per checkout; the retried charge (503, then OK) and the timed-out one;
    # one consumer of `send orders` in the checkout's trace; the fire-and-forget analytics event.
    assert got == {
        ("frontend", "catalog"): (2, 0),          # GET / and GET /products/{sku}
        ("frontend", "recommendations"): (1, 0),  # GET /
        ("frontend", "checkout"): (2, 1),         # both checkouts; the error trace's 502
        ("checkout", "inventory"): (6, 0),        # 3 parallel stock checks × 2 checkouts
        ("checkout", "payments"): (3, 2),         # 503 + retry, and the timeout
        ("checkout", "notifications"): (1, 0),    # send orders → process orders (producer → consumer)
        ("checkout", "analytics"): (1, 0),        # POST /api/events, fire and forget
    }
    calls, errors = _raw_calls(SAMPLES / "shop.json")  # and the same counted from the raw spans
    assert {k: (calls[k], errors[k]) for k in calls} == got
    # shipping consumes in a trace of its own (a link, not a parent): on the map, but no edge
    assert "shipping" in smap.services and not any("shipping" in e.key for e in smap.edges)


def test_latency_is_the_callers_wait_for_a_client_and_the_callees_span_otherwise():
    t = trace(
        span("r", "", 0, 100 * MS, service="web", kind=KIND_SERVER),
        span("c", "r", 10 * MS, 50 * MS, service="web", kind=KIND_CLIENT),          # waits 40 ms
        span("s", "c", 15 * MS, 45 * MS, service="api", kind=KIND_SERVER),         # works 30 ms
        span("p", "r", 60 * MS, 61 * MS, service="web", kind=KIND_PRODUCER),
        span("q", "p", 200 * MS, 230 * MS, service="worker", kind=KIND_CONSUMER),  # 30 ms, later
        span("x", "s", 20 * MS, 27 * MS, service="db"),                           # no kinds: 7 ms
    )
    e = {(e.caller, e.callee): e for e in service_map([t]).edges}
    assert e["web", "api"].p50_ns == 40 * MS
    assert e["web", "worker"].p50_ns == 30 * MS
    assert e["api", "db"].p50_ns == 7 * MS


def test_errors_count_a_failed_callee_or_a_failed_client_span():
    t = trace(
        span("r", "", 0, 100 * MS, service="web"),
        span("c1", "r", 0, 10 * MS, service="web", kind=KIND_CLIENT, status=STATUS_ERROR),
        span("s1", "c1", 1 * MS, 9 * MS, service="api", kind=KIND_SERVER),  # client saw a failure
        span("c2", "r", 10 * MS, 20 * MS, service="web", kind=KIND_CLIENT),
        span("s2", "c2", 11 * MS, 19 * MS, service="api", kind=KIND_SERVER, status=STATUS_ERROR),
        span("c3", "r", 20 * MS, 30 * MS, service="web", kind=KIND_CLIENT),
        span("s3", "c3", 21 * MS, 29 * MS, service="api", kind=KIND_SERVER),
    )
    (e,) = service_map([t]).edges
    assert (e.calls, e.errors) == (3, 2)
    assert round(e.error_rate, 3) == 0.667


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50 and percentile(values, 0.99) == 99
    assert percentile([7], 0.99) == 7 and percentile([], 0.5) == 0
    t = trace(span("r", "", 0, 1000 * MS, service="a"),
              *[span(f"c{i}", "r", 0, (i + 1) * MS, service="b") for i in range(10)])
    (e,) = service_map([t]).edges
    assert (e.p50_ns, e.p99_ns) == (5 * MS, 10 * MS)


def test_critical_share_is_the_time_on_the_path_under_the_call():
    # web 0..100 waits on api 10..90 (api's whole span is on the path: 80 of 100 ms);
    # api waits on db 20..40 (20 ms: inside the api edge's 80 too)
    t = trace(
        span("r", "", 0, 100 * MS, service="web"),
        span("s", "r", 10 * MS, 90 * MS, service="api"),
        span("d", "s", 20 * MS, 40 * MS, service="db"),
    )
    e = {(e.caller, e.callee): e for e in service_map([t]).edges}
    assert round(e["web", "api"].critical_share, 3) == 0.8
    assert round(e["api", "db"].critical_share, 3) == 0.2


def test_an_orphan_makes_no_edge_and_same_service_children_none_either():
    t = trace(
        span("r", "", 0, 10, service="a"),
        span("i", "r", 1, 9, service="a"),             # internal, same service
        span("o", "missing", 2, 3, service="b"),      # orphan: caller unknown
    )
    assert service_map([t]).edges == []


def test_focus_keeps_the_paths_through_one_service():
    # a → b → c and a → d → e; focus on b: a → b upstream, b → c downstream; d's branch goes
    t = trace(
        span("r", "", 0, 100, service="a"),
        span("b", "r", 1, 50, service="b"),
        span("c", "b", 2, 40, service="c"),
        span("d", "r", 51, 99, service="d"),
        span("e", "d", 52, 98, service="e"),
    )
    smap = service_map([t], focus="b")
    assert [e.key for e in smap.edges] == [("a", "b"), ("b", "c")]
    assert smap.services == ["a", "b", "c"]
    assert [e.key for e in service_map([t], focus="e").edges] == [("a", "d"), ("d", "e")]


def test_the_traces_of_an_edge_are_those_that_contain_the_call():
    t1 = trace(span("r", "", 0, 10, service="a", trace_id="t1"), span("x", "r", 1, 2, service="b", trace_id="t1"))
    t2 = trace(span("r", "", 0, 10, service="a", trace_id="t2"), span("x", "r", 1, 2, service="c", trace_id="t2"))
    e = {(e.caller, e.callee): e for e in service_map([t1, t2]).edges}
    assert e["a", "b"].trace_ids == {"t1"} and e["a", "c"].trace_ids == {"t2"}


def test_a_100k_deep_chain_of_service_changes_is_walked_without_recursion():
    n = 100_000
    spans = [span("s0", "", 0, 2 * n, service="a")]
    spans += [span(f"s{i}", f"s{i - 1}", i, 2 * n - i, service="ab"[i % 2]) for i in range(1, n)]
    smap = service_map([trace(*spans)])
    assert {e.key: e.calls for e in smap.edges} == {("a", "b"): n // 2, ("b", "a"): n // 2 - 1}
