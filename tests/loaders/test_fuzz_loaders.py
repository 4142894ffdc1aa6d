"""Mutated dumps of every format thrown at `read_bytes` (detection, decompression, framing,
every reader): nothing escapes as an exception, and memory stays bounded.

Examples per test: 150 by default (a few seconds); `TRACETUI_FUZZ_EXAMPLES=5000` for a long run.
"""

import gzip
import json
import os
import struct
import tracemalloc

import orjson
import zstandard
from conftest import FIXTURES
from hostile import huge_timestamps, nested_document, nested_lines, request, span
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdk_dumps import otlp_json, proto_request, sdk_spans

from tracetui.analysis import critical_path, self_times
from tracetui.loaders import read_bytes
from tracetui.loaders.__init__ import INTERNAL_ERROR
from tracetui.loaders.vocabulary import MAX_TIME_NS
from tracetui.model import TraceStore

EXAMPLES = int(os.environ.get("TRACETUI_FUZZ_EXAMPLES", "150"))
LIMIT = 4 << 20  # the decompression cap under test

_spans = sdk_spans(traces=2, children=2)
_pb = proto_request(_spans)
_json = json.dumps(otlp_json(_spans)).encode()
SEEDS = {
    "otlp-json": (FIXTURES / "otlp" / "opentelemetry-proto-example.json").read_bytes(),
    "otlp-jsonl": _json + b"\n" + _json + b"\n",
    "otlp-proto": _pb,
    "records": struct.pack(">I", len(_pb)) + _pb + struct.pack(">I", len(_pb)) + zstandard.ZstdCompressor().compress(_pb),
    "jaeger": (FIXTURES / "jaeger" / "critical-path" / "case5.json").read_bytes(),
    "jaeger-data": b'{"data": [' + (FIXTURES / "jaeger" / "trace-statistics" / "testTrace.json").read_bytes() + b"]}",
    "zipkin": (FIXTURES / "zipkin" / "skew.json").read_bytes(),
    "zipkin-lists": b"[" + (FIXTURES / "zipkin" / "messaging.json").read_bytes() + b"]",
    "console": (b'{\n "name": "a",\n "context": {"trace_id": "0x' + b"1" * 32 + b'", "span_id": "0x' + b"2" * 16
                + b'"},\n "kind": "SpanKind.SERVER", "parent_id": null, "start_time": "2024-01-01T00:00:00.000001Z",'
                b' "end_time": "2024-01-01T00:00:01Z", "status": {"status_code": "ERROR"}, "attributes": {"a": 1},'
                b' "resource": {"attributes": {"service.name": "s"}}\n}\n') * 2,
}
# Pieces of Zipkin spans (late tags, a shared half without times, a span in two parts): merged.
SEEDS["zipkin-pieces"] = json.dumps([
    {"traceId": "1" * 32, "id": "a" * 16, "kind": "CLIENT", "timestamp": 10, "duration": 5,
     "localEndpoint": {"serviceName": "f", "port": 1}},
    {"traceId": "1" * 32, "id": "a" * 16, "kind": "SERVER", "shared": True, "localEndpoint": {"serviceName": "b"},
     "tags": {"t": "1"}},
    {"traceId": "1" * 16, "id": "a" * 16, "localEndpoint": {"serviceName": "f"}, "annotations": [{"timestamp": 12,
                                                                                                "value": "x"}]},
    {"traceId": "1" * 32, "id": "b" * 16, "parentId": "a" * 16, "timestamp": 11, "localEndpoint": {"serviceName": "b"}},
    {"traceId": "1" * 32, "id": "b" * 16, "duration": 2, "tags": {"u": "2"}},
]).encode()
SEEDS["utf16-zipkin"] = SEEDS["zipkin"].decode().encode("utf-16")
SEEDS["bom-jaeger"] = b"\xef\xbb\xbf" + SEEDS["jaeger"]
SEEDS["gzip"] = gzip.compress(SEEDS["otlp-json"])
SEEDS["zstd"] = zstandard.ZstdCompressor().compress(SEEDS["otlp-jsonl"])
# The hostile inputs of issue 11.
SEEDS["nested-attribute"] = nested_document(n=12, bad=4)
SEEDS["nested-lines"] = nested_lines(n=6, bad=2)
SEEDS["huge-timestamps"] = huge_timestamps()
SEEDS["objects-for-arrays"] = orjson.dumps({"resourceSpans": {"scopeSpans": {"spans": [span(0), span(1, kind=9)]}}})
_utf16 = orjson.dumps(request([span(i) for i in range(8)]), option=orjson.OPT_INDENT_2).decode().encode("utf-16")
SEEDS["utf16-odd-cut"] = _utf16[: (len(_utf16) // 2) | 1]
NAMES = sorted(SEEDS)


@st.composite
def mutated(draw):
    data = bytearray(SEEDS[draw(st.sampled_from(NAMES))])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["cut", "flip", "insert", "delete", "dup", "splice", "byte"]))
        n = len(data)
        i = draw(st.integers(0, max(n - 1, 0)))
        if op == "cut":
            del data[i:]
        elif op == "flip" and n:
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte" and n:
            data[i] = draw(st.sampled_from(b'{}[]",:0\n\x00\x0a\xff-e.'))
        elif op == "insert":
            data[i:i] = draw(st.binary(max_size=16))
        elif op == "delete":
            del data[i:i + draw(st.integers(1, 64))]
        elif op == "dup":
            j = draw(st.integers(i, n))
            data[j:j] = data[i:j]
        elif op == "splice":
            other = SEEDS[draw(st.sampled_from(NAMES))]
            k = draw(st.integers(0, len(other)))
            data[i:] = other[k:]
    return bytes(data)


def _load(data: bytes) -> TraceStore:
    store = TraceStore()
    for batch in read_bytes(data, "fuzz", limit=LIMIT):
        for p in batch.problems:
            assert INTERNAL_ERROR not in p.message, p
            assert "\n" not in str(p)
        for s in batch.spans:  # what `--json` writes must fit its contract (and 64 bits)
            assert 0 <= s.start_ns <= s.end_ns <= MAX_TIME_NS and 0 <= s.kind <= 5 and 0 <= s.status <= 2, s
        store.add(batch.spans)
    for t in store:
        t.ensure_built()
        critical_path(t)
        self_times(t)
    return store


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_dumps_never_raise(data):
    _load(data)


def test_the_hostile_seeds_keep_what_is_good():
    for name in ("nested-attribute", "nested-lines", "huge-timestamps", "objects-for-arrays", "utf16-odd-cut"):
        store = _load(SEEDS[name])
        assert store.span_count >= 2, name


@settings(max_examples=max(EXAMPLES // 5, 10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_never_raise(data):
    _load(data)


@settings(max_examples=max(EXAMPLES // 10, 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["gzip", "zstd"]), st.integers(8, 64))
def test_bombs_stay_within_the_cap(kind, mib):
    zeros = b"\0" * (mib << 20)
    bomb = gzip.compress(zeros, 1) if kind == "gzip" else zstandard.ZstdCompressor().compress(zeros)
    del zeros
    tracemalloc.start()
    try:
        store = _load(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert store.span_count == 0
    # The output is held once (three times before: chunks, joined, sliced), plus one chunk.
    assert peak < LIMIT + (2 << 20), peak
