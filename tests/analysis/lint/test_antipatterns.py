"""N+1 queries, sequential calls that could run side by side, retries: found, counted and costed."""

from __future__ import annotations

from builders import span

from tracetui.analysis.lint import lint
from tracetui.model import TraceStore
from tracetui.model.span import KIND_CLIENT, KIND_INTERNAL, KIND_SERVER, STATUS_ERROR

MS = 1_000_000


def found(*spans, kind):
    st = TraceStore()
    st.add(spans)
    return [f for f in lint(st).findings() if f.kind == kind]


def query(sid, start, end, text, parent="root", **kw):
    return span(sid, parent, start * MS, end * MS, service="orders", name="SELECT items", kind=KIND_CLIENT,
                raw_attributes={"db.query.text": text, "db.operation.name": text.split()[0]}, **kw)


def get(sid, start, end, name, method="GET", parent="root", **kw):
    return span(sid, parent, start * MS, end * MS, service="front", name=name, kind=KIND_CLIENT,
                raw_attributes={"http.request.method": method, "url.full": f"http://api:80{name}"}, **kw)


def root(end=100, service="orders"):
    return span("root", "", 0, end * MS, service=service, name="GET /orders", kind=KIND_SERVER)


def test_six_queries_that_differ_only_by_a_literal_are_an_n_plus_one_costing_their_path_time():
    spans = [root(70)] + [query(f"q{i}", 10 * i, 10 * i + 8, f"SELECT * FROM items WHERE order_id = {i}")
                          for i in range(6)]
    (f,) = found(*spans, kind="n_plus_one")
    assert f.count == 6 and f.subject["statement"] == "SELECT * FROM items WHERE order_id = ?"
    assert f.subject["parent"] == "GET /orders" and [s for _, s in f.spans] == [f"q{i}" for i in range(6)]
    # One after another and nothing else below the root: all 6 × 8 ms are on the critical path.
    assert f.cost_ns == 48 * MS and "48.0 ms on the critical path" in f.message


def test_four_repeats_or_different_statements_are_not_an_n_plus_one():
    four = [root()] + [query(f"q{i}", 10 * i, 10 * i + 5, f"SELECT * FROM items WHERE id = {i}") for i in range(4)]
    assert not found(*four, kind="n_plus_one")
    mixed = [root()] + [query(f"q{i}", 10 * i, 10 * i + 5, f"SELECT * FROM t{'abcdef'[i]} WHERE id = 1")
                        for i in range(6)]
    assert not found(*mixed, kind="n_plus_one")


def test_two_reads_back_to_back_could_run_side_by_side():
    (f,) = found(root(100, "front"), get("a", 0, 30, "/api/products"), get("b", 30.5, 60, "/api/recommendations"),
                 kind="sequential_calls")
    assert f.subject == {"service": "front", "parent": "GET /orders", "calls": "/api/products, /api/recommendations"}
    # Both are on the critical path (30 and 29.5 ms); side by side the path would keep the longer.
    assert f.cost_ns == 29_500_000 and "29.5 ms" in f.message


def test_calls_that_may_depend_on_each_other_are_not_sequential_findings():
    base = (root(100, "front"), get("a", 0, 30, "/api/cart"))
    # A write after a read may use what was read.
    assert not found(*base, get("b", 30.5, 60, "/api/orders", method="POST"), kind="sequential_calls")
    # Work between them (the parent's own span) may be reading the first answer.
    assert not found(*base, span("w", "root", 30 * MS + 100, 31 * MS, service="front", kind=KIND_INTERNAL),
                     get("b", 31.2, 60, "/api/recommendations"), kind="sequential_calls")
    # A long pause between them.
    assert not found(*base, get("b", 40, 60, "/api/recommendations"), kind="sequential_calls")
    # After a failed call: a fallback.
    assert not found(root(100, "front"), get("a", 0, 30, "/api/cart", status=STATUS_ERROR),
                     get("b", 30.5, 60, "/api/recommendations"), kind="sequential_calls")
    # The same call again: pagination.
    assert not found(*base, get("b", 30.5, 60, "/api/cart"), kind="sequential_calls")
    # Too little to save: under a tenth of the parent.
    assert not found(root(100, "front"), get("a", 0, 50, "/api/cart"), get("b", 50.5, 55, "/api/x"),
                     kind="sequential_calls")


def test_a_fan_out_after_a_call_is_not_sequential():
    # The stock checks overlap each other: the parent already runs what it can side by side.
    assert not found(root(100, "front"), get("cart", 0, 20, "/api/cart"),
                     get("s1", 20.5, 50, "/api/stock/1"), get("s2", 20.6, 52, "/api/stock/2"),
                     kind="sequential_calls")


def test_a_call_made_again_after_it_failed_is_a_retry_costing_the_time_until_the_retry():
    (f,) = found(root(100, "front"), get("a", 0, 10, "/api/charges", method="POST", status=STATUS_ERROR),
                 get("b", 15, 25, "/api/charges", method="POST"), kind="retry")
    assert f.count == 1 and f.spans == [("t1", "b")]
    # From the failed attempt's start to the retry's: 10 ms in it, 5 ms of backoff in the parent.
    assert f.cost_ns == 15 * MS


def test_an_http_error_answer_counts_as_a_failure_and_resend_count_marks_a_retry():
    failed = span("a", "root", 0, 10 * MS, service="front", name="/x", kind=KIND_CLIENT,
                  raw_attributes={"http.request.method": "GET", "url.full": "http://api:80/x",
                                  "http.response.status_code": 503})
    (f,) = found(root(100, "front"), failed, get("b", 12, 20, "/x"), kind="retry")
    assert f.spans == [("t1", "b")]
    marked = span("m", "root", 0, 10 * MS, service="front", name="GET /y", kind=KIND_CLIENT,
                  raw_attributes={"http.request.method": "GET", "http.request.resend_count": 2})
    (g,) = found(root(100, "front"), marked, kind="retry")
    assert g.spans == [("t1", "m")]


def test_two_successful_calls_are_not_retries():
    assert not found(root(100, "front"), get("a", 0, 10, "/x"), get("b", 15, 25, "/x"), kind="retry")


def test_calls_running_beside_a_long_earlier_call_are_not_sequential():
    # A long call runs the whole time; many short reads follow each other beside it: the parent
    # already runs calls side by side, however far back in its list the long one started.
    reads = [get(f"r{i}", 1 + 5 * i, 5 + 5 * i, f"/api/item{'abcdefghijkl'[i]}") for i in range(12)]
    assert not found(root(100, "front"), get("long", 0, 90, "/api/export"), *reads, kind="sequential_calls")
    # Without it, the same reads are one run.
    assert found(root(100, "front"), *reads, kind="sequential_calls")
