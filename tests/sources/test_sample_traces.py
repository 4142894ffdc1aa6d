"""The bundled sample traces show what sample_traces/README.md says they show."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, SAMPLES

from tracetui.model import TraceStore
from tracetui.model.span import KIND_CLIENT, KIND_CONSUMER, KIND_PRODUCER, KIND_SERVER, Span
from tracetui.model.trace import NO_PARENT, Trace
from tracetui.sources.files import load_paths

CHECKOUT = "4bf92f3577b34da6a3ce929d0e0e4736"


def load(*paths) -> TraceStore:
    store = TraceStore()
    problems = load_paths([str(p) for p in paths], store)
    assert problems == []
    return store


@pytest.fixture(scope="module")
def store() -> TraceStore:
    return load(SAMPLES / "shop.json")


def parent_of(t: Trace, i: int) -> Span | None:
    p = t.parent[i]
    return None if p == NO_PARENT else t.spans[p]


def test_json_and_json_lines_hold_the_same_spans(store):
    lines = load(SAMPLES / "shop.jsonl")
    assert (SAMPLES / "shop.jsonl").read_bytes().count(b"\n") == 4  # one request per user request
    ids = {(s.trace_id, s.span_id) for t in store for s in t.spans}
    assert ids == {(s.trace_id, s.span_id) for t in lines for s in t.spans}
    assert store.span_count == lines.span_count == len(ids)


def test_several_traces_and_services_all_connected(store):
    assert len(store) == 5
    services = {s for t in store for s in t.services}
    assert {"frontend", "checkout", "payments", "inventory", "catalog", "shipping"} <= services
    for t in store:
        assert t.orphans == [], t.trace_id  # propagation worked: every parent is in its trace
        assert len(t.roots) == 1


def test_context_crossed_services_over_http(store):
    """Every server span below a root is the child of a client span of another service."""
    crossings = 0
    for t in store:
        for i, s in enumerate(t.spans):
            p = parent_of(t, i)
            if s.kind == KIND_SERVER and p is not None:
                assert p.kind == KIND_CLIENT and p.service != s.service
                crossings += 1
    assert crossings >= 10


def test_fan_out_has_overlapping_children(store):
    t = store.get(CHECKOUT)
    (pos,) = [i for i, s in enumerate(t.spans) if s.kind == KIND_SERVER and s.name == "POST /api/checkout"]
    stock = [t.spans[c] for c in t.children[pos] if t.spans[c].name == "GET /api/stock/{sku}"]
    assert len(stock) == 3
    first_end = min(s.end_ns for s in stock)
    assert all(s.start_ns < first_end for s in stock)  # all three run at once


def test_retry_after_a_failed_attempt(store):
    t = store.get(CHECKOUT)
    (pos,) = [i for i, s in enumerate(t.spans) if s.name == "charge payment"]
    attempts = [t.spans[c] for c in t.children[pos]]
    assert [a.name for a in attempts] == ["POST /api/charges"] * 2
    first, second = attempts
    assert first.is_error and first.attributes["http.response.status_code"] == 503
    assert not second.is_error and second.attributes["http.request.resend_count"] == 1
    assert second.start_ns >= first.end_ns
    assert [e.name for e in t.spans[pos].events] == ["retrying after 503"]


def test_error_trace_has_an_exception_event_and_a_failed_root(store):
    failed = [t for t in store if t.root.is_error]
    assert len(failed) == 1
    t = failed[0]
    assert t.root.name == "POST /checkout" and t.root.attributes["http.response.status_code"] == 502
    with_exception = [s for s in t.spans if any(e.name == "exception" for e in s.events)]
    assert {s.service for s in with_exception} == {"payments"}
    for s in with_exception:
        assert s.is_error
        (ev,) = [e for e in s.events if e.name == "exception"]
        assert ev.attributes["exception.type"] == "TimeoutError"
        assert "Traceback" in ev.attributes["exception.stacktrace"]


def test_consumer_in_another_trace_is_linked_to_the_producer(store):
    producers = {(s.trace_id, s.span_id): s for t in store for s in t.spans if s.kind == KIND_PRODUCER}
    linked = [s for t in store for s in t.spans if s.kind == KIND_CONSUMER and s.links]
    assert len(linked) == 1
    (consumer,) = linked
    (link,) = consumer.links
    assert (link.trace_id, link.span_id) in producers
    assert consumer.trace_id != link.trace_id and consumer.parent_id == ""
    assert consumer.attributes["messaging.destination.name"] == "orders"


def test_consumer_child_of_producer_runs_after_it(store):
    t = store.get(CHECKOUT)
    pairs = [(parent_of(t, i), s) for i, s in enumerate(t.spans) if s.kind == KIND_CONSUMER]
    assert len(pairs) == 1
    producer, consumer = pairs[0]
    assert producer.kind == KIND_PRODUCER
    assert consumer.start_ns >= producer.end_ns


def test_fire_and_forget_call_outlives_its_parent_and_the_request(store):
    t = store.get(CHECKOUT)
    (i,) = [i for i, s in enumerate(t.spans) if s.kind == KIND_CLIENT and s.name == "POST /api/events"]
    call = t.spans[i]
    assert call.end_ns > parent_of(t, i).end_ns
    assert call.end_ns > t.root.end_ns
    assert t.end_ns > t.root.end_ns  # the trace lasts longer than the request it answers


def test_generator_reproduces_the_same_traces(tmp_path):
    """Regenerating gives the same shape: same trace ids (seeded), roots and span counts."""
    run = subprocess.run([sys.executable, str(SAMPLES / "generate.py"), "--out", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    fresh, bundled = load(tmp_path / "shop.json"), load(SAMPLES / "shop.json")

    def shape(st: TraceStore) -> list[tuple]:
        return [(t.trace_id, t.root.service, t.root.name, len(t.spans), t.error_count) for t in st.sorted_by_start()]

    assert shape(fresh) == shape(bundled)
    assert load(tmp_path / "shop.jsonl").span_count == fresh.span_count
    # Every scenario of one run writes spans, and as many traces as the bundled file has (the
    # scenarios share one exporter; one shutting it down once left the later files empty).
    for bundled_file in sorted(SAMPLES.glob("*.json*")):
        made = load(tmp_path / bundled_file.name)
        assert made.span_count > 0 and len(made) == len(load(bundled_file)), bundled_file.name
