"""The protobuf → OTLP JSON writer: what the spec says a producer writes, and what we read back."""

from __future__ import annotations

import io
import math

import orjson
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import (
    AnyValue,
    ArrayValue,
    InstrumentationScope,
    KeyValue,
    KeyValueList,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from tracetui.loaders import read_bytes
from tracetui.loaders.otlp_proto import request_to_batch
from tracetui.render.otlp_json_out import dumps, to_otlp_json, write_jsonl

TID = bytes.fromhex("4BF92F3577B34DA6A3CE929D0E0E4736")
ROOT = bytes.fromhex("00F067AA0BA902B7")
CHILD = bytes.fromhex("B7AD6B7169203331")


def kv(key: str, **value) -> KeyValue:
    return KeyValue(key=key, value=AnyValue(**value))


def request() -> ExportTraceServiceRequest:
    root = Span(
        trace_id=TID, span_id=ROOT, name="GET /cart", kind=Span.SPAN_KIND_SERVER,
        start_time_unix_nano=1_700_000_000_123_456_789, end_time_unix_nano=1_700_000_000_223_456_789,
        status=Status(code=Status.STATUS_CODE_ERROR, message="boom"),
        attributes=[
            kv("http.response.status_code", int_value=503),
            kv("ratio", double_value=math.nan),
            kv("limit", double_value=-math.inf),
            kv("blob", bytes_value=b"\x00\xffhi"),
            kv("tags", array_value=ArrayValue(values=[AnyValue(string_value="a"), AnyValue(bool_value=True)])),
            kv("nested", kvlist_value=KeyValueList(values=[kv("zero", int_value=0)])),
        ],
        events=[Span.Event(time_unix_nano=1_700_000_000_200_000_000, name="exception",
                           attributes=[kv("exception.type", string_value="TimeoutError")])],
    )
    child = Span(
        trace_id=TID, span_id=CHILD, parent_span_id=ROOT, name="SELECT cart", kind=Span.SPAN_KIND_CLIENT,
        start_time_unix_nano=1_700_000_000_130_000_000, end_time_unix_nano=1_700_000_000_180_000_000,
        links=[Span.Link(trace_id=TID, span_id=ROOT, attributes=[kv("why", string_value="test")])],
    )
    return ExportTraceServiceRequest(resource_spans=[ResourceSpans(
        resource=Resource(attributes=[kv("service.name", string_value="cart")]),
        scope_spans=[ScopeSpans(scope=InstrumentationScope(name="shop.http", version="1.0"), spans=[root, child])],
    )])


def test_ids_are_lower_case_hex_and_an_absent_parent_is_left_out():
    spans = to_otlp_json(request())["resourceSpans"][0]["scopeSpans"][0]["spans"]
    root, child = spans
    assert root["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert root["spanId"] == "00f067aa0ba902b7"
    assert "parentSpanId" not in root
    assert child["parentSpanId"] == "00f067aa0ba902b7"
    assert child["links"][0]["spanId"] == "00f067aa0ba902b7"
    assert child["links"][0]["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_enums_are_integers_and_int64_are_decimal_strings():
    root = to_otlp_json(request())["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert root["kind"] == 2
    assert root["status"] == {"code": 2, "message": "boom"}
    assert root["startTimeUnixNano"] == "1700000000123456789"
    assert root["events"][0]["timeUnixNano"] == "1700000000200000000"
    attrs = {a["key"]: a["value"] for a in root["attributes"]}
    assert attrs["http.response.status_code"] == {"intValue": "503"}
    # A zero that was set (a oneof member) is still written: it is a value, not an absent field.
    nested = attrs["nested"]["kvlistValue"]["values"][0]
    assert nested == {"key": "zero", "value": {"intValue": "0"}}


def test_special_doubles_and_bytes_follow_the_proto3_json_mapping():
    root = to_otlp_json(request())["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    attrs = {a["key"]: a["value"] for a in root["attributes"]}
    assert attrs["ratio"] == {"doubleValue": "NaN"}
    assert attrs["limit"] == {"doubleValue": "-Infinity"}
    assert attrs["blob"] == {"bytesValue": "AP9oaQ=="}  # base64 of 00 ff 'h' 'i'
    assert attrs["tags"] == {"arrayValue": {"values": [{"stringValue": "a"}, {"boolValue": True}]}}


def test_keys_are_camel_case():
    doc = orjson.loads(dumps(request()))
    scope_spans = doc["resourceSpans"][0]["scopeSpans"][0]
    assert scope_spans["scope"] == {"name": "shop.http", "version": "1.0"}
    assert {"traceId", "spanId", "startTimeUnixNano", "endTimeUnixNano"} <= set(scope_spans["spans"][0])
    assert not any("_" in k for k in scope_spans["spans"][0])


def test_reading_the_output_gives_the_same_spans_as_reading_the_protobuf():
    req = request()
    from_proto = request_to_batch(req, "proto").spans
    for text in (dumps(req), dumps(req, indent=True)):
        batches = list(read_bytes(text, "json"))
        from_json = [s for b in batches for s in b.spans]
        assert not [p for b in batches for p in b.problems]
        assert [(s.trace_id, s.span_id, s.parent_id, s.name, s.kind, s.start_ns, s.end_ns, s.status)
                for s in from_json] == [
            (s.trace_id, s.span_id, s.parent_id, s.name, s.kind, s.start_ns, s.end_ns, s.status) for s in from_proto]
        root = from_json[0]
        assert root.service == "cart"
        assert root.status_message == "boom"
        assert root.attributes["http.response.status_code"] == 503
        assert math.isnan(root.attributes["ratio"])
        assert root.events[0].name == "exception"
        assert from_json[1].links[0].span_id == "00f067aa0ba902b7"


def test_json_lines_are_one_request_per_line():
    buf = io.BytesIO()
    assert write_jsonl([request(), request()], buf) == 2
    lines = buf.getvalue().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 3
    assert all(orjson.loads(line)["resourceSpans"] for line in lines[:2])
