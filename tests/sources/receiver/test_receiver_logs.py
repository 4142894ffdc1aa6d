"""Logs received live: the SDK's OTLP log exporters (HTTP and gRPC) against the receiver; the
records land under their spans. `record` captures them, and the capture reads back."""

from __future__ import annotations

import http.client

import orjson
import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.sdk._logs.export import LogRecordExportResult
from opentelemetry.sdk.trace.export import SpanExportResult
from receiver_helpers import LiveReceiver
from sources.receiver.test_receiver_record import Recorder, load

from tests.support.sdk_dumps import logs_request, sdk_spans_and_logs
from tracetui.model import TraceStore
from tracetui.render.otlp_json_out import dumps


def assert_logs_under_spans(store: TraceStore, spans, records) -> None:
    """Each record the SDK made in a span is under that span, in the store; the one made outside
    any span is kept apart."""
    names = {format(s.context.span_id, "016x"): s.name for s in spans}
    under = [r for r in records if r.log_record.trace_id]
    assert under and len(store.traceless_logs) == len(records) - len(under) == 1
    for r in under:
        trace = store.get(format(r.log_record.trace_id, "032x"))
        assert trace is not None
        sid = format(r.log_record.span_id, "016x")
        assert r.log_record.body in [lr.body for lr in trace.logs_of(sid)], names[sid]
    assert store.traceless_logs[0].body.endswith("started")


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip], ids=["plain", "gzip"])
def test_the_sdk_http_log_exporter(compression):
    spans, records = sdk_spans_and_logs(service="orders")
    with LiveReceiver() as r:
        base = r.url.removesuffix("/v1/traces")
        logs_out = OTLPLogExporter(endpoint=f"{base}/v1/logs", compression=compression, timeout=10)
        assert logs_out.export(records) == LogRecordExportResult.SUCCESS  # before the spans: they wait
        spans_out = OTLPSpanExporter(endpoint=r.url, compression=compression, timeout=10)
        assert spans_out.export(spans) == SpanExportResult.SUCCESS
        logs_out.shutdown()
        spans_out.shutdown()
        assert_logs_under_spans(r.store, spans, records)
        assert r.stats.logs == len(records) and r.stats.spans == len(spans)


def test_the_sdk_grpc_log_exporter():
    pytest.importorskip("grpc", reason="grpcio not installed (pip install 'tracetui[grpc]')")
    from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GrpcLogExporter
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter

    spans, records = sdk_spans_and_logs(service="billing")
    with LiveReceiver(grpc=True) as r:
        target = f"127.0.0.1:{r.grpc_server.port}"
        spans_out = GrpcSpanExporter(endpoint=target, insecure=True, timeout=10)
        assert spans_out.export(spans) == SpanExportResult.SUCCESS
        logs_out = GrpcLogExporter(endpoint=target, insecure=True, timeout=10)
        assert logs_out.export(records) == LogRecordExportResult.SUCCESS
        spans_out.shutdown()
        logs_out.shutdown()
        assert_logs_under_spans(r.store, spans, records)


def test_json_logs_and_what_the_logs_path_answers():
    spans, records = sdk_spans_and_logs()
    with LiveReceiver() as r:
        body = dumps(logs_request(records))
        status, headers, answer = r.post(body, {"Content-Type": "application/json"}, path="/v1/logs")
        assert (status, answer) == (200, b"{}")
        status, headers, answer = r.post(logs_request(records).SerializeToString(),
                                         {"Content-Type": "application/x-protobuf"}, path="/v1/logs")
        assert status == 200 and headers["content-type"] == "application/x-protobuf"
        assert not ExportLogsServiceResponse.FromString(answer).HasField("partial_success")
        assert r.store.duplicate_logs == 6  # the same records twice: stored once
        status, _, answer = r.post(b'{"resourceLogs": [ cut', {"Content-Type": "application/json"}, path="/v1/logs")
        assert status == 400 and b"not valid JSON" in answer
        status, _, answer = r.post(b"{}", {"Content-Type": "application/json"}, path="/v1/metrics")
        assert status == 404 and b"logs at /v1/logs" in answer


def test_record_captures_logs_and_the_capture_reads_back(tmp_path):
    spans, records = sdk_spans_and_logs(service="shipping")
    out = tmp_path / "capture.jsonl"
    rec = Recorder(out)
    try:
        logs_out = OTLPLogExporter(endpoint=rec.url.replace("/v1/traces", "/v1/logs"), timeout=10)
        assert logs_out.export(records) == LogRecordExportResult.SUCCESS
        spans_out = OTLPSpanExporter(endpoint=rec.url, timeout=10)
        assert spans_out.export(spans) == SpanExportResult.SUCCESS
        conn = http.client.HTTPConnection("127.0.0.1", rec.port, timeout=10)
        conn.request("POST", "/v1/logs", b"{}", {"Content-Type": "application/json"})  # empty: not written
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        status, err = rec.stop()
    assert status == 0, err
    assert f"{len(spans)} spans and {len(records)} log records in 3 requests" in err
    lines = out.read_bytes().splitlines()
    assert len(lines) == 2 and "resourceLogs" in orjson.loads(lines[0])
    assert_logs_under_spans(load(out), spans, records)
