"""The OTLP/HTTP receiver, spoken to by the real OpenTelemetry Python SDK and by hand-made requests."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import orjson
import pytest
from google.rpc import status_pb2
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode
from receiver_helpers import LiveReceiver

PB = {"Content-Type": "application/x-protobuf"}
JS = {"Content-Type": "application/json"}


def sdk_spans(service: str = "checkout"):
    """Three real SDK spans: a server span with two children, one failed, with an event."""
    mem = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(mem))
    tracer = provider.get_tracer("shop.checkout", "1.2.3")
    with tracer.start_as_current_span("POST /checkout", attributes={"http.request.method": "POST"}):
        with tracer.start_as_current_span("reserve stock") as s:
            s.add_event("cache miss", {"key": "sku-42"})
        with tracer.start_as_current_span("charge card") as s:
            s.set_status(Status(StatusCode.ERROR, "card declined"))
    spans = mem.get_finished_spans()
    provider.shutdown()
    return spans


def assert_checkout_trace(store, service: str = "checkout") -> None:
    assert len(store) == 1
    (trace,) = store
    assert len(trace.spans) == 3
    root = trace.root
    assert root.name == "POST /checkout" and root.service == service
    assert root.attributes == {"http.request.method": "POST"}
    names = {trace.spans[c].name for c in trace.children[trace.spans.index(root)]}
    assert names == {"reserve stock", "charge card"}
    by_name = {s.name: s for s in trace.spans}
    assert by_name["charge card"].is_error and by_name["charge card"].status_message == "card declined"
    assert [e.name for e in by_name["reserve stock"].events] == ["cache miss"]
    assert by_name["reserve stock"].scope.name == "shop.checkout"


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip, Compression.Deflate])
def test_python_sdk_exports_protobuf(compression):
    with LiveReceiver() as r:
        exporter = OTLPSpanExporter(endpoint=r.url, compression=compression, timeout=10)
        assert exporter.export(sdk_spans()) == SpanExportResult.SUCCESS
        exporter.shutdown()
        assert_checkout_trace(r.store)
        assert r.stats.spans == 3 and r.stats.requests == 1 and r.stats.rejected_requests == 0


def test_response_is_an_export_response_in_protobuf():
    req = ExportTraceServiceRequest()
    span = req.resource_spans.add().scope_spans.add().spans.add()
    span.trace_id, span.span_id, span.name = bytes(range(1, 17)), bytes(range(1, 9)), "ok"
    with LiveReceiver() as r:
        status, headers, body = r.post(req.SerializeToString(), PB)
    assert status == 200 and headers["content-type"] == "application/x-protobuf"
    resp = ExportTraceServiceResponse.FromString(body)
    assert not resp.HasField("partial_success")


def test_partial_success_counts_rejected_spans_protobuf():
    req = ExportTraceServiceRequest()
    spans = req.resource_spans.add().scope_spans.add().spans
    good = spans.add()
    good.trace_id, good.span_id, good.name = bytes(range(1, 17)), bytes(range(1, 9)), "kept"
    bad = spans.add()
    bad.span_id, bad.name = bytes(range(2, 10)), "no trace id"
    with LiveReceiver() as r:
        status, _, body = r.post(req.SerializeToString(), PB)
        assert r.store.span_count == 1
        assert r.stats.rejected_spans == 1
    assert status == 200
    ps = ExportTraceServiceResponse.FromString(body).partial_success
    assert ps.rejected_spans == 1 and "traceId" in ps.error_message


def js_sdk_body(trace_id: str = "5b8efff798038103d269b633813fc60c") -> bytes:
    """What @opentelemetry/exporter-trace-otlp-http (JSON) posts: hex ids, camelCase, int64 as strings."""
    return orjson.dumps({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "web-frontend"}}],
                     "droppedAttributesCount": 0},
        "scopeSpans": [{
            "scope": {"name": "@opentelemetry/instrumentation-fetch", "version": "0.52.0"},
            "spans": [
                {"traceId": trace_id, "spanId": "eee19b7ec3c1b174", "name": "GET /api/cart", "kind": 3,
                 "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000250000000",
                 "attributes": [{"key": "http.status_code", "value": {"intValue": 200}}],
                 "droppedAttributesCount": 0, "events": [], "droppedEventsCount": 0,
                 "status": {"code": 0}, "links": [], "droppedLinksCount": 0},
                {"traceId": trace_id, "spanId": "1e2f3a4b5c6d7e8f", "parentSpanId": "eee19b7ec3c1b174",
                 "name": "render", "kind": 1, "startTimeUnixNano": "1700000000100000000",
                 "endTimeUnixNano": "1700000000200000000", "status": {"code": 2, "message": "boom"}},
            ]}]}]})


def test_json_sender_like_the_js_sdk():
    with LiveReceiver() as r:
        status, headers, body = r.post(js_sdk_body(), {"Content-Type": "application/json; charset=utf-8"})
        trace = r.store.get("5b8efff798038103d269b633813fc60c")
    assert status == 200 and headers["content-type"] == "application/json"
    assert orjson.loads(body) == {}
    assert trace is not None and len(trace.spans) == 2
    assert trace.root.name == "GET /api/cart" and trace.root.service == "web-frontend"
    assert trace.duration_ns == 250_000_000
    assert [s.name for s in trace.spans if s.is_error] == ["render"]


def test_json_gzip_and_partial_success():
    doc = orjson.loads(js_sdk_body())
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][1]["traceId"] = ""
    with LiveReceiver() as r:
        status, _, body = r.post(gzip.compress(orjson.dumps(doc)), {**JS, "Content-Encoding": "gzip"})
        assert r.store.span_count == 1
    assert status == 200
    ps = orjson.loads(body)["partialSuccess"]
    assert int(ps["rejectedSpans"]) == 1 and "traceId" in ps["errorMessage"]


def status_of(body: bytes, json: bool = False) -> tuple[int, str]:
    if json:
        d = orjson.loads(body)
        return d["code"], d["message"]
    st = status_pb2.Status.FromString(body)
    return st.code, st.message


def test_each_bad_request_gets_its_code_and_the_server_keeps_serving():
    good = ExportTraceServiceRequest()
    sp = good.resource_spans.add().scope_spans.add().spans.add()
    sp.trace_id, sp.span_id, sp.name = bytes(range(1, 17)), bytes(range(1, 9)), "after the storm"
    with LiveReceiver(max_body=1000) as r:
        cases = [
            # (status, request)
            (400, dict(body=b"\xff\xff\xff\xff", headers=PB)),
            (400, dict(body=b"{not json", headers=JS)),
            (400, dict(body=b"[1, 2]", headers=JS)),
            (400, dict(body=b"\x1f\x8b\x08garbage", headers={**PB, "Content-Encoding": "gzip"})),
            (400, dict(body=gzip.compress(good.SerializeToString())[:-6], headers={**PB, "Content-Encoding": "gzip"})),
            (415, dict(body=b"x", headers={"Content-Type": "text/plain"})),
            (415, dict(body=b"x", headers={**PB, "Content-Encoding": "br"})),
            (405, dict(body=b"", headers=PB, method="GET")),
            (405, dict(body=b"", headers=PB, method="PUT")),
            (404, dict(body=good.SerializeToString(), headers=PB, path="/v1/metrics")),
            (404, dict(body=good.SerializeToString(), headers=PB, path="/")),
            (413, dict(body=b"\x0a" * 1001, headers=PB)),
            (413, dict(body=gzip.compress(b"\x0a" * 5000), headers={**PB, "Content-Encoding": "gzip"})),
        ]
        for want, req in cases:
            status, headers, body = r.post(**req)
            assert status == want, (want, req)
            json = req["headers"].get("Content-Type") == "application/json"
            code, message = status_of(body, json)
            assert code > 0 and message, (want, message)
            if want == 405:
                assert headers["allow"] == "POST"
        status, _, _ = r.post(good.SerializeToString(), PB)
        assert status == 200
        assert r.store.span_count == 1
        assert r.stats.rejected_requests == len(cases)
        assert r.stats.reasons["400 undecodable"] == 5 and r.stats.reasons["413 too large"] == 2
        assert "/v1/metrics" in r.stats.rejected_text()


def test_a_gzip_bomb_is_refused_without_inflating_it():
    # 512 MiB of zeros as 512 concatenated gzip members (valid gzip, ~0.5 MB on the wire).
    member = gzip.compress(bytes(1 << 20), 9)
    bomb = member * 512
    with LiveReceiver() as r:  # the default limit: 64 MiB after decompression
        tracemalloc.start()  # the receiver's thread is in this process: its allocations count
        try:
            status, _, body = r.post(bomb, {**PB, "Content-Encoding": "gzip"})
            peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()
        assert status == 413
        assert "after decompression" in status_of(body)[1]
        assert peak_mib < 200, f"peak memory {peak_mib:.0f} MiB while refusing the bomb"
        ok, _, _ = r.post(gzip.compress(b""), {**PB, "Content-Encoding": "gzip"})
        assert ok == 200


def test_multi_member_gzip_and_raw_deflate_are_read_whole():
    a, b = orjson.loads(js_sdk_body("0" * 31 + "1")), orjson.loads(js_sdk_body("0" * 31 + "2"))
    with LiveReceiver() as r:
        body = gzip.compress(orjson.dumps(a)[:40]) + gzip.compress(orjson.dumps(a)[40:])
        assert r.post(body, {**JS, "Content-Encoding": "gzip"})[0] == 200
        raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        body = raw.compress(orjson.dumps(b)) + raw.flush()
        assert r.post(body, {**JS, "Content-Encoding": "deflate"})[0] == 200
        assert r.store.span_count == 4


def test_bearer_token():
    with LiveReceiver(token="s3cret") as r:
        exporter = OTLPSpanExporter(endpoint=r.url, timeout=5)
        assert exporter.export(sdk_spans()) == SpanExportResult.FAILURE
        for auth in (None, "Bearer wrong", "Bearer s3cre", "s3cret", "Basic s3cret"):
            headers = {**PB, **({"Authorization": auth} if auth else {})}
            status, h, body = r.post(b"", headers)
            assert status == 401 and "bearer" in h["www-authenticate"].lower()
        assert r.store.span_count == 0
        exporter = OTLPSpanExporter(endpoint=r.url, headers={"Authorization": "Bearer s3cret"}, timeout=5)
        assert exporter.export(sdk_spans()) == SpanExportResult.SUCCESS
        assert r.store.span_count == 3
        assert r.stats.reasons["401 unauthorized"] == 6


def test_empty_json_request_is_accepted():
    with LiveReceiver() as r:
        assert r.post(b"{}", JS)[0] == 200
        assert r.post(b"", JS)[0] == 200
        assert r.stats.requests == 2 and r.store.span_count == 0


def test_spans_that_cannot_be_stored_get_a_retryable_503():
    def full_disk(rec):
        raise OSError(28, "No space left on device")

    req = ExportTraceServiceRequest()
    sp = req.resource_spans.add().scope_spans.add().spans.add()
    sp.trace_id, sp.span_id, sp.name = bytes(range(1, 17)), bytes(range(1, 9)), "x"
    with LiveReceiver(sink=full_disk) as r:
        status, headers, body = r.post(req.SerializeToString(), PB)
        assert status == 503 and headers["retry-after"] == "1"
        assert "No space left" in status_of(body)[1]
        assert r.stats.reasons["503 not stored"] == 1 and r.stats.spans == 0
