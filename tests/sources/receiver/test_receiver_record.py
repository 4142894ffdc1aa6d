"""`tracetui record` end to end, as a user runs it: a real process, real senders, a signal to stop,
and the capture file opened with the loader."""

from __future__ import annotations

import http.client
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export import SpanExportResult
from sources.receiver.test_receiver_http import js_sdk_body, sdk_spans

from tracetui.model import TraceStore
from tracetui.render.otlp_json_out import to_otlp_json
from tracetui.sources.files import load_paths
from tracetui.sources.receiver.capture import request_json
from tracetui.sources.receiver.record import Progress

ROOT = Path(__file__).resolve().parents[3]


class Recorder:
    """`tracetui record` in a subprocess on a free loopback port."""

    def __init__(self, out: Path, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tracetui", "record", "--listen", "127.0.0.1:0", "-o", str(out), *extra],
            stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.stderr_lines: list[str] = []
        deadline = time.monotonic() + 30
        self.port = 0
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.stderr_lines.append(line)
            m = re.search(r"http://127\.0\.0\.1:(\d+)/v1/traces", line)
            if m:
                self.port = int(m.group(1))
                break
        assert self.port, "".join(self.stderr_lines)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/traces"

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        self.proc.send_signal(sig)
        rest = self.proc.stderr.read()
        return self.proc.wait(30), "".join(self.stderr_lines) + rest


def load(path: Path) -> TraceStore:
    store = TraceStore()
    problems = load_paths([str(path)], store)
    assert not problems, problems
    return store


def test_record_writes_each_request_as_one_otlp_json_line(tmp_path):
    out = tmp_path / "capture.jsonl"
    rec = Recorder(out)
    try:
        for compression in (Compression.NoCompression, Compression.Gzip):
            exporter = OTLPSpanExporter(endpoint=rec.url, compression=compression, timeout=10)
            assert exporter.export(sdk_spans()) == SpanExportResult.SUCCESS
            exporter.shutdown()
        conn = http.client.HTTPConnection("127.0.0.1", rec.port, timeout=10)
        conn.request("POST", "/v1/traces", js_sdk_body(), {"Content-Type": "application/json"})
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        status, err = rec.stop()
    assert status == 0, err
    assert "8 spans in 3 requests" in err
    lines = out.read_bytes().splitlines()
    assert len(lines) == 3
    first = orjson.loads(lines[0])
    span = first["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert re.fullmatch(r"[0-9a-f]{32}", span["traceId"]) and re.fullmatch(r"[0-9a-f]{16}", span["spanId"])
    assert isinstance(span["startTimeUnixNano"], str) and isinstance(span["kind"], int)
    store = load(out)
    assert store.span_count == 8 and len(store) == 3
    names = sorted(t.root.name for t in store)
    assert names == ["GET /api/cart", "POST /checkout", "POST /checkout"]


def test_sigterm_under_load_keeps_every_acknowledged_span(tmp_path):
    """Senders keep posting while the recorder is stopped: what was answered 200 is in the file."""
    out = tmp_path / "capture.jsonl"
    rec = Recorder(out)
    acked: list[str] = []  # trace ids answered 200
    stop = threading.Event()

    def send(worker: int) -> None:
        seq = 0
        while not stop.is_set():
            req = ExportTraceServiceRequest()
            spans = req.resource_spans.add().scope_spans.add().spans
            tid = bytes([worker + 1]) + seq.to_bytes(15, "big")
            for i in range(50):
                sp = spans.add()
                sp.trace_id, sp.span_id, sp.name = tid, (i + 1).to_bytes(8, "big"), f"op {i}"
            seq += 1
            try:
                c = http.client.HTTPConnection("127.0.0.1", rec.port, timeout=10)
                c.request("POST", "/v1/traces", req.SerializeToString(), {"Content-Type": "application/x-protobuf"})
                if c.getresponse().status == 200:
                    acked.append(tid.hex())
                c.close()
            except OSError:
                if stop.wait(0.01):
                    return

    threads = [threading.Thread(target=send, args=(w,), daemon=True) for w in range(3)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    status, err = rec.stop(signal.SIGTERM)
    stop.set()
    for t in threads:
        t.join(10)
    assert status == 0, err
    assert len(acked) > 10
    store = load(out)
    assert set(acked) <= set(store.traces)
    assert all(len(store.traces[t].spans) == 50 for t in acked)


def test_record_refuses_a_taken_port_and_leaves_no_file(tmp_path):
    out = tmp_path / "capture.jsonl"
    rec = Recorder(tmp_path / "first.jsonl")
    try:
        r = subprocess.run([sys.executable, "-m", "tracetui", "record", "--listen", f"127.0.0.1:{rec.port}",
                            "-o", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    finally:
        rec.stop()
    assert r.returncode == 1
    assert f"cannot listen on 127.0.0.1:{rec.port}" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_record_warns_when_listening_beyond_loopback(tmp_path):
    # Binding 0.0.0.0 is only done when asked; it says so. (Nothing is sent: we stop at once.)
    rec = Recorder(tmp_path / "c.jsonl")
    rec.stop()
    r = subprocess.Popen([sys.executable, "-m", "tracetui", "record", "--listen", "0.0.0.0:0", "-o",
                          str(tmp_path / "d.jsonl")], stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = r.stderr.readline()
    finally:
        r.send_signal(signal.SIGINT)
        rest = r.stderr.read()
        r.wait(30)
    assert "reachable from other machines" in line + rest and "--token" in line + rest


def test_progress_overwrites_one_line_on_a_terminal():
    buf = io.StringIO()
    p = Progress(buf, tty=True)
    p.show("10 spans in 1 requests")
    p.show("2,000 spans in 4 requests")
    p.show("9 spans", final=True)
    assert buf.getvalue() == "\r10 spans in 1 requests\r2,000 spans in 4 requests\r9 spans" + " " * 20 + "\n"
    buf = io.StringIO()
    p = Progress(buf, tty=False)
    p.show("a")
    p.show("a")
    p.show("b")
    assert buf.getvalue() == "a\nb\n"


def test_capture_writer_matches_the_generic_otlp_json_writer():
    """The span-specialised writer says exactly what the descriptor-driven one says."""
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    rs.schema_url = "https://opentelemetry.io/schemas/1.21.0"
    kv = rs.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", "svc"
    ss = rs.scope_spans.add()
    ss.scope.name = "lib"
    sp = ss.spans.add()
    sp.trace_id, sp.span_id, sp.parent_span_id = bytes(range(1, 17)), bytes(range(1, 9)), bytes(range(2, 10))
    sp.name, sp.kind, sp.flags, sp.trace_state = "op", 3, 257, "a=b"
    sp.start_time_unix_nano, sp.end_time_unix_nano = 1_700_000_000_000_000_001, 1_700_000_000_000_000_999
    for key, setter in [("s", lambda v: setattr(v, "string_value", "x")), ("i", lambda v: setattr(v, "int_value", -5)),
                        ("d", lambda v: setattr(v, "double_value", float("nan"))),
                        ("inf", lambda v: setattr(v, "double_value", float("-inf"))),
                        ("b", lambda v: setattr(v, "bool_value", True)),
                        ("raw", lambda v: setattr(v, "bytes_value", b"\x00\xff"))]:
        a = sp.attributes.add()
        a.key = key
        setter(a.value)
    arr = sp.attributes.add()
    arr.key = "arr"
    arr.value.array_value.values.add().int_value = 1
    kvl = sp.attributes.add()
    kvl.key = "map"
    kvl.value.kvlist_value.values.add().key = "empty"
    sp.attributes.add().key = "unset"
    ev = sp.events.add()
    ev.name, ev.time_unix_nano, ev.dropped_attributes_count = "exception", 5, 2
    ev.attributes.add().key = "exception.stacktrace"
    ln = sp.links.add()
    ln.trace_id, ln.span_id, ln.flags = bytes(range(3, 19)), bytes(range(3, 11)), 1
    sp.dropped_attributes_count, sp.dropped_events_count, sp.dropped_links_count = 1, 2, 3
    sp.status.code, sp.status.message = 2, "bad"
    ss.spans.add().status.SetInParent()  # an empty status is still written
    assert request_json(req) == to_otlp_json(req)
    doc = request_json(req)
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert span["traceId"] == bytes(range(1, 17)).hex() and span["startTimeUnixNano"] == "1700000000000000001"
    assert {"key": "d", "value": {"doubleValue": "NaN"}} in span["attributes"]


@pytest.mark.parametrize("exists", [False, True])
def test_record_replaces_or_appends(tmp_path, exists):
    out = tmp_path / "c.jsonl"
    out.write_bytes(b'{"resourceSpans":[]}\n')
    rec = Recorder(out, *(["--append"] if exists else []))
    conn = http.client.HTTPConnection("127.0.0.1", rec.port, timeout=10)
    conn.request("POST", "/v1/traces", js_sdk_body(), {"Content-Type": "application/json"})
    assert conn.getresponse().status == 200
    conn.close()
    assert rec.stop()[0] == 0
    assert len(out.read_bytes().splitlines()) == (2 if exists else 1)


def test_record_takes_grpc_too(tmp_path):
    pytest.importorskip("grpc", reason="grpcio not installed (pip install 'tracetui[grpc]')")
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

    out = tmp_path / "capture.jsonl"
    rec = Recorder(out, "--grpc", "127.0.0.1:0")
    try:
        port = int(re.search(r"OTLP/gRPC on 127\.0\.0\.1:(\d+)", "".join(rec.stderr_lines)).group(1))
        exporter = GrpcExporter(endpoint=f"127.0.0.1:{port}", insecure=True, timeout=10)
        assert exporter.export(sdk_spans("grpc-svc")) == SpanExportResult.SUCCESS
        exporter.shutdown()
    finally:
        status, err = rec.stop()
    assert status == 0, err
    store = load(out)
    assert store.span_count == 3 and next(iter(store)).root.service == "grpc-svc"


def test_a_capture_holds_only_what_was_accepted_and_reads_back_clean(tmp_path):
    """Empty exports are answered 200 and not written; a span with a time beyond 64 bits is
    refused at the door and left out of the line; bodies that are not one JSON object are 400s.
    The capture then opens without a problem (it used to exit 1)."""
    from sources.receiver.test_receiver_door import bad_json_bodies, huge_time_body

    out = tmp_path / "capture.jsonl"
    rec = Recorder(out)
    answers = []
    try:
        conn = http.client.HTTPConnection("127.0.0.1", rec.port, timeout=10)
        for body, ctype in [(b"{}", "application/json"), (b'{"resourceSpans":[]}', "application/json"),
                            (ExportTraceServiceRequest().SerializeToString(), "application/x-protobuf"),
                            (huge_time_body(), "application/json"),
                            *[(b, "application/json") for b in bad_json_bodies().values()]]:
            conn.request("POST", "/v1/traces", body, {"Content-Type": ctype})
            resp = conn.getresponse()
            answers.append((resp.status, resp.read()))
        conn.close()
    finally:
        status, err = rec.stop()
    assert status == 0, err
    assert [a[0] for a in answers] == [200, 200, 200, 200, 400, 400, 400]
    assert orjson.loads(answers[3][1])["partialSuccess"]["rejectedSpans"] == "1"
    assert "Traceback" not in err
    lines = out.read_bytes().splitlines()
    assert len(lines) == 1  # only the request that had an accepted span
    store = load(out)  # no problem reading it back
    assert store.span_count == 1 and all(s.start_ns < 2**64 for t in store for s in t.spans)
    summary = subprocess.run([sys.executable, "-m", "tracetui", "summary", "--json", str(out)],
                             capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert summary.returncode == 0, summary.stderr
