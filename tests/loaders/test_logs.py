"""OTLP logs read wherever spans are read: JSON, JSON Lines mixed with spans (the Collector's
file exporter), protobuf, gzip and zstd, the Collector's length-prefixed records, files and
pipes; each record under its span, trace-less records kept and counted."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import orjson
import pytest
import zstandard

from tests.support.loading import load_bytes
from tests.support.sdk_dumps import logs_request, proto_request, sdk_spans_and_logs
from tracetui.loaders.detect import OTLP_LOGS_PROTO, OTLP_PROTO, detect_format
from tracetui.model import TraceStore
from tracetui.render.otlp_json_out import dumps
from tracetui.sources.files import load_paths, read_source

SAMPLE = Path(__file__).resolve().parents[2] / "sample_traces" / "shop_logs.jsonl"


@pytest.fixture(scope="module")
def sdk():
    spans, records = sdk_spans_and_logs(traces=2)
    return spans, records


def _spans_json(spans) -> bytes:
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    return dumps(encode_spans(spans))


def _check_under_spans(store: TraceStore, spans, records) -> None:
    """Every record the SDK made inside a span is under that span; the other one has no trace."""
    by_span = {format(s.context.span_id, "016x"): s for s in spans}
    in_spans = [r for r in records if r.log_record.trace_id]
    assert len(in_spans) == 6 and len(store.traceless_logs) == 1
    assert store.traceless_logs[0].body == "service shop started"
    for r in in_spans:
        tid, sid = format(r.log_record.trace_id, "032x"), format(r.log_record.span_id, "016x")
        trace = store.get(tid)
        assert trace is not None
        got = [lr.body for lr in trace.logs_of(sid)]
        assert r.log_record.body in got, (by_span[sid].name, got)
    # A span's logs in time order, with severity and attributes.
    trace = store.get(format(in_spans[0].log_record.trace_id, "032x"))
    root = next(s for s in trace.spans if not s.parent_id)
    logs = trace.logs_of(root.span_id)
    assert [(lr.severity_name, lr.body) for lr in logs] == [("INFO", "handling request 0"),
                                                          ("ERROR", "request 0 failed")]
    assert logs[0].attributes["request.number"] == 0 and logs[0].service == "shop"
    assert [lr.time_ns for lr in trace.logs] == sorted(lr.time_ns for lr in trace.logs)
    assert store.log_count == 7


def test_json_lines_of_spans_and_logs_as_the_collector_writes_them(sdk):
    spans, records = sdk
    data = _spans_json(spans) + b"\n" + dumps(logs_request(records)) + b"\n"
    store, problems = load_bytes(data, "collector.jsonl")
    assert problems == []
    _check_under_spans(store, spans, records)


def test_logs_before_their_spans_wait_for_them(sdk):
    spans, records = sdk
    data = dumps(logs_request(records)) + b"\n" + _spans_json(spans) + b"\n"
    store, problems = load_bytes(data, "collector.jsonl")
    assert problems == [] and not store.pending_logs
    _check_under_spans(store, spans, records)


def test_a_logs_json_document_and_a_spans_file_together(tmp_path, sdk):
    spans, records = sdk
    (tmp_path / "spans.json").write_bytes(_spans_json(spans))
    (tmp_path / "logs.json").write_bytes(dumps(logs_request(records), indent=True))  # pretty-printed
    store = TraceStore()
    assert load_paths([str(tmp_path / "logs.json"), str(tmp_path / "spans.json")], store) == []
    _check_under_spans(store, spans, records)


def test_protobuf_logs_request(tmp_path, sdk):
    spans, records = sdk
    body = logs_request(records).SerializeToString()
    assert detect_format(body) == OTLP_LOGS_PROTO
    assert detect_format(proto_request(spans)) == OTLP_PROTO  # the traces request stays one
    (tmp_path / "logs.pb").write_bytes(body)
    (tmp_path / "spans.pb").write_bytes(proto_request(spans))
    store = TraceStore()
    assert load_paths([str(tmp_path)], store) == []
    _check_under_spans(store, spans, records)


@pytest.mark.parametrize("compress", [gzip.compress, lambda d: zstandard.ZstdCompressor().compress(d)],
                         ids=["gzip", "zstd"])
def test_compressed_mixed_dump(compress, sdk):
    spans, records = sdk
    data = _spans_json(spans) + b"\n" + dumps(logs_request(records)) + b"\n"
    store, problems = load_bytes(compress(data), "dump.jsonl.gz")
    assert problems == []
    _check_under_spans(store, spans, records)


def test_collector_length_prefixed_records_mix_traces_and_logs(sdk):
    spans, records = sdk
    payloads = [proto_request(spans), logs_request(records).SerializeToString()]
    data = b"".join(len(p).to_bytes(4, "big") + p for p in payloads)
    store, problems = load_bytes(data, "dump.bin")
    assert problems == []
    _check_under_spans(store, spans, records)


def test_a_pipe(sdk):
    spans, records = sdk
    data = gzip.compress(_spans_json(spans) + b"\n" + dumps(logs_request(records)) + b"\n")
    store = TraceStore()
    for b in read_source("-", stdin=io.BytesIO(data)):
        store.add(b.spans)
        store.add_logs(b.logs)
        assert b.problems == []
    _check_under_spans(store, spans, records)


def test_snake_case_enum_names_and_a_record_naming_only_its_trace():
    tid, sid = "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"
    spans = {"resource_spans": [{"scope_spans": [{"spans": [
        {"trace_id": tid, "span_id": sid, "name": "GET /", "start_time_unix_nano": "1", "end_time_unix_nano": "9"}]}]}]}
    logs = {"resource_logs": [{"resource": {"attributes": [{"key": "service.name", "value": {"string_value": "api"}}]},
                               "scope_logs": [{"log_records": [
        {"time_unix_nano": "5", "severity_number": "SEVERITY_NUMBER_WARN2", "body": {"string_value": "retrying"},
         "trace_id": tid, "span_id": sid, "attributes": [{"key": "attempt", "value": {"int_value": "2"}}]},
        {"observed_time_unix_nano": "7", "severity_text": "error", "body": {"kvlist_value": {"values": [
            {"key": "code", "value": {"int_value": "503"}}]}}, "trace_id": tid},
    ]}]}]}
    store, problems = load_bytes(orjson.dumps(spans) + b"\n" + orjson.dumps(logs) + b"\n")
    assert problems == []
    trace = store.get(tid)
    first, second = trace.logs
    assert (first.span_id, first.time_ns, first.severity, first.severity_name, first.body) == (
        sid, 5, 14, "WARN2", "retrying")
    assert first.attributes == {"attempt": 2} and first.service == "api"
    # Only the trace named: span_id "", its time the observed one, the severity read from its text.
    assert (second.span_id, second.time_ns, second.severity, second.body) == ("", 7, 17, '{"code": 503}')
    assert trace.logs_of("") == [second]


def test_a_record_with_an_unreadable_time_or_severity_is_kept_with_a_warning():
    logs = {"resourceLogs": [{"scopeLogs": [{"logRecords": [
        {"timeUnixNano": "soon", "severityNumber": 99, "body": {"stringValue": "odd"}, "traceId": "ab" * 16}]}]}]}
    store, problems = load_bytes(orjson.dumps(logs))
    assert [p.warning for p in problems] == [True, True]
    assert "time that cannot be read" in problems[0].message and "severity" in problems[1].message
    assert [(r.body, r.time_ns, r.severity) for r in store.pending_logs["ab" * 16]] == [("odd", 0, 0)]


def test_a_damaged_logs_line_is_a_problem_and_the_rest_is_read(sdk):
    spans, records = sdk
    data = _spans_json(spans) + b'\n{"resourceLogs": [{"scopeLogs": [ broken\n' + dumps(logs_request(records)) + b"\n"
    store, problems = load_bytes(data, "dump.jsonl")
    assert len(problems) == 1 and problems[0].where == "line 2" and not problems[0].warning
    _check_under_spans(store, spans, records)


def test_the_same_dump_loaded_twice_keeps_each_record_once(sdk):
    spans, records = sdk
    data = _spans_json(spans) + b"\n" + dumps(logs_request(records)) + b"\n"
    store, _ = load_bytes(data + data)
    assert store.duplicate_logs == 6 and store.log_count == 8  # (trace-less records are not matched)
    assert sum(len(t.logs) for t in store) == 6


def test_the_sample_mixed_dump_made_by_the_sdk():
    store = TraceStore()
    assert load_paths([str(SAMPLE)], store) == []
    checkout = store.get("0af7651916cd43dd8448eb211c80319c")
    assert checkout is not None and checkout.logs
    names = {s.span_id: (s.service, s.name) for s in checkout.spans}
    for r in checkout.logs:  # every record of the trace names a span of it, in its own service
        assert names[r.span_id][0] == r.service
    refused = [r for r in checkout.logs if r.severity_name == "WARN"]
    assert [names[r.span_id] for r in refused] == [("payments", "POST /api/charges")]
    assert {r.body for r in store.traceless_logs} >= {"checkout 1.x started on 127.0.0.1"}
