"""service.name missing, ids in span names, oversized and renamed attributes."""

from __future__ import annotations

import msgspec
from builders import span

from tracetui.analysis.lint import lint
from tracetui.analysis.lint.attributes import MAX_VALUE_BYTES
from tracetui.analysis.lint.masking import mask_statement, name_template
from tracetui.model import Resource, Span, TraceStore

MS = 1_000_000


def findings(*spans):
    st = TraceStore()
    st.add(spans)
    return [f for f in lint(st).findings()]


def of(found, kind):
    return [f for f in found if f.kind == kind]


def test_spans_of_a_service_without_a_name_are_found():
    found = findings(span("a", "", 0, MS, service="unknown_service:python"), span("b", "a", 0, MS, service="shop"))
    (f,) = of(found, "unknown_service")
    assert f.subject == {"service": "unknown_service:python"} and f.spans == [("t1", "a")]
    assert "OTEL_SERVICE_NAME" in f.message


def test_span_names_with_ids_are_grouped_by_their_template():
    found = findings(
        span("a", "", 0, 10 * MS, name="GET /orders/12345"),
        span("b", "a", 1, 2, name="GET /orders/67890"),
        span("c", "a", 1, 2, name="load user 4f1c2a9e-9b7d-4c1e-8f00-1234567890ab"),
        span("d", "a", 1, 2, name="GET /api/v1/products/{sku}"),  # a template: fine
        span("e", "a", 1, 2, name="HTTP/1.1 GET 42"),  # versions and short numbers: fine
    )
    by_template = {f.subject["template"]: f for f in of(found, "high_cardinality_name")}
    assert set(by_template) == {"GET /orders/{id}", "load user {id}"}
    assert by_template["GET /orders/{id}"].count == 2
    assert "GET /orders/12345, GET /orders/67890" in by_template["GET /orders/{id}"].message


def test_name_templates_mask_ids_hashes_and_numbers_only():
    assert name_template("GET /users/1001/cart") == "GET /users/{id}/cart"
    assert name_template("fetch 9f86d081884c7d65") == "fetch {id}"
    assert name_template("send to ops@example.com") == "send to {id}"
    assert name_template("render home") is None
    assert name_template("oauth2 token v2") is None


def test_attribute_values_over_the_limit_are_oversized():
    found = findings(
        span("a", "", 0, MS, raw_attributes={"http.request.body": "x" * (MAX_VALUE_BYTES + 1), "ok": "y"}),
        span("b", "a", 0, MS, raw_attributes={"http.request.body": "x" * MAX_VALUE_BYTES}),
        span("c", "a", 0, MS, raw_attributes={"tags": ["é" * 1500, "é" * 1000]}),  # 5,000 bytes in all
    )
    got = {f.subject["attribute"]: f for f in of(found, "oversized_attribute")}
    assert set(got) == {"http.request.body", "tags"}
    assert got["http.request.body"].spans == [("t1", "a")]
    assert "largest 4,097 bytes" in got["http.request.body"].message


def test_oversized_values_are_found_in_undecoded_otlp_attributes():
    raw = msgspec.Raw(msgspec.json.encode([{"key": "db.query.text", "value": {"stringValue": "S" * 5000}}]))
    found = findings(span("a", "", 0, MS, raw_attributes=raw))
    (f,) = of(found, "oversized_attribute")
    assert f.subject["attribute"] == "db.query.text"


def test_renamed_keys_name_their_current_key_on_spans_and_resources():
    raw = msgspec.Raw(msgspec.json.encode([{"key": "db.statement", "value": {"stringValue": "SELECT 1"}}]))
    res = Resource("legacy", {"service.name": "legacy", "net.host.name": "h1"})
    found = findings(
        span("a", "", 0, MS, service="shop", raw_attributes={"http.method": "GET", "http.request.method": "GET"}),
        span("b", "a", 0, MS, service="shop", raw_attributes=raw),
        Span(trace_id="t1", span_id="c", parent_id="a", start_ns=0, end_ns=MS, resource=res),
    )
    got = {(f.subject["attribute"], f.subject["on"]): f for f in of(found, "renamed_attribute")}
    assert got[("http.method", "span")].subject["current"] == "http.request.method"
    assert got[("db.statement", "span")].subject["current"] == "db.query.text"
    assert got[("net.host.name", "resource")].subject["current"] == "server.address"
    assert "the resource of legacy" in got[("net.host.name", "resource")].message
    assert not any(f.subject["attribute"] == "http.request.method" for f in of(found, "renamed_attribute"))


def test_statements_are_masked_to_their_shape():
    assert mask_statement("SELECT * FROM t WHERE id = 42 AND name = 'bob'") == "SELECT * FROM t WHERE id = ? AND name = ?"
    assert mask_statement("SELECT a FROM t WHERE id IN (1, 2, 3)") == "SELECT a FROM t WHERE id IN (?)"
    assert mask_statement("SELECT a FROM t1 WHERE x = $1") == "SELECT a FROM t1 WHERE x = $1"
    assert mask_statement("GET product:sku-1003") == mask_statement("GET product:sku-1004")
    assert mask_statement("GET /api/stock/sku-1001") == "GET /api/stock/?"
