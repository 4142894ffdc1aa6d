"""The OTLP JSON loader reads what real producers write (DESIGN.md, "Formats to read").

Each test feeds one small document that differs from canonical OTLP JSON in one way, and checks
that a user sees the same span they would see from the canonical form.
"""

from __future__ import annotations

import base64
import copy
import math

import orjson
import pytest

from tracetui.loaders import read_bytes
from tracetui.model import Span

TID = "4bf92f3577b34da6a3ce929d0e0e4736"
ROOT = "00f067aa0ba902b7"
CHILD = "b7ad6b7169203331"
START, END = 1_700_000_003_000_000_000, 1_700_000_003_250_000_000  # 250 ms apart


def canonical() -> dict:
    """A canonical OTLP JSON request: a server span and its client child."""
    return {"resourceSpans": [{
        "resource": {"attributes": [
            {"key": "service.name", "value": {"stringValue": "checkout"}},
            {"key": "host.name", "value": {"stringValue": "node-7"}},
        ]},
        "scopeSpans": [{
            "scope": {"name": "shop.http", "version": "1.2", "attributes": [
                {"key": "lib.flavour", "value": {"stringValue": "sync"}}]},
            "spans": [
                {"traceId": TID, "spanId": ROOT, "name": "POST /api/checkout", "kind": 2,
                 "startTimeUnixNano": str(START), "endTimeUnixNano": str(END),
                 "status": {"code": 2, "message": "payment failed"},
                 "attributes": [{"key": "http.response.status_code", "value": {"intValue": "502"}}]},
                {"traceId": TID, "spanId": CHILD, "parentSpanId": ROOT, "name": "GET /api/stock", "kind": 3,
                 "startTimeUnixNano": str(START + 10_000_000), "endTimeUnixNano": str(START + 60_000_000),
                 "status": {}},
            ],
        }],
    }]}


def load(doc: dict | bytes) -> tuple[list[Span], list[str]]:
    data = doc if isinstance(doc, bytes) else orjson.dumps(doc)
    spans: list[Span] = []
    problems: list[str] = []
    for batch in read_bytes(data, "test.json"):
        spans.extend(batch.spans)
        problems.extend(str(p) for p in batch.problems)
    return spans, problems


def spans_of(doc: dict) -> list[dict]:
    return doc["resourceSpans"][0]["scopeSpans"][0]["spans"]


def shape(spans: list[Span]) -> list[tuple]:
    return [(s.trace_id, s.span_id, s.parent_id, s.name, s.kind, s.start_ns, s.end_ns, s.status, s.service)
            for s in spans]


EXPECTED = [
    (TID, ROOT, "", "POST /api/checkout", 2, START, END, 2, "checkout"),
    (TID, CHILD, ROOT, "GET /api/stock", 3, START + 10_000_000, START + 60_000_000, 0, "checkout"),
]


def test_canonical_document_reads_as_written():
    spans, problems = load(canonical())
    assert problems == []
    assert shape(spans) == EXPECTED


def test_upper_case_hex_ids_are_shown_lower_case():
    doc = canonical()
    for s in spans_of(doc):
        for k in ("traceId", "spanId", "parentSpanId"):
            if k in s:
                s[k] = s[k].upper()
    spans, problems = load(doc)
    assert problems == []
    assert shape(spans) == EXPECTED


def test_base64_ids_as_tempo_writes_them_become_hex():
    def b64(hex_id: str) -> str:
        return base64.b64encode(bytes.fromhex(hex_id)).decode()

    doc = canonical()
    for s in spans_of(doc):
        for k in ("traceId", "spanId", "parentSpanId"):
            if k in s:
                s[k] = b64(s[k])
    assert len(spans_of(doc)[0]["traceId"]) == 24 and len(spans_of(doc)[0]["spanId"]) == 12
    spans, problems = load(doc)
    assert problems == []
    assert shape(spans) == EXPECTED


def test_int64_as_numbers_reads_like_int64_as_strings():
    doc = canonical()
    for s in spans_of(doc):
        s["startTimeUnixNano"] = int(s["startTimeUnixNano"])
        s["endTimeUnixNano"] = int(s["endTimeUnixNano"])
    spans_of(doc)[0]["attributes"][0]["value"]["intValue"] = 502
    spans, problems = load(doc)
    assert problems == []
    assert shape(spans) == EXPECTED
    assert spans[0].attributes["http.response.status_code"] == 502


def test_otel_js_low_high_int64_objects():
    # long.js keeps a 64-bit value as two signed 32-bit halves: value = high * 2**32 + (low mod 2**32).
    def low_high(v: int) -> dict:
        low = v & 0xFFFFFFFF
        return {"low": low - 2**32 if low >= 2**31 else low, "high": v >> 32}

    # START's low half has its top bit set, so `low` is negative here: the case that goes wrong
    # when the halves are simply added.
    assert low_high(START)["low"] < 0
    doc = canonical()
    for s in spans_of(doc):
        s["startTimeUnixNano"] = low_high(int(s["startTimeUnixNano"]))
        s["endTimeUnixNano"] = low_high(int(s["endTimeUnixNano"]))
    spans, problems = load(doc)
    assert problems == []
    assert shape(spans) == EXPECTED


def test_enum_names_read_like_enum_integers():
    doc = canonical()
    root, child = spans_of(doc)
    root["kind"], root["status"]["code"] = "SPAN_KIND_SERVER", "STATUS_CODE_ERROR"
    child["kind"], child["status"] = "SPAN_KIND_CLIENT", {"code": "STATUS_CODE_UNSET"}
    spans, problems = load(doc)
    assert problems == []
    assert shape(spans) == EXPECTED
    assert spans[0].status_message == "payment failed"


def _snake(obj):
    """canonical() with every key in snake_case, as protobuf's Python JSON printer can write."""
    def key(k: str) -> str:
        return "".join("_" + c.lower() if c.isupper() else c for c in k)
    if isinstance(obj, dict):
        return {key(k): _snake(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_snake(v) for v in obj]
    return obj


def test_snake_case_keys():
    doc = _snake(canonical())
    assert "resource_spans" in doc and "trace_id" in doc["resource_spans"][0]["scope_spans"][0]["spans"][0]
    spans, problems = load(doc)
    assert problems == []
    assert shape(spans) == EXPECTED
    assert spans[0].attributes["http.response.status_code"] == 502  # int_value inside
    assert spans[0].resource.attributes["host.name"] == "node-7"  # string_value inside


def test_snake_case_words_inside_a_camel_case_document_do_not_change_its_key_style():
    doc = canonical()
    spans_of(doc)[0]["attributes"] += [
        {"key": "trace_id", "value": {"stringValue": "from a log correlation library"}},
        {"key": "db.query.text", "value": {"stringValue": "SELECT resource_spans, scope_spans FROM t"}},
    ]
    spans, problems = load(doc)
    assert problems == []
    assert shape(spans) == EXPECTED
    assert spans[0].attributes["trace_id"] == "from a log correlation library"


def test_instrumentation_library_spans_of_old_producers():
    doc = canonical()
    rs = doc["resourceSpans"][0]
    ss = rs.pop("scopeSpans")[0]
    ss["instrumentationLibrary"] = ss.pop("scope")
    rs["instrumentationLibrarySpans"] = [ss]
    spans, problems = load(doc)
    assert problems == []
    assert shape(spans) == EXPECTED
    assert (spans[0].scope.name, spans[0].scope.version) == ("shop.http", "1.2")


def test_unknown_fields_are_ignored_at_every_level():
    doc = canonical()
    doc["someFutureField"] = {"x": 1}
    rs = doc["resourceSpans"][0]
    rs["schemaUrl"] = "https://opentelemetry.io/schemas/1.26.0"
    rs["resource"]["droppedAttributesCount"] = 0
    rs["resource"]["entityRefs"] = [{"type": "host"}]
    rs["scopeSpans"][0]["schemaUrl"] = ""
    for s in spans_of(doc):
        s["flags"] = 769
        s["droppedEventsCount"] = 3
        s["newThing"] = [1, 2, {"deep": True}]
    spans, problems = load(doc)
    assert problems == []
    assert shape(spans) == EXPECTED


@pytest.mark.parametrize("resource", [{"attributes": []}, {}, None], ids=["no-service-name", "empty", "absent"])
def test_a_resource_without_service_name_is_unknown_service(resource):
    doc = canonical()
    if resource is None:
        del doc["resourceSpans"][0]["resource"]
    else:
        doc["resourceSpans"][0]["resource"] = resource
    spans, problems = load(doc)
    assert problems == []
    assert [s.service for s in spans] == ["unknown_service", "unknown_service"]


def test_special_double_values_bytes_and_empty_values():
    doc = canonical()
    spans_of(doc)[0]["attributes"] = [
        {"key": "nan", "value": {"doubleValue": "NaN"}},
        {"key": "inf", "value": {"doubleValue": "Infinity"}},
        {"key": "neg", "value": {"doubleValue": "-Infinity"}},
        {"key": "half", "value": {"doubleValue": 0.5}},
        {"key": "raw", "value": {"bytesValue": "AP9oaQ=="}},
        {"key": "nothing", "value": {}},
    ]
    spans, problems = load(doc)
    assert problems == []
    attrs = spans[0].attributes
    assert math.isnan(attrs["nan"])
    assert attrs["inf"] == math.inf and attrs["neg"] == -math.inf and attrs["half"] == 0.5
    assert attrs["raw"] == "AP9oaQ=="  # shown as the base64 text it came as
    assert attrs["nothing"] is None


def test_resource_and_scope_attributes_are_kept():
    spans, _ = load(canonical())
    assert spans[1].resource.attributes == {"service.name": "checkout", "host.name": "node-7"}
    assert spans[1].scope.attributes == {"lib.flavour": "sync"}


@pytest.mark.parametrize("wrap", [
    lambda d: {"batches": d["resourceSpans"]},  # Tempo API v1
    lambda d: {"trace": d},  # Tempo API v2
    lambda d: {"result": d},  # Jaeger API v3
], ids=["tempo-v1-batches", "tempo-v2-trace", "jaeger-v3-result"])
def test_backend_wrappers(wrap):
    spans, problems = load(wrap(canonical()))
    assert problems == []
    assert shape(spans) == EXPECTED


def test_json_lines_with_logs_and_metrics_lines_and_bare_resource_spans():
    doc = canonical()
    root_only, child_only = copy.deepcopy(doc), copy.deepcopy(doc)
    del spans_of(root_only)[1]
    del spans_of(child_only)[0]
    lines = [
        orjson.dumps(root_only),
        orjson.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {"stringValue": "hi"}}]}]}]}),
        orjson.dumps({"resourceMetrics": []}),
        orjson.dumps(child_only["resourceSpans"][0]),  # a bare ResourceSpans (Java's logging exporter)
    ]
    spans, problems = load(b"\n".join(lines) + b"\n")
    # Metrics set aside, and said so once (issue 11): a warning, nothing of the traces was lost.
    # The logs line is read (issue 17): no problem.
    assert problems == ["test.json: 1 metric record is not trace data: set aside"]
    assert shape(spans) == EXPECTED


@pytest.mark.parametrize("parent", ["", "0000000000000000", "AAAAAAAAAAA="], ids=["empty", "zero-hex", "zero-base64"])
def test_empty_or_all_zero_parent_id_means_a_root(parent):
    doc = canonical()
    spans_of(doc)[1]["parentSpanId"] = parent
    spans, problems = load(doc)
    assert problems == []
    assert spans[1].parent_id == ""


def test_a_span_without_ids_is_reported_and_the_others_kept():
    doc = canonical()
    spans_of(doc)[1]["spanId"] = ""
    spans, problems = load(doc)
    assert [s.span_id for s in spans] == [ROOT]
    assert len(problems) == 1 and "spanId" in problems[0]


def test_a_cut_off_pretty_printed_document_is_one_problem_not_one_per_line():
    text = orjson.dumps(canonical(), option=orjson.OPT_INDENT_2)
    assert text.count(b"\n") > 40
    spans, problems = load(text[: len(text) // 2])
    assert spans == []
    assert len(problems) == 1 and "not valid JSON" in problems[0]


@pytest.mark.parametrize("bad_line", [1, 2, 3])
def test_a_bad_line_in_json_lines_costs_only_that_line(bad_line):
    lines = [orjson.dumps(canonical())] * 3
    lines[bad_line - 1] = b'{"resourceSpans": [{"scopeSp'  # cut off
    spans, problems = load(b"\n".join(lines) + b"\n")
    assert len(spans) == 4
    assert len(problems) == 1 and problems[0].startswith(f"test.json: line {bad_line}: not valid JSON")
