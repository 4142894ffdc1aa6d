"""Each format maps to the model the way docs/formats.md says: ids, parents, services, events,
attributes, status; shared Zipkin spans; padded Jaeger ids joining their OTLP copy."""

import base64
import io
import json

from conftest import FIXTURES
from loading import load_bytes, load_files

from tracetui.model.span import KIND_CLIENT, KIND_SERVER, STATUS_ERROR
from tracetui.model.trace import NO_PARENT

JAEGER = FIXTURES / "jaeger"
ZIPKIN = FIXTURES / "zipkin"
OTLP_EXAMPLE = FIXTURES / "otlp" / "opentelemetry-proto-example.json"


# -- Jaeger -------------------------------------------------------------------------------

def test_jaeger_31_char_trace_id_is_padded_and_joins_its_otlp_copy(tmp_path):
    path = JAEGER / "trace-statistics" / "spansAmongEachOther.json"
    doc = json.loads(path.read_text())
    assert len(doc["traceID"]) == 31
    short_span = next(s for s in doc["spans"] if len(s["spanID"]) == 15)
    # The same trace as OTLP would carry it: 32 / 16 hex characters, one more span under short_span.
    otlp = {"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "otlp-side"}}]},
        "scopeSpans": [{"spans": [{
            "traceId": "0" + doc["traceID"].upper(), "spanId": "00000000000000aa",
            "parentSpanId": "0" + short_span["spanID"], "name": "from-otlp",
            "startTimeUnixNano": str(short_span["startTime"] * 1000),
            "endTimeUnixNano": str(short_span["startTime"] * 1000 + 1000)}]}]}]}
    other = tmp_path / "otlp.json"
    other.write_text(json.dumps(otlp))
    store, problems = load_files(path, other)
    assert problems == []
    (t,) = store.traces.values()
    assert t.trace_id == "0" + doc["traceID"].lower()
    assert len(t.spans) == len(doc["spans"]) + 1
    assert t.orphans == []
    i = next(i for i, s in enumerate(t.spans) if s.name == "from-otlp")
    assert t.spans[t.parent[i]].span_id == "0" + short_span["spanID"]


def test_jaeger_follows_from_is_a_non_blocking_parent():
    store, _ = load_files(JAEGER / "critical-path" / "case5.json")
    (t,) = store.traces.values()
    doc = json.loads((JAEGER / "critical-path" / "case5.json").read_text())["trace"]
    ff = [s for s in doc["spans"] if s.get("references") and s["references"][0]["refType"] == "FOLLOWS_FROM"]
    assert ff
    for s in ff:
        i = t.position(s["spanID"])
        assert t.spans[i].follows_from
        assert t.spans[t.parent[i]].span_id == s["references"][0]["spanID"]
        assert not t.is_blocking(i)


def test_jaeger_logs_tags_processes_warnings_and_the_data_wrapper():
    trace = {
        "traceID": "abc", "warnings": ["clock skew adjustment disabled"],
        "processes": {"p1": {"serviceName": "frontend", "tags": [{"key": "hostname", "type": "string", "value": "h1"}]}},
        "spans": [{
            "traceID": "abc", "spanID": "1", "operationName": "GET /", "startTime": 1_000_000, "duration": 2500,
            "processID": "p1", "references": [],
            "tags": [{"key": "span.kind", "value": "server"}, {"key": "error", "type": "bool", "value": True},
                     {"key": "http.status_code", "type": "int64", "value": 500}],
            "logs": [{"timestamp": 1_000_100, "fields": [{"key": "event", "value": "retry"},
                                                         {"key": "attempt", "value": 2}]}],
        }],
    }
    store, problems = load_bytes(json.dumps({"data": [trace], "errors": None}).encode())
    (t,) = store.traces.values()
    (s,) = t.spans
    assert (t.trace_id, s.span_id) == ("0000000000000abc", "0000000000000001")
    assert (s.service, s.resource.attributes["hostname"]) == ("frontend", "h1")
    assert (s.kind, s.status) == (KIND_SERVER, STATUS_ERROR)
    assert (s.start_ns, s.end_ns) == (1_000_000_000, 1_002_500_000)
    assert s.attributes["http.status_code"] == 500
    (ev,) = s.events
    assert (ev.time_ns, ev.name, ev.attributes["attempt"]) == (1_000_100_000, "retry", 2)
    # The backend's warning is kept, visible, and costs nothing.
    assert [(p.message, p.warning) for p in problems] == [("Jaeger warning: clock skew adjustment disabled", True)]


def test_jaeger_api_error_answer_is_reported():
    body = {"data": None, "total": 0, "limit": 0, "offset": 0,
            "errors": [{"code": 404, "msg": "trace not found"}]}
    store, problems = load_bytes(json.dumps(body).encode(), "curl")
    assert store.span_count == 0
    assert any("trace not found" in str(p) for p in problems)


# -- Zipkin -------------------------------------------------------------------------------

def test_zipkin_shared_server_span_becomes_child_of_its_client():
    raw = json.loads((ZIPKIN / "skew.json").read_text())
    shared = next(s for s in raw if s.get("shared"))
    client = next(s for s in raw if s["id"] == shared["id"] and not s.get("shared"))
    store, problems = load_files(ZIPKIN / "skew.json")
    assert problems == []
    (t,) = store.traces.values()
    assert len(t.spans) == 4  # the shared span did not replace its client
    ids = [(s.span_id, s.kind) for s in t.spans]
    server = ids.index((shared["id"], KIND_SERVER))
    cl = ids.index((client["id"], KIND_CLIENT))
    assert t.parent[server] == cl
    assert t.spans[t.parent[cl]].span_id == client["parentId"]
    assert t.orphans == [] and len(t.roots) == 1


def test_zipkin_every_shared_span_with_its_client_present_hangs_under_it():
    checked = 0
    for path in sorted(ZIPKIN.glob("*.json")):
        raw = json.loads(path.read_text())
        owners = {s["id"] for s in raw if not s.get("shared")}
        expected = sorted(s["id"] for s in raw if s.get("shared") and s["id"] in owners)
        store, _ = load_files(path)
        (t,) = store.traces.values()
        under_twin = sorted(
            s.span_id for i, s in enumerate(t.spans)
            if t.parent[i] != NO_PARENT and t.spans[t.parent[i]].span_id == s.span_id and t.parent[i] != i
        )
        assert under_twin == expected, path.name
        checked += len(expected)
    assert checked >= 3


def test_zipkin_fields_map_to_the_model():
    spans = [[{
        "traceId": "a" * 16, "id": "b" * 16, "kind": "CLIENT", "name": "get /x", "timestamp": 1_600_000_000_000_000,
        "duration": 1500, "localEndpoint": {"serviceName": "web", "ipv4": "10.0.0.1"},
        "remoteEndpoint": {"serviceName": "db", "ipv4": "10.0.0.2", "port": 5432},
        "annotations": [{"timestamp": 1_600_000_000_000_100, "value": "ws"}],
        "tags": {"http.path": "/x", "error": "connection refused"},
    }]]
    store, problems = load_bytes(json.dumps(spans).encode())
    assert problems == []
    (s,) = next(iter(store)).spans
    assert (s.service, s.kind, s.name) == ("web", KIND_CLIENT, "get /x")
    assert (s.start_ns, s.duration_ns) == (1_600_000_000_000_000_000, 1_500_000)
    assert (s.status, s.status_message) == (STATUS_ERROR, "connection refused")
    assert s.attributes["peer.service"] == "db"
    assert (s.attributes["net.peer.ip"], s.attributes["net.peer.port"]) == ("10.0.0.2", 5432)
    assert s.attributes["http.path"] == "/x"
    assert [(e.time_ns, e.name) for e in s.events] == [(1_600_000_000_000_100_000, "ws")]


def test_zipkin_kafka_remote_endpoint_is_kept_as_peer_service():
    store, _ = load_files(ZIPKIN / "messaging-kafka.json")
    raw = json.loads((ZIPKIN / "messaging-kafka.json").read_text())
    with_remote = sum(1 for s in raw if (s.get("remoteEndpoint") or {}).get("serviceName") == "kafka")
    assert with_remote > 0
    assert sum(1 for t in store for s in t.spans if s.attributes.get("peer.service") == "kafka") == with_remote


# -- Python ConsoleSpanExporter -------------------------------------------------------------

def _console_dump():
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
    from opentelemetry.trace import SpanKind, Status, StatusCode

    out = io.StringIO()
    provider = TracerProvider(resource=Resource.create({"service.name": "checkout"}))
    finished = []

    class Keep(SimpleSpanProcessor):
        def on_end(self, span):
            finished.append(span)
            super().on_end(span)

    provider.add_span_processor(Keep(ConsoleSpanExporter(out=out)))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("POST /pay", kind=SpanKind.SERVER) as root:
        root.set_attribute("http.route", "/pay")
        root.add_event("validated", {"items": 3})
        with tracer.start_as_current_span("charge card", kind=SpanKind.CLIENT) as child:
            child.set_status(Status(StatusCode.ERROR, "card declined"))
    provider.shutdown()
    return out.getvalue().encode(), finished


def test_console_exporter_output_loads_with_ids_times_kinds_and_status():
    data, finished = _console_dump()
    assert data.lstrip().startswith(b"{") and b'"0x' in data
    store, problems = load_bytes(data, "pasted")
    assert problems == []
    (t,) = store.traces.values()
    assert t.trace_id == format(finished[0].context.trace_id, "032x")
    by_name = {s.name: s for s in t.spans}
    for sdk in finished:
        s = by_name[sdk.name]
        assert s.span_id == format(sdk.context.span_id, "016x")
        # The console format keeps microseconds.
        assert abs(s.start_ns - sdk.start_time) <= 1000 and s.start_ns % 1000 == 0
        assert abs(s.end_ns - sdk.end_time) <= 1000
        assert s.service == "checkout"
    root, child = by_name["POST /pay"], by_name["charge card"]
    assert child.parent_id == root.span_id and root.parent_id == ""
    assert (root.kind, child.kind) == (KIND_SERVER, KIND_CLIENT)
    assert (child.status, child.status_message) == (STATUS_ERROR, "card declined")
    assert root.attributes == {"http.route": "/pay"}
    assert [(e.name, e.attributes) for e in root.events] == [("validated", {"items": 3})]


def test_console_exporter_bad_object_is_skipped_with_its_line():
    data, _ = _console_dump()
    text = data.decode()
    second = text.index("\n{") + 1
    broken = text[:second] + '{\n    "name": oops\n}\n' + text[second:]
    store, problems = load_bytes(broken.encode(), "pasted")
    assert store.span_count == 2
    (p,) = problems
    assert p.where == f"line {broken[:second].count(chr(10)) + 1}" and not p.warning


# -- OTLP JSON --------------------------------------------------------------------------------

def _example():
    return json.loads(OTLP_EXAMPLE.read_text())


def test_otlp_wrappers_hold_the_same_spans():
    doc = _example()
    plain, _ = load_bytes(json.dumps(doc).encode())
    expected = sorted((s.trace_id, s.span_id, s.service) for t in plain for s in t.spans)
    assert expected
    for wrapped in ({"batches": doc["resourceSpans"]}, {"trace": doc}, {"result": doc}, {"data": doc}):
        store, problems = load_bytes(json.dumps(wrapped).encode())
        assert problems == [], wrapped.keys()
        assert sorted((s.trace_id, s.span_id, s.service) for t in store for s in t.spans) == expected


def test_otlp_json_lines_read_logs_lines_and_name_the_bad_line():
    doc = _example()
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    lines = []
    for i in range(3):
        d = json.loads(json.dumps(doc))
        d["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["spanId"] = f"{i + 1:016x}"
        lines.append(json.dumps(d))
    lines.insert(1, json.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {"stringValue": "hi"}}]}]}]}))
    lines.insert(3, '{"resourceSpans": [ this is not json')
    store, problems = load_bytes("\n".join(lines).encode() + b"\n", "collector.jsonl")
    assert store.span_count == 3
    assert {s.span_id for t in store for s in t.spans} == {f"{i:016x}" for i in (1, 2, 3)}
    (p,) = problems
    assert p.source == "collector.jsonl" and p.where.startswith("line 4") and not p.warning
    assert [r.body for r in store.traceless_logs] == ["hi"]  # no trace id: kept apart, counted
    assert span["traceId"]


def test_otlp_json_lines_give_several_batches():
    from tracetui.loaders import read_bytes

    line = json.dumps(_example())
    batches = list(read_bytes(("\n".join([line] * 600)).encode(), "big.jsonl"))
    assert len(batches) >= 3
    assert sum(len(b.spans) for b in batches) == 600


def test_span_without_ids_and_end_before_start():
    doc = _example()
    spans = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]
    good = spans[0]
    no_id = dict(good, spanId="")
    backwards = dict(good, spanId="00000000000000bb", startTimeUnixNano="2000", endTimeUnixNano="1000")
    spans[:] = [good, no_id, backwards]
    store, problems = load_bytes(json.dumps(doc).encode(), "f.json")
    assert store.span_count == 2
    lost = [p for p in problems if not p.warning]
    kept = [p for p in problems if p.warning]
    assert len(lost) == 1 and lost[0].skipped == 1 and "spans[1]" in lost[0].where
    assert len(kept) == 1 and "spans[2]" in kept[0].where
    b = next(s for t in store for s in t.spans if s.span_id == "00000000000000bb")
    assert b.start_ns == b.end_ns == 2000


def test_base64_ids_from_tempo_join_hex_ones():
    doc = _example()
    sp = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    hex_tid = sp["traceId"].lower()
    sp["traceId"] = base64.b64encode(bytes.fromhex(hex_tid)).decode()
    store, _ = load_bytes(json.dumps(doc).encode())
    assert list(store.traces) == [hex_tid]


def test_zipkin_child_of_a_shared_id_hangs_under_the_server_in_its_own_service():
    raw = json.loads((ZIPKIN / "skew.json").read_text())
    shared = next(s for s in raw if s.get("shared"))
    kids = [s for s in raw if s.get("parentId") == shared["id"]]
    assert kids and all(k["localEndpoint"]["serviceName"] == shared["localEndpoint"]["serviceName"] for k in kids)
    store, _ = load_files(ZIPKIN / "skew.json")
    (t,) = store.traces.values()
    server = next(i for i, s in enumerate(t.spans) if s.span_id == shared["id"] and s.kind == KIND_SERVER)
    for k in kids:
        i = t.position(k["id"])
        assert t.parent[i] == server


def test_otlp_json_list_of_requests():
    doc = _example()
    other = json.loads(json.dumps(doc))
    other["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["spanId"] = "00000000000000cc"
    store, problems = load_bytes(json.dumps([doc, other]).encode())
    assert problems == [] and store.span_count == 2


def test_windows_text_with_a_bom_or_in_utf16_loads():
    for path in (OTLP_EXAMPLE, ZIPKIN / "skew.json", JAEGER / "critical-path" / "case1.json"):
        plain, _ = load_bytes(path.read_bytes())
        text = path.read_text()
        for data in (b"\xef\xbb\xbf" + path.read_bytes(), text.replace("\n", "\r\n").encode("utf-16")):
            store, problems = load_bytes(data)
            assert problems == [], path.name
            assert store.span_count == plain.span_count > 0
