"""The five loaders speak one vocabulary (loaders/vocabulary.py): the same kind, status, service
and time checks whatever the format, and values out of range never reach `--json` (issue 11)."""

from __future__ import annotations

import orjson
from click.testing import CliRunner
from hostile import huge_timestamps, request, span
from loading import load_bytes
from sdk_dumps import proto_request, sdk_spans

from tracetui.cli import main
from tracetui.loaders.vocabulary import (
    MAX_TIME_NS,
    kind_from_name,
    resource_from_attributes,
    status_from_name,
    time_in_range,
)
from tracetui.model.span import KIND_SERVER, KIND_UNSPECIFIED, STATUS_ERROR, STATUS_UNSET


def summary_json(tmp_path, data: bytes, *args: str):
    path = tmp_path / "dump.json"
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["summary", str(path), "--json", *args])
    return result


def all_spans(store):
    return sorted((s for t in store for s in t.spans), key=lambda s: s.span_id)


def test_every_spelling_of_a_kind_and_a_status():
    for name in ("SPAN_KIND_SERVER", "server", "SERVER", "SpanKind.SERVER"):
        assert kind_from_name(name) == KIND_SERVER, name
    for name in ("STATUS_CODE_ERROR", "ERROR", "error", "StatusCode.ERROR"):
        assert status_from_name(name) == STATUS_ERROR, name
    assert kind_from_name("BOGUS") is None and status_from_name("") is None


def test_a_resource_without_a_service_name_is_unknown_service():
    assert resource_from_attributes({}).service == "unknown_service"
    assert resource_from_attributes({"service.name": ""}).service == "unknown_service"
    res = resource_from_attributes({"host": "h"}, "cart")
    assert res.service == "cart" and res.attributes["service.name"] == "cart"
    assert time_in_range(MAX_TIME_NS) and not time_in_range(MAX_TIME_NS + 1) and not time_in_range(-1)


def test_a_time_past_2_64_skips_that_span_and_summary_json_still_answers(tmp_path):
    result = summary_json(tmp_path, huge_timestamps())
    assert result.exit_code == 1, result.output  # some input was skipped
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    doc = orjson.loads(result.stdout)
    assert doc["traces"][0]["span_count"] == 3
    assert "spans[2]: span start time 18446744073709551621 is out of range" in result.stderr
    assert "spans[3]: span end time 1180591620717411303424 is out of range" in result.stderr


def test_huge_times_in_every_format_are_refused_with_a_problem():
    big_us = 2**64 // 1000 + 1  # microseconds that are past 2^64 ns
    jaeger = orjson.dumps({"data": [{"traceID": "a" * 32, "spans": [
        {"traceID": "a" * 32, "spanID": "b" * 16, "operationName": "ok", "startTime": 1, "duration": 1},
        {"traceID": "a" * 32, "spanID": "c" * 16, "operationName": "big", "startTime": big_us, "duration": 1},
    ], "processes": {}}]})
    zipkin = orjson.dumps([{"traceId": "a" * 32, "id": "b" * 16, "name": "ok", "timestamp": 1, "duration": 1},
                           {"traceId": "a" * 32, "id": "c" * 16, "name": "big", "timestamp": big_us, "duration": 1}])
    console = (b'{"name": "ok", "context": {"trace_id": "0x' + b"a" * 32 + b'", "span_id": "0x' + b"b" * 16
               + b'"}, "start_time": "2024-01-01T00:00:00Z", "end_time": "2024-01-01T00:00:01Z"}\n'
               + b'{"name": "big", "context": {"trace_id": "0x' + b"a" * 32 + b'", "span_id": "0x' + b"c" * 16
               + b'"}, "start_time": "2024-01-01T00:00:00Z", "end_time": "3000-01-01T00:00:00Z"}\n')
    for data in (jaeger, zipkin, console):
        store, problems = load_bytes(data)
        assert [s.name for s in all_spans(store)] == ["ok"], data[:40]
        assert len(problems) == 1 and "out of range" in problems[0].message and problems[0].skipped == 1


def test_kind_and_status_out_of_range_become_unspecified_and_unset_with_a_warning(tmp_path):
    data = orjson.dumps(request([span(0, kind=9), span(1, status={"code": 7}), span(2, kind="BOGUS"),
                                 span(3, kind="SPAN_KIND_SERVER", status={"code": "STATUS_CODE_ERROR"})]))
    store, problems = load_bytes(data)
    spans = all_spans(store)
    assert [(s.kind, s.status) for s in spans] == [(KIND_UNSPECIFIED, STATUS_UNSET), (KIND_SERVER, STATUS_UNSET),
                                                   (KIND_UNSPECIFIED, STATUS_UNSET), (KIND_SERVER, STATUS_ERROR)]
    assert [(p.where.rsplit(".", 1)[-1], p.warning) for p in problems] == [
        ("spans[0]", True), ("spans[1]", True), ("spans[2]", True)]
    assert "span kind 9 is none OTLP knows: shown as unspecified" in problems[0].message
    assert "status code 7 is none OTLP knows: shown as unset" in problems[1].message
    result = summary_json(tmp_path, data, "--trace", f"{1:032x}")
    assert result.exit_code == 0  # warnings only: the data was kept
    spans = orjson.loads(result.stdout)["trace"]["spans"]
    assert {s["kind"] for s in spans} == {"unspecified", "server"}  # never a raw number
    assert {s["status"] for s in spans} == {"unset", "error"}


def test_kind_and_status_out_of_range_in_protobuf():
    spans = sdk_spans(traces=1, children=1)
    pb = proto_request(spans)
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    req = ExportTraceServiceRequest.FromString(pb)
    first = req.resource_spans[0].scope_spans[0].spans[0]
    first.kind = 9
    first.status.code = 7
    store, problems = load_bytes(req.SerializeToString())
    got = next(s for t in store for s in t.spans if s.span_id == first.span_id.hex())
    assert (got.kind, got.status) == (KIND_UNSPECIFIED, STATUS_UNSET)
    assert len(problems) == 2 and all(p.warning for p in problems)


def test_a_start_time_given_as_an_object_is_not_zero_but_skipped():
    data = orjson.dumps(request([span(0), span(1, startTimeUnixNano={"a": 1}), span(2, endTimeUnixNano=[5])]))
    store, problems = load_bytes(data)
    assert [s.name for s in all_spans(store)] == ["op0"]
    assert [p.skipped for p in problems] == [1, 1]
    assert all(s.start_ns > 0 for t in store for s in t.spans)
