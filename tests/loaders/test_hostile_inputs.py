"""Hostile OTLP JSON from issue 11: what one bad part may cost is that part, never the rest."""

from __future__ import annotations

import orjson
import pytest
from hostile import nested_document, nested_lines, request, span
from loading import load_bytes

from tracetui.loaders import input_skipped
from tracetui.loaders.otlp_json import streaming
from tracetui.sources import streaming as file_streaming
from tracetui.sources.streaming import stream_file


def span_names(store) -> set[str]:
    return {s.name for t in store for s in t.spans}


def test_an_attribute_nested_400_levels_deep_costs_only_its_span():
    store, problems = load_bytes(nested_document(n=499, bad=200))
    assert store.span_count == 498 and "op200" not in span_names(store)
    assert [(p.where, p.skipped) for p in problems] == [("resourceSpans[0].scopeSpans[0].spans[200]", 1)]
    assert "nested too deeply" in problems[0].message


def test_in_json_lines_it_costs_only_its_line():
    store, problems = load_bytes(nested_lines(n=499, bad=200))
    assert store.span_count == 498 and "op200" not in span_names(store)
    assert [p.where for p in problems] == ["line 201: resourceSpans[0].scopeSpans[0].spans[0]"]


@pytest.mark.parametrize("lines", [False, True])
def test_a_big_streamed_file_with_a_deep_attribute(tmp_path, monkeypatch, lines):
    monkeypatch.setattr(file_streaming, "STREAM_MIN_BYTES", 1000)
    monkeypatch.setattr(streaming, "WHOLE_LINE_BYTES", 20)  # every request read piece by piece
    monkeypatch.setattr(streaming, "PIECE_BYTES", 0)
    path = tmp_path / "big.json"
    path.write_bytes(nested_lines(n=50, bad=20) if lines else nested_document(n=50, bad=20))
    batches = list(stream_file(str(path), "f"))
    spans = [s for b in batches for s in b.spans]
    problems = [p for b in batches for p in b.problems]
    assert len(spans) == 49 and "op20" not in {s.name for s in spans}
    assert len(problems) == 1 and problems[0].skipped == 1 and "nested too deeply" in problems[0].message


@pytest.mark.parametrize("key", ["resourceSpans", "scopeSpans", "spans"])
def test_an_object_where_a_list_belongs_is_read_with_a_warning(key):
    doc = request([span(0), span(1), span(2)])
    if key == "resourceSpans":
        doc["resourceSpans"] = doc["resourceSpans"][0]
    elif key == "scopeSpans":
        doc["resourceSpans"][0]["scopeSpans"] = doc["resourceSpans"][0]["scopeSpans"][0]
    else:
        doc["resourceSpans"][0]["scopeSpans"][0]["spans"] = span(0)
    store, problems = load_bytes(orjson.dumps(doc))
    assert store.span_count == (1 if key == "spans" else 3)
    assert len(problems) == 1 and problems[0].warning
    assert problems[0].where.endswith(key) and "an object, not a list: read as a list of one" in problems[0].message


def test_what_is_neither_an_object_nor_a_list_is_reported_and_counts_as_skipped():
    doc = request([span(0)])
    doc["resourceSpans"].append({"scopeSpans": "oops"})
    doc["resourceSpans"].append(7)
    store, problems = load_bytes(orjson.dumps(doc))
    assert store.span_count == 1
    assert [p.where for p in problems] == ["resourceSpans[1].scopeSpans", "resourceSpans[2]"]
    assert "a string, not a list" in problems[0].message and "a number, not an object" in problems[1].message
    assert input_skipped(problems)  # `summary` exits 1


def test_repeated_spans_count_the_same_wherever_the_batches_split():
    from tracetui.model import TraceStore

    line = orjson.dumps(request([span(i) for i in range(5)]))
    others = [orjson.dumps(request([span(0, trace=100 + k)])) for k in range(300)]
    together = line + b"\n" + line + b"\n"
    apart = line + b"\n" + b"\n".join(others) + b"\n" + line + b"\n"
    pretty = apart.replace(b'{"resourceSpans"', b'{ "resourceSpans"')  # JSON Lines in batches of 256
    for data in (together, apart, pretty):
        store, _ = load_bytes(data)
        assert len(store.get(f"{1:032x}").spans) == 5 and store.duplicate_spans == 5, data[:20]
    one_batch, two_batches = TraceStore(), TraceStore()
    spans = load_bytes(line)[0].get(f"{1:032x}").spans
    one_batch.add(spans + spans)
    two_batches.add(spans)
    two_batches.add(list(spans))
    assert (one_batch.span_count, one_batch.duplicate_spans) == (two_batches.span_count, two_batches.duplicate_spans) == (5, 5)


def test_metrics_in_a_collector_dump_are_counted_in_one_warning_and_logs_read(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from tracetui.cli import main

    logs = orjson.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {"stringValue": "hi"}}]}]}]})
    metrics = orjson.dumps({"resourceMetrics": [{"scopeMetrics": []}]})
    lines = [orjson.dumps(request([span(0, trace=t)])) for t in range(1, 4)]
    data = b"\n".join([lines[0], logs, logs, metrics, lines[1], logs, lines[2]]) + b"\n"
    path = tmp_path / "collector.jsonl"
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["summary", str(path), "--json"])
    assert result.exit_code == 0  # a warning: no trace data was lost
    assert len(orjson.loads(result.stdout)["traces"]) == 3
    assert "1 metric record is not trace data: set aside" in result.stderr
    assert "3 log records name no trace" in result.stderr
    # The same, from a big file read while it streams in.
    monkeypatch.setattr(file_streaming, "STREAM_MIN_BYTES", 100)
    batches = list(stream_file(str(path), "f"))
    assert [p.message for b in batches for p in b.problems] == ["1 metric record is not trace data: set aside"]
    assert [r.body for b in batches for r in b.logs] == ["hi"] * 3


def test_a_metrics_request_read_on_its_own_gives_the_warning_too():
    # The receiver reads one request at a time with read_otlp_json.
    from tracetui.loaders.otlp_json import read_otlp_json

    metrics = orjson.dumps({"resourceMetrics": [{"scopeMetrics": []}]})
    assert [p.message for b in read_otlp_json(metrics, "r") for p in b.problems] == [
        "1 metric record is not trace data: set aside"]


def _byte(where: str) -> int:
    return int(where.rsplit("byte ", 1)[1].replace(",", ""))


@pytest.mark.parametrize("odd", [0, 1])
def test_a_utf16_dump_cut_at_any_byte_is_salvaged_with_offsets_in_the_file(odd):
    text = orjson.dumps(request([span(i, name=f"op{i}\u00e9") for i in range(40)]), option=orjson.OPT_INDENT_2)
    utf16 = text.decode().encode("utf-16")  # with its byte order mark, as PowerShell writes it
    cut = utf16[: (len(utf16) // 2) & ~1 | odd]
    store, problems = load_bytes(cut)
    # The same spans as the UTF-8 text cut at the same character.
    same_text = cut[2: len(cut) & ~1].decode("utf-16-le").encode()
    ref_store, ref_problems = load_bytes(same_text)
    assert store.span_count == ref_store.span_count > 10
    (p,), (ref,) = problems, ref_problems
    # Where reading stopped, counted in the file: 2 bytes of BOM, then 2 per character.
    k = _byte(ref.where)
    assert _byte(p.where) == 2 + 2 * len(same_text[:k].decode())
    assert f"cut at byte {len(cut) & ~1:,}" in p.message


def test_a_utf8_byte_order_mark_counts_in_problem_offsets():
    data = orjson.dumps(request([span(i) for i in range(5)]))
    cut = data[: len(data) - 30]
    (_, plain), (_, with_bom) = load_bytes(cut), load_bytes(b"\xef\xbb\xbf" + cut)
    assert _byte(with_bom[0].where) == _byte(plain[0].where) + 3


def test_a_jaeger_span_with_a_tag_nested_too_deeply_costs_only_that_span():
    deep = b"[" * 1200 + b"]" * 1200
    spans = [{"traceID": "a" * 32, "spanID": f"{i + 1:016x}", "operationName": f"op{i}", "startTime": 1 + i,
              "duration": 1, "tags": [{"key": "k", "type": "string", "value": "@@DEEP@@" if i == 2 else "v"}],
              "processID": "p1"} for i in range(5)]
    data = orjson.dumps({"data": [{"traceID": "a" * 32, "spans": spans,
                                   "processes": {"p1": {"serviceName": "svc", "tags": []}}}]})
    store, problems = load_bytes(data.replace(b'"@@DEEP@@"', deep))
    assert store.span_count == 4 and "op2" not in span_names(store)
    assert [(p.where, p.skipped) for p in problems] == [("data[0].spans[2]", 1)]


def test_batches_vouched_for_as_distinct_only_when_they_are():
    # The fast converter tells the store a batch has no span id twice (it hashed the ids anyway);
    # a batch with a repeat, or whose spans went another way, is left for the store to check.
    from tracetui.model.store import DistinctSpans

    def sp(t: int, i: int) -> dict:  # ids with no run of zeros (those the converter checks twice)
        return span(i, trace=0xABCDEF0123456789ABCDEF0123456789 + t, spanId=f"{0x1111111111111111 * (t + 1) + i:016x}")

    lines = [orjson.dumps(request([sp(t, i) for i in range(3)])) for t in range(1, 5)]
    plain = list(read_lines_of(b"\n".join(lines) + b"\n"))
    assert [type(b.spans) for b in plain] == [DistinctSpans]
    repeated = list(read_lines_of(b"\n".join(lines + lines[:1]) + b"\n"))
    assert [type(b.spans) for b in repeated] == [list]
    upper = list(read_lines_of(lines[0].replace(b'"traceId":"abcdef', b'"traceId":"ABCDEF') + b"\n" + lines[1] + b"\n"))
    assert [type(b.spans) for b in upper] == [list]  # ids rewritten the careful way


def read_lines_of(data: bytes):
    from tracetui.loaders.otlp_json import read_otlp_json

    return read_otlp_json(data, "f")
