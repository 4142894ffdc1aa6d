"""Orphans grouped by the service whose spans are missing, calls without a server span, split traces."""

from __future__ import annotations

from builders import span

from tracetui.analysis.lint import lint
from tracetui.model import TraceStore
from tracetui.model.span import KIND_CLIENT, KIND_INTERNAL, KIND_SERVER

MS = 1_000_000


def store(*spans):
    st = TraceStore()
    st.add(spans)
    return st


def by_kind(report, kind):
    return [f for f in report.findings() if f.kind == kind]


def call(sid, parent, start, end, *, service, callee, path="/api/stock/1", trace_id="t1", **kw):
    attrs = {"peer.service": callee, "url.full": f"http://127.0.0.1:8081{path}", "http.request.method": "GET"}
    return span(sid, parent, start * MS, end * MS, service=service, kind=KIND_CLIENT, trace_id=trace_id,
                raw_attributes=attrs, name=f"GET {path}", **kw)


def shop_with_lost_inventory_server():
    """front's call to inventory has no server span; inventory's query under it is an orphan."""
    return store(
        span("root", "", 0, 100 * MS, service="front", kind=KIND_SERVER, name="GET /"),
        call("c1", "root", 10, 60, service="front", callee="inventory"),
        span("q1", "lost", 20 * MS, 40 * MS, service="inventory", kind=KIND_CLIENT, name="SELECT stock"),
    )


def test_an_orphan_inside_a_call_without_server_names_the_callee_as_missing():
    (f,) = by_kind(lint(shop_with_lost_inventory_server()), "orphan_spans")
    assert f.subject == {"missing_service": "inventory", "how": "callee"}
    assert f.spans == [("t1", "q1")] and f.count == 1
    assert "spans of inventory are missing" in f.message


def test_an_orphan_with_no_call_around_it_is_grouped_by_its_own_service():
    st = store(
        span("root", "", 0, 100 * MS, service="front", kind=KIND_SERVER),
        span("o1", "gone", 200 * MS, 210 * MS, service="billing", kind=KIND_INTERNAL),
        span("o2", "gone2", 220 * MS, 230 * MS, service="mailer", kind=KIND_SERVER),
    )
    found = {tuple(f.subject.values()): f for f in by_kind(lint(st), "orphan_spans")}
    assert set(found) == {("billing", "own"), ("mailer", "caller")}
    assert "called by a span that is not in the trace" in found[("mailer", "caller")].message


def test_a_call_without_a_server_span_to_an_instrumented_service_is_found():
    (f,) = by_kind(lint(shop_with_lost_inventory_server()), "missing_server_span")
    assert f.subject == {"service": "front", "callee": "inventory"}
    assert f.spans == [("t1", "c1")]


def test_calls_to_uninstrumented_callees_or_with_a_server_span_are_fine():
    st = store(
        span("root", "", 0, 100 * MS, service="front", kind=KIND_SERVER),
        call("bank", "root", 5, 20, service="front", callee="card-network"),  # a third party
        call("c1", "root", 30, 60, service="front", callee="inventory"),
        span("s1", "c1", 31 * MS, 59 * MS, service="inventory", kind=KIND_SERVER),
    )
    report = lint(st)
    assert not by_kind(report, "missing_server_span") and not by_kind(report, "orphan_spans")


def test_the_callee_is_told_by_the_address_its_server_spans_listen_on():
    # No peer.service: the call's url names 127.0.0.1:8081, where inventory's server spans answer.
    st = store(
        span("root", "", 0, 100 * MS, service="front", kind=KIND_SERVER),
        span("c1", "root", 10 * MS, 60 * MS, service="front", kind=KIND_CLIENT,
             raw_attributes={"url.full": "http://127.0.0.1:8081/api/stock/1"}),
        span("r2", "", 500 * MS, 600 * MS, service="inventory", kind=KIND_SERVER, trace_id="t2",
             raw_attributes={"server.address": "127.0.0.1", "server.port": 8081, "url.path": "/other"}),
    )
    (f,) = by_kind(lint(st), "missing_server_span")
    assert f.subject == {"service": "front", "callee": "inventory"}


def test_a_server_root_inside_a_call_of_another_trace_is_a_split_trace():
    st = store(
        span("root", "", 0, 100 * MS, service="front", kind=KIND_SERVER),
        call("c1", "root", 10, 60, service="front", callee="inventory", path="/api/stock/7"),
        span("s1", "", 12 * MS, 58 * MS, service="inventory", kind=KIND_SERVER, trace_id="t2",
             raw_attributes={"url.path": "/api/stock/7"}),
    )
    report = lint(st)
    (f,) = by_kind(report, "split_trace")
    assert f.subject == {"service": "front", "callee": "inventory"}
    assert f.count == 1 and f.trace_ids == ["t1", "t2"]
    assert set(f.spans) == {("t2", "s1"), ("t1", "c1")}
    assert not by_kind(report, "missing_server_span")  # the split explains the call
    assert report.per_trace() == {"t1": {"split_trace": 1}, "t2": {"split_trace": 1}}


def test_a_server_root_for_another_path_is_not_the_calls_other_half():
    st = store(
        span("root", "", 0, 100 * MS, service="front", kind=KIND_SERVER),
        call("c1", "root", 10, 60, service="front", callee="inventory", path="/api/stock/7"),
        span("s1", "", 12 * MS, 58 * MS, service="inventory", kind=KIND_SERVER, trace_id="t2",
             raw_attributes={"url.path": "/api/health"}),
    )
    report = lint(st)
    assert not by_kind(report, "split_trace")
    assert len(by_kind(report, "missing_server_span")) == 1


def test_findings_merge_over_traces_and_split_per_trace():
    spans = []
    for t in ("t1", "t2", "t3"):
        spans += [
            span("root", "", 0, 100 * MS, service="front", kind=KIND_SERVER, trace_id=t),
            call("c1", "root", 10, 60, service="front", callee="inventory", trace_id=t),
            span("q1", "lost", 20 * MS, 40 * MS, service="inventory", kind=KIND_CLIENT, trace_id=t),
            span("q2", "lost", 41 * MS, 45 * MS, service="inventory", kind=KIND_CLIENT, trace_id=t),
        ]
    report = lint(store(*spans))
    (f,) = by_kind(report, "orphan_spans")
    assert f.count == 6 and f.trace_count == 3 and f.message.startswith("6 spans in 3 traces")
    (one,) = [g for g in report.findings("t2") if g.kind == "orphan_spans"]
    assert one.count == 2 and one.trace_ids == ["t2"]
    assert report.per_trace()["t3"] == {"orphan_spans": 2, "missing_server_span": 1}
