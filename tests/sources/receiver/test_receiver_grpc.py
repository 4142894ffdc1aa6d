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
from sources.receiver.test_receiver_http import assert_checkout_trace, sdk_spans  # noqa: E402

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


def test_grpc_serves_as_many_calls_at_once_as_the_memory_budget_holds():
    """max_body 10 kB, budget 20 kB: two calls at once; a third gets RESOURCE_EXHAUSTED (retried by
    the SDKs) instead of more messages being held in memory."""
    import asyncio
    import time
    from concurrent.futures import ThreadPoolExecutor

    async def slow_sink(rec):
        await asyncio.sleep(1.0)

    req = ExportTraceServiceRequest()
    sp = req.resource_spans.add().scope_spans.add().spans.add()
    sp.trace_id, sp.span_id, sp.name = bytes(range(1, 17)), bytes(range(1, 9)), "x"
    body = req.SerializeToString()

    def call(port):
        # Its own connection (channels to one target otherwise share one).
        with grpc.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.use_local_subchannel_pool", 1)]) as ch:
            try:
                ch.unary_unary(f"/{SERVICE}/Export")(body, timeout=5)
                return "OK"
            except grpc.RpcError as e:
                return e.code().name

    with LiveReceiver(grpc=True, max_body=10_000, max_in_flight=20_000, sink=slow_sink) as r:
        assert r.grpc_server.calls_at_once == 2
        with ThreadPoolExecutor(4) as pool:
            codes = sorted(pool.map(call, [r.grpc_server.port] * 4))
        assert codes.count("OK") == 2 and codes.count("RESOURCE_EXHAUSTED") == 2, codes
        # On one connection, the stream limit makes the client wait its turn instead.
        t = time.monotonic()
        with ThreadPoolExecutor(3) as pool:
            assert list(pool.map(lambda _: _call(r.grpc_server.port, body), range(3))) == [b""] * 3
        assert time.monotonic() - t >= 1.9


def test_grpc_messages_share_the_memory_budget_with_http_bodies():
    import socket
    import time

    from sources.receiver.test_receiver_limits import head, wait_until

    req = ExportTraceServiceRequest()
    sp = req.resource_spans.add().scope_spans.add().spans.add()
    sp.trace_id, sp.span_id, sp.name = bytes(range(1, 17)), bytes(range(1, 9)), "x" * 3000
    with LiveReceiver(grpc=True, max_body=10_000, max_in_flight=20_000) as r:
        s = socket.create_connection(("127.0.0.1", r.http.port), timeout=10)
        s.sendall(head(10_000) + b"\x0a" * 9_000)  # an HTTP body that stalls, holding 9 kB
        s2 = socket.create_connection(("127.0.0.1", r.http.port), timeout=10)
        s2.sendall(head(10_000) + b"\x0a" * 9_000)  # and another: 18 kB of 20 kB
        assert wait_until(lambda: r.ingest.in_flight.used == 18_000)
        with pytest.raises(grpc.RpcError) as e:
            _call(r.grpc_server.port, req.SerializeToString())
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE  # retryable
        assert r.stats.reasons["503 memory budget"] == 1
        s.close()
        s2.close()
        assert wait_until(lambda: r.ingest.in_flight.used == 0)
        time.sleep(0.05)
        _call(r.grpc_server.port, req.SerializeToString())
        assert r.ingest.in_flight.used == 0 and r.store.span_count == 1
