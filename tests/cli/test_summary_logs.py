"""`summary --trace ID --json` lists the trace's log records (the README contract)."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from tracetui.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "sample_traces" / "shop_logs.jsonl"
CHECKOUT = "0af7651916cd43dd8448eb211c80319c"


def _run(*args: str):
    return CliRunner().invoke(main, ["summary", *args])


def test_the_trace_json_lists_its_logs_under_their_spans():
    result = _run(str(SAMPLE), "--trace", CHECKOUT[:6], "--json")
    assert result.exit_code == 0, result.output
    trace = orjson.loads(result.stdout)["trace"]
    logs = trace["logs"]
    assert logs and all(set(r) == {"span_id", "time_unix_nano", "severity", "body"} for r in logs)
    span_ids = {s["span_id"] for s in trace["spans"]}
    assert all(r["span_id"] in span_ids for r in logs)
    times = [r["time_unix_nano"] for r in logs]
    assert times == sorted(times) and all(isinstance(t, int) and t > 1_600_000_000 * 10**9 for t in times)
    assert {r["severity"] for r in logs} == {"DEBUG", "INFO", "WARN"}
    first = logs[0]
    root = next(s for s in trace["spans"] if s["parent_span_id"] is None)
    payment_server = {s["span_id"] for s in trace["spans"] if (s["service"], s["kind"]) == ("checkout", "server")}
    assert first["body"] == "placing order for user u-1001" and first["span_id"] in payment_server
    assert root["span_id"] not in {r["span_id"] for r in logs}  # the frontend does not log
    # Trace-less records are said on stderr, counted.
    assert "9 log records name no trace" in result.stderr


def test_a_record_naming_only_the_trace_has_a_null_span_id(tmp_path):
    tid = "ab" * 16
    spans = {"resourceSpans": [{"scopeSpans": [{"spans": [
        {"traceId": tid, "spanId": "cd" * 8, "name": "job", "startTimeUnixNano": "10", "endTimeUnixNano": "90"}]}]}]}
    logs = {"resourceLogs": [{"scopeLogs": [{"logRecords": [
        {"timeUnixNano": "50", "severityNumber": 17, "body": {"stringValue": "batch failed"}, "traceId": tid}]}]}]}
    path = tmp_path / "dump.jsonl"
    path.write_bytes(orjson.dumps(logs) + b"\n" + orjson.dumps(spans) + b"\n")
    result = _run(str(path), "--trace", tid, "--json")
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["trace"]["logs"] == [
        {"span_id": None, "time_unix_nano": 50, "severity": "ERROR", "body": "batch failed"}]
