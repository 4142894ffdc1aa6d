"""`tracetui lint`: on SDK-made traces with lost server spans and a skewed clock it names both
services; the --json contract (README); the exit status (0 clean, 1 found, 2 nothing loaded)."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner
from conftest import SAMPLES
from sdk_dumps import otlp_json, sdk_spans

from tracetui.cli import main

BROKEN = str(SAMPLES / "broken.json")
SHOP = str(SAMPLES / "shop.json")
CHECKOUT = "4bf92f3577b34da6a3ce929d0e0e4736"
FINDING_KEYS = {"kind", "severity", "message", "subject", "count", "trace_count", "trace_ids", "spans", "cost_ns"}


def run(*args: str):
    return CliRunner().invoke(main, ["lint", *args], env={"COLUMNS": "200"})


def as_json(*args: str) -> tuple[int, dict]:
    result = run(*args, "--json")
    return result.exit_code, orjson.loads(result.stdout)


def raw_spans(path) -> list[dict]:
    doc = orjson.loads(Path(path).read_bytes())
    return [(rs, sp) for rs in doc["resourceSpans"] for ss in rs["scopeSpans"] for sp in ss["spans"]]


def service_of(rs) -> str:
    return next(a["value"]["stringValue"] for a in rs["resource"]["attributes"] if a["key"] == "service.name")


def test_a_service_whose_server_spans_were_lost_is_named():
    code, doc = as_json(BROKEN)
    assert code == 1
    kinds = {(f["kind"], tuple(f["subject"].values())) for f in doc["findings"]}
    # inventory's server spans were dropped: its queries are orphans, checkout's calls have no server.
    assert ("orphan_spans", ("inventory", "callee")) in kinds
    assert ("missing_server_span", ("checkout", "inventory")) in kinds
    # The orphans are exactly inventory's spans whose parent is not in the file (counted here
    # from the raw OTLP JSON, independently of the loader).
    raw = raw_spans(BROKEN)
    ids = {sp["spanId"] for _, sp in raw}
    orphans = {sp["spanId"] for rs, sp in raw if sp.get("parentSpanId") and sp["parentSpanId"] not in ids}
    assert orphans and all(service_of(rs) == "inventory" for rs, sp in raw if sp["spanId"] in orphans)
    (f,) = [f for f in doc["findings"] if f["kind"] == "orphan_spans"]
    assert {s["span_id"] for s in f["spans"]} == orphans and f["count"] == len(orphans)


def test_a_service_whose_clock_is_off_is_named():
    code, doc = as_json(BROKEN)
    assert code == 1
    # payments' clock runs 40 ms behind checkout's (sample_traces/generate.py SKEWED_BEHIND_NS).
    (skew,) = [f for f in doc["findings"] if f["kind"] == "clock_skew"]
    assert skew["subject"] == {"service": "payments", "parent_service": "checkout"}
    assert skew["trace_count"] == 2
    assert "the clock of payments runs about" in run(BROKEN).stdout


def test_the_text_report_names_the_services_and_exits_1():
    result = run(BROKEN)
    assert result.exit_code == 1
    out = result.stdout
    assert "spans of inventory are missing" in out
    assert "from checkout to inventory have no server span" in out


def test_the_json_contract():
    code, doc = as_json(SHOP)
    assert code == 1
    assert set(doc) == {"traces_checked", "spans_checked", "finding_counts", "findings", "traces"}
    assert doc["traces_checked"] == 5 and doc["spans_checked"] == 62
    assert set(doc["finding_counts"]) == {"error", "warning", "info"}
    for f in doc["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["severity"] in ("error", "warning", "info")
        assert f["trace_count"] == len(f["trace_ids"]) and all(s["trace_id"] in f["trace_ids"] for s in f["spans"])
    # The checkout's retry after a 503 (sample_traces/README.md).
    (retry,) = [f for f in doc["findings"] if f["kind"] == "retry"]
    assert retry["trace_ids"] == [CHECKOUT] and retry["subject"] == {"service": "checkout", "name": "POST /api/charges"}
    assert retry["cost_ns"] > 20_000_000  # the failed attempt and the 20 ms backoff
    assert {"trace_id": CHECKOUT, "findings": {"retry": 1}} in doc["traces"]


def test_clean_traces_exit_0(tmp_path):
    path = tmp_path / "clean.json"
    path.write_bytes(orjson.dumps(otlp_json(sdk_spans(traces=2, children=2))))
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert "no findings" in result.stdout
    code, doc = as_json(str(path))
    assert code == 0 and doc["findings"] == [] and doc["traces"] == []


def test_nothing_loaded_exits_2(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("{}")
    result = run(str(path))
    assert result.exit_code == 2
    assert "no spans could be loaded" in result.stderr


def test_spans_ending_before_they_start_or_never_ending_come_from_the_loaders_problems(tmp_path):
    def sp(sid, parent, start, end):
        return {"traceId": "ab" * 16, "spanId": sid, "parentSpanId": parent, "name": "x",
                "startTimeUnixNano": str(start), "endTimeUnixNano": str(end)}

    doc = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "s"}}]},
                              "scopeSpans": [{"spans": [sp("00000000000000a1", "", 100, 900),
                                                        sp("00000000000000b2", "00000000000000a1", 500, 200),
                                                        sp("00000000000000c3", "00000000000000a1", 300, 0)]}]}]}
    path = tmp_path / "times.json"
    path.write_bytes(orjson.dumps(doc))
    code, out = as_json(str(path))
    assert code == 1
    got = {f["kind"]: f for f in out["findings"]}
    assert got["end_before_start"]["spans"] == [{"trace_id": "ab" * 16, "span_id": "00000000000000b2"}]
    assert got["no_end"]["spans"] == [{"trace_id": "ab" * 16, "span_id": "00000000000000c3"}]


def test_a_negative_jaeger_duration_is_a_span_ending_before_it_starts(tmp_path):
    doc = {"data": [{"traceID": "ab" * 8, "processes": {"p1": {"serviceName": "svc"}}, "spans": [
        {"traceID": "ab" * 8, "spanID": "00000000000000a1", "operationName": "root", "startTime": 1_000,
         "duration": 50, "processID": "p1", "references": []},
        {"traceID": "ab" * 8, "spanID": "00000000000000b2", "operationName": "child", "startTime": 1_010,
         "duration": -5, "processID": "p1",
         "references": [{"refType": "CHILD_OF", "traceID": "ab" * 8, "spanID": "00000000000000a1"}]},
    ]}]}
    path = tmp_path / "jaeger.json"
    path.write_bytes(orjson.dumps(doc))
    code, out = as_json(str(path))
    assert code == 1
    (f,) = [f for f in out["findings"] if f["kind"] == "end_before_start"]
    assert [s["span_id"] for s in f["spans"]] == ["00000000000000b2"]
