"""Live mode's memory per retained span (issue 15: <= 0.8 KB a span with ten attributes, so the
default retention of 1,000,000 spans fits in under 1 GB), and what the compact spans decode to:
exactly what the eager decode of the same request gives, on real SDK output."""

from __future__ import annotations

import base64
import gzip

import orjson
import pytest
from conftest import SAMPLES
from exact import same
from google.protobuf import json_format
from live_memory import as_json, retained, sdk_requests
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from receiver_helpers import LiveReceiver
from sdk_dumps import proto_request, sdk_spans

from tracetui.loaders.otlp_json import read_otlp_json
from tracetui.loaders.otlp_proto import parse_request, request_to_batch
from tracetui.sources.receiver.ingest import JSON, PROTOBUF, decode

BOUND = 800  # bytes a retained span, ten attributes (the 0.8 KB)


@pytest.fixture(scope="module")
def requests_10k() -> list[bytes]:
    return sdk_requests(10_240)


@pytest.mark.parametrize("encoding", [PROTOBUF, JSON])
def test_a_retained_span_with_ten_attributes_costs_at_most_0_8_kb(requests_10k, encoding):
    reqs = requests_10k if encoding == PROTOBUF else as_json(requests_10k)
    got = retained(reqs, encoding)
    assert got["spans"] == 10_240
    assert got["per_span"] <= BOUND, f"{encoding}: {got['per_span']:.0f} bytes a span"
    # The bodies are not what is held: a JSON request alone is more than the bound per span.
    wire = sum(map(len, reqs)) / got["spans"]
    assert encoding == PROTOBUF or wire > BOUND


def test_retention_frees_what_it_evicts(requests_10k):
    # Twice the retention limit sent: what stays held is what the limit's spans cost.
    full = retained(requests_10k[:len(requests_10k) // 2], PROTOBUF)
    limited = retained(requests_10k, PROTOBUF, max_spans=full["spans"])
    store = limited["store"]
    assert store.span_count <= full["spans"] and store.span_count + store.evicted_spans == 10_240
    assert sum(len(t.spans) for t in store) == store.span_count and store.evicted_traces > 0
    assert limited["bytes"] <= full["bytes"] * 1.1


# -- compact spans decode as the eager decode does ---------------------------------------------


def _sample_requests() -> list[tuple[str, bytes]]:
    """Every OTLP JSON request of the bundled sample traces (made by the SDK's encoder)."""
    out = []
    for path in sorted(SAMPLES.iterdir()):
        if not path.name.endswith((".json", ".jsonl", ".jsonl.gz")):
            continue
        data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        for i, line in enumerate(data.splitlines()):
            if b'"resourceSpans"' in line:
                out.append((f"{path.name}:{i + 1}", line))
    return out


def _to_protobuf(doc: bytes) -> bytes:
    """The protobuf request an OTLP JSON request was written from (ids are hex in OTLP JSON,
    base64 in protobuf's own JSON mapping)."""
    def ids(o):
        if isinstance(o, dict):
            return {k: (base64.b64encode(bytes.fromhex(v)).decode()
                        if k in ("traceId", "spanId", "parentSpanId") and isinstance(v, str) else ids(v))
                    for k, v in o.items()}
        if isinstance(o, list):
            return [ids(x) for x in o]
        return o

    return json_format.ParseDict(ids(orjson.loads(doc)), ExportTraceServiceRequest()).SerializeToString()




def _view(s) -> tuple:
    """Everything a reader of a span sees."""
    return (s.trace_id, s.span_id, s.parent_id, s.name, s.kind, s.start_ns, s.end_ns, s.status, s.status_message,
            s.resource, s.scope, s.attributes, [(e.time_ns, e.name, e.attributes) for e in s.events],
            [(ln.trace_id, ln.span_id, ln.attributes, ln.trace_state) for ln in s.links], s.follows_from,
            s.trace_state)


def _assert_same_spans(got, want, where: str) -> None:
    assert len(got) == len(want), where
    for g, w in zip(got, want, strict=True):
        assert same(_view(g), _view(w)), f"{where}: span {w.span_id}"


def test_compact_spans_of_the_sample_traces_decode_as_the_eager_decode():
    samples = _sample_requests()
    assert len(samples) > 100 and any(b'"events"' in d for _, d in samples) and any(b'"links"' in d for _, d in samples)
    packed = 0
    for where, doc in samples:
        pb = _to_protobuf(doc)
        eager = request_to_batch(parse_request(pb), "eager").spans  # dicts and lists, as the loader makes them
        live = decode(pb, PROTOBUF).batch.spans
        _assert_same_spans(live, eager, f"{where} (protobuf)")
        packed += sum(s.raw_attributes.__class__ is bytes for s in live)
        # OTLP JSON: the receiver's compact spans against the loader's undecoded ones.
        lazy = [s for b in read_otlp_json(doc, "lazy") for s in b.spans]
        _assert_same_spans(decode(doc, JSON).batch.spans, lazy, f"{where} (json)")
        _assert_same_spans(decode(doc, JSON).batch.spans, eager, f"{where} (json against protobuf)")
    assert packed > 1000


def test_compact_spans_of_the_benchmark_requests_decode_as_the_eager_decode(requests_10k):
    events = 0
    for pb, doc in zip(requests_10k[:6], as_json(requests_10k[:6]), strict=True):
        eager = request_to_batch(parse_request(pb), "eager").spans
        assert all(len(s.attributes) == 10 for s in eager)
        events += sum(len(s.events) for s in eager)
        _assert_same_spans(decode(pb, PROTOBUF).batch.spans, eager, "protobuf")
        _assert_same_spans(decode(doc, JSON).batch.spans, eager, "json")
    assert events > 100


def test_spans_received_over_http_are_stored_packed_and_read_as_sent():
    spans = sdk_spans(traces=3, children=3)
    body = proto_request(spans)
    with LiveReceiver() as r:
        status, _, _ = r.post(body, {"Content-Type": "application/x-protobuf"})
        assert status == 200
        stored = sorted((s for t in r.store for s in t.spans), key=lambda s: s.span_id)
    eager = sorted(request_to_batch(parse_request(body), "eager").spans, key=lambda s: s.span_id)
    assert all(s.raw_attributes.__class__ is bytes for s in stored if s.raw_attributes is not None)
    _assert_same_spans(stored, eager, "http")
    assert {s.attributes["step"] for s in stored if "step" in s.attributes} == {0, 1, 2}
