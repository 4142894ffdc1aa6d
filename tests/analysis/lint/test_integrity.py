"""Duplicate span ids and parent cycles."""

from __future__ import annotations

from builders import span

from tracetui.analysis.lint import lint
from tracetui.model import TraceStore

MS = 1_000_000


def findings(*spans):
    st = TraceStore()
    st.add(spans)
    return {f.kind: f for f in lint(st).findings()}


def test_two_different_spans_with_one_id_are_duplicates():
    found = findings(
        span("root", "", 0, 100 * MS),
        span("a", "root", 10 * MS, 20 * MS, name="first"),
        span("a", "root", 30 * MS, 40 * MS, name="second"),
    )
    f = found["duplicate_span_id"]
    assert f.count == 2 and f.spans == [("t1", "a")]


def test_a_zipkin_shared_server_span_is_not_a_duplicate_of_its_client():
    found = findings(
        span("root", "", 0, 100 * MS, service="front"),
        span("a", "root", 10 * MS, 50 * MS, service="front", name="call"),
        span("a", "a", 12 * MS, 48 * MS, service="back", name="serve"),  # shared: parent is its own id
    )
    assert "duplicate_span_id" not in found


def test_a_parent_cycle_is_found_and_not_called_orphans():
    found = findings(
        span("root", "", 0, 100 * MS),
        span("x", "y", 10 * MS, 20 * MS),
        span("y", "x", 11 * MS, 19 * MS),
    )
    f = found["parent_cycle"]
    assert f.count == 1 and f.message.startswith("1 parent cycle (2 spans)")
    assert f.spans[0][1] in ("x", "y")
    assert "orphan_spans" not in found


def test_a_span_that_is_its_own_parent_is_a_cycle():
    found = findings(span("root", "", 0, 100 * MS), span("me", "me", 10 * MS, 20 * MS, service="other"))
    assert found["parent_cycle"].spans == [("t1", "me")]
    assert "orphan_spans" not in found


def test_a_callee_starting_before_its_caller_is_clock_skew_between_the_two_services():
    from tracetui.model.span import KIND_CLIENT, KIND_SERVER

    spans = []
    for t, early in (("t1", 30), ("t2", 34)):  # the server's clock about 30-34 ms behind
        spans += [
            span("root", "", 0, 100 * MS, service="front", kind=KIND_SERVER, trace_id=t),
            span("call", "root", 10 * MS, 60 * MS, service="front", kind=KIND_CLIENT, trace_id=t),
            span("srv", "call", (20 - early) * MS, (50 - early) * MS, service="stock", kind=KIND_SERVER, trace_id=t),
        ]
    st = TraceStore()
    st.add(spans)
    (f,) = [f for f in lint(st).findings() if f.kind == "clock_skew"]
    assert f.subject == {"service": "stock", "parent_service": "front"}
    assert f.count == 2 and f.trace_count == 2 and {s for _, s in f.spans} == {"srv"}
    # Centred in the call: 20 ms early + 10 ms of the latency difference split in two → 30 / 34 ms.
    assert "the clock of stock runs about 32.0 ms behind that of front" in f.message
