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
