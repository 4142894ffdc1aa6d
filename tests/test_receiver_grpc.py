"""OTLP/gRPC: the OpenTelemetry SDK's gRPC exporter against the receiver (extra `tracetui[grpc]`)."""

from __future__ import annotations

import subprocess
import sys

import pytest

grpc = pytest.importorskip("grpc", reason="grpcio not installed (pip install 'tracetui[grpc]')")
grpc_exporter = pytest.importorskip("opentelemetry.exporter.otlp.proto.grpc.trace_exporter")

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (  # noqa: E402
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.trace.export import SpanExportResult  # noqa: E402
from receiver_helpers import LiveReceiver  # noqa: E402
from test_receiver_http import assert_checkout_trace, sdk_spans  # noqa: E402

from tracetui.sources.receiver.grpc import SERVICE  # noqa: E402


def test_python_sdk_grpc_exporter():
    with LiveReceiver(grpc=True) as r:
        exporter = grpc_exporter.OTLPSpanExporter(
            endpoint=f"127.0.0.1:{r.grpc_server.port}", insecure=True, timeout=10)
        assert exporter.export(sdk_spans("payments")) == SpanExportResult.SUCCESS
        exporter.shutdown()
        assert_checkout_trace(r.store, "payments")
        assert r.stats.spans == 3


def test_grpc_gzip_and_token():
    with LiveReceiver(grpc=True, token="s3cret") as r:
        target = f"127.0.0.1:{r.grpc_server.port}"
        no_token = grpc_exporter.OTLPSpanExporter(endpoint=target, insecure=True, timeout=3)
        assert no_token.export(sdk_spans()) == SpanExportResult.FAILURE
        no_token.shutdown()
        assert r.stats.reasons["401 unauthorized"] == 1
        exporter = grpc_exporter.OTLPSpanExporter(
            endpoint=target, insecure=True, timeout=10, compression=grpc.Compression.Gzip,
            headers={"authorization": "Bearer s3cret"})
        assert exporter.export(sdk_spans()) == SpanExportResult.SUCCESS
        exporter.shutdown()
        assert r.store.span_count == 3


def _call(port: int, body: bytes):
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        export = ch.unary_unary(f"/{SERVICE}/Export")
        return export(body, timeout=5)


def test_grpc_bad_request_and_partial_success():
    req = ExportTraceServiceRequest()
    spans = req.resource_spans.add().scope_spans.add().spans
    good = spans.add()
    good.trace_id, good.span_id, good.name = bytes(range(1, 17)), bytes(range(1, 9)), "kept"
    spans.add().name = "no ids"
    with LiveReceiver(grpc=True, max_body=10_000) as r:
        port = r.grpc_server.port
        with pytest.raises(grpc.RpcError) as e:
            _call(port, b"\xff\xff\xff\xff")
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.RpcError) as e:
            _call(port, b"\x0a" * 20_000)
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        resp = ExportTraceServiceResponse.FromString(_call(port, req.SerializeToString()))
        assert resp.partial_success.rejected_spans == 1
        assert r.store.span_count == 1


def test_missing_grpcio_says_how_to_get_it(tmp_path):
    # A `grpc` package that fails to import stands in for grpcio being absent.
    (tmp_path / "grpc").mkdir()
    (tmp_path / "grpc" / "__init__.py").write_text("raise ImportError('no grpcio here')\n")
    code = ("from tracetui.cli import main; main(['record', '--grpc', '-o', 'x.jsonl'])")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert out.returncode != 0
    assert "pip install 'tracetui[grpc]'" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "x.jsonl").exists()
