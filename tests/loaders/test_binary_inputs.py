"""OTLP protobuf, the Collector file exporter's framings, gzip and zstd: all by content."""

import gzip
import json
import os
import struct

import zstandard
from loading import load_bytes
from sdk_dumps import otlp_json, proto_request, sdk_spans, span_keys, store_keys

SPANS = sdk_spans(traces=3, children=2)
PB = proto_request(SPANS)
EXPECTED = span_keys(SPANS)


def test_otlp_protobuf_request_loads():
    store, problems = load_bytes(PB, "capture.pb")
    assert problems == []
    assert len(store) == 3 and store_keys(store) == EXPECTED
    assert {s.service for t in store for s in t.spans} == {"shop"}


def test_protobuf_and_json_of_the_same_spans_agree():
    a, _ = load_bytes(PB)
    b, _ = load_bytes(json.dumps(otlp_json(SPANS)).encode())
    assert store_keys(a) == store_keys(b) == EXPECTED
    pa = {s.span_id: s.parent_id for t in a for s in t.spans}
    pb = {s.span_id: s.parent_id for t in b for s in t.spans}
    assert pa == pb


def _records(payloads):
    return b"".join(struct.pack(">I", len(p)) + p for p in payloads)


def test_collector_file_exporter_proto_records_plain_and_zstd_per_record():
    z = zstandard.ZstdCompressor()
    one = [proto_request([s]) for s in SPANS]
    for payloads in (one, [z.compress(p) for p in one]):
        store, problems = load_bytes(_records(payloads), "traces.bin")
        assert problems == []
        assert store_keys(store) == EXPECTED


def test_collector_file_exporter_json_zstd_records():
    z = zstandard.ZstdCompressor()
    payloads = [z.compress(json.dumps(otlp_json([s])).encode()) for s in SPANS]
    store, problems = load_bytes(_records(payloads))
    assert problems == [] and store_keys(store) == EXPECTED


def test_native_zstd_stream_and_gzip_of_json_lines():
    lines = b"\n".join(json.dumps(otlp_json([s])).encode() for s in SPANS) + b"\n"
    for packed in (zstandard.ZstdCompressor().compress(lines), gzip.compress(lines)):
        store, problems = load_bytes(packed, "dump")
        assert problems == [] and store_keys(store) == EXPECTED


def test_cut_protobuf_keeps_complete_spans_and_names_the_byte():
    spans = sdk_spans(traces=4, children=3)
    pb = proto_request(spans)
    cut = len(pb) * 2 // 3
    store, problems = load_bytes(pb[:cut], "capture.pb")
    got = store_keys(store)
    assert got and got < span_keys(spans)
    (p,) = problems
    assert p.source == "capture.pb" and p.where.startswith("byte ") and "truncated" in p.message
    assert int(p.where.split()[1].replace(",", "")) <= cut


def test_cut_record_file_keeps_the_complete_records():
    one = [proto_request([s]) for s in SPANS]
    data = _records(one)
    store, problems = load_bytes(data[:-10], "traces.bin")
    assert store.span_count >= len(SPANS) - 1
    assert len([p for p in problems if not p.warning]) == 1
    assert "record" in problems[0].where


def test_random_binary_is_not_taken_for_protobuf():
    rnd = __import__("random").Random(7)
    for n in range(200):
        data = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(1, 400)))
        if n % 2:
            data = b"\x0a" + data  # starts like a protobuf request
        store, problems = load_bytes(data, "noise")
        assert store.span_count == 0
        assert len(problems) >= 1


def test_gzip_bomb_is_capped():
    bomb = gzip.compress(b"\0" * (64 << 20))
    store, problems = load_bytes(bomb, "bomb.gz", limit=1 << 20)
    assert store.span_count == 0
    assert any("grows past" in p.message for p in problems)


def test_zstd_bomb_is_capped():
    bomb = zstandard.ZstdCompressor().compress(b"\0" * (64 << 20))
    store, problems = load_bytes(bomb, "bomb.zst", limit=1 << 20)
    assert any("grows past" in p.message for p in problems)


def test_truncated_gzip_of_a_json_document_still_gives_complete_spans():
    doc = json.dumps(otlp_json(sdk_spans(traces=20, children=2)), indent=1).encode()
    gz = gzip.compress(doc)
    store, problems = load_bytes(gz[: len(gz) // 2], "dump.json.gz")
    assert store.span_count > 0
    assert any("gzip" in p.message for p in problems)
    assert os.linesep  # keeps the import of os used


def test_requests_that_look_like_a_length_prefixed_record_are_read_as_requests():
    """A request's 5th byte can be 0x0a or "{" (a resource of 10 or 123 bytes): the first 4 bytes
    then read like the length of a record that starts with a request or JSON."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    req = ExportTraceServiceRequest()
    req.ParseFromString(proto_request(sdk_spans(traces=2, children=3, tiny_resource=True)))
    found = 0
    for k in range(1, 200):
        req.resource_spans[0].resource.attributes[0].value.string_value = "s" * k
        pb = req.SerializeToString()
        if pb[4] in (0x0A, 0x7B) and int.from_bytes(pb[:4], "big") <= len(pb) * 10**6:
            found += 1
            store, problems = load_bytes(pb)
            assert problems == [] and store.span_count == 8
            assert {s.service for t in store for s in t.spans} == {"s" * k}
    assert found


def test_record_file_cut_inside_its_first_record_says_so():
    data = _records([zstandard.ZstdCompressor().compress(PB)])
    store, problems = load_bytes(data[: len(data) // 2], "traces.zst.bin")
    (p,) = problems
    assert store.span_count == 0 and "ends inside the first one" in p.message
