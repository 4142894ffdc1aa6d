"""Bad input never costs what could be read; `tracetui summary` reads pipes like files and
exits 0 (all loaded), 1 (some input skipped) or 2 (nothing loaded)."""

import json
import subprocess
import sys

from conftest import FIXTURES
from loading import load_bytes
from sdk_dumps import otlp_json, sdk_spans

OTLP_EXAMPLE = FIXTURES / "otlp" / "opentelemetry-proto-example.json"


def _cut_document():
    """An OTLP JSON document of 5 traces (one resourceSpans per span, written in trace order) cut
    in the middle of a span of the 4th trace; and the spans (trace id, span id) complete before it."""
    spans = sdk_spans(traces=5, children=2)
    spans.sort(key=lambda s: (s.start_time, s.context.trace_id))
    rss = otlp_json(spans)["resourceSpans"]
    parts, offsets = [], []
    text = '{\n  "resourceSpans": [\n'
    for i, rs in enumerate(rss):
        offsets.append(len(text))
        parts.append(json.dumps(rs, indent=2))
        text += parts[-1] + (",\n" if i < len(rss) - 1 else "\n")
    text += "  ]\n}\n"
    fourth = format(sorted({s.context.trace_id for s in spans}, key=lambda t: min(
        s.start_time for s in spans if s.context.trace_id == t))[3], "032x")
    k = next(i for i, rs in enumerate(rss) if rs["scopeSpans"][0]["spans"][0]["traceId"] == fourth) + 1
    cut = text.index('"name"', offsets[k]) + 10  # inside the name of the 2nd span of the 4th trace
    complete = {(rs["scopeSpans"][0]["spans"][0]["traceId"], rs["scopeSpans"][0]["spans"][0]["spanId"])
                for rs in rss[:k]}
    return text.encode()[:cut], complete, spans


def test_cut_otlp_json_document_keeps_complete_spans_with_one_line_about_the_rest():
    data, complete, spans = _cut_document()
    store, problems = load_bytes(data, "dump.json")
    assert {(s.trace_id, s.span_id) for t in store for s in t.spans} == complete
    # Three whole traces, and the first span of the fourth.
    assert sorted(len(t) for t in store) == [1, 3, 3, 3]
    (p,) = problems
    assert p.source == "dump.json" and p.where.startswith("byte ") and "ends early" in p.message
    assert "\n" not in str(p)


def test_damaged_middle_keeps_what_came_before():
    data = OTLP_EXAMPLE.read_bytes()
    store, _ = load_bytes(data)
    i = data.index(b'"spans"')
    broken = data[:i] + b"@@" + data[i:]
    store, problems = load_bytes(broken, "x.json")
    assert store.span_count == 0
    (p,) = problems
    assert p.message.startswith("not valid JSON") and f"damaged at byte {i:,}" in p.message


def test_json_that_is_not_a_trace_dump_says_so():
    store, problems = load_bytes(b'{"hello": "world", "n": 1}', "config.json")
    (p,) = problems
    assert "not a trace dump" in p.message and "hello" in p.message


# -- the command ----------------------------------------------------------------------------

def _run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "tracetui", "summary", *args], input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL, capture_output=True, timeout=120)


def test_piped_dump_gives_the_same_json_as_the_file(tmp_path):
    path = FIXTURES / "zipkin" / "yelp.json"
    from_file = _run(str(path), "--json")
    assert from_file.returncode == 0, from_file.stderr
    piped = _run("-", "--json", stdin=path.read_bytes())
    auto = _run("--json", stdin=path.read_bytes())  # a pipe and no source named: read it
    assert piped.returncode == auto.returncode == 0
    assert json.loads(piped.stdout) == json.loads(auto.stdout) == json.loads(from_file.stdout)
    assert json.loads(from_file.stdout)["traces"][0]["span_count"] == 16


def test_compressed_pipe_too(tmp_path):
    import gzip

    path = FIXTURES / "jaeger" / "trace-statistics" / "spansAmongEachOther.json"
    piped = _run("-", "--json", stdin=gzip.compress(path.read_bytes()))
    assert piped.returncode == 0
    assert json.loads(piped.stdout) == json.loads(_run(str(path), "--json").stdout)


def test_exit_1_and_one_line_per_problem_when_some_input_was_skipped(tmp_path):
    data, complete, _ = _cut_document()
    cut = tmp_path / "cut.json"
    cut.write_bytes(data)
    r = _run(str(cut), "--json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert sorted(t["span_count"] for t in doc["traces"]) == [1, 3, 3, 3]
    lines = r.stderr.decode().strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"tracetui: {cut}: byte ") and "ends early" in lines[0]
    assert lines[1] == "tracetui: some input could not be read"


def test_exit_2_when_nothing_loads_and_0_with_only_warnings(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("just some notes\n")
    r = _run(str(junk))
    assert r.returncode == 2
    assert r.stderr.decode().splitlines()[0].startswith(f"tracetui: {junk}: not a trace dump")
    jaeger = {"data": [{"traceID": "1", "warnings": ["invalid parent span IDs=2; skipping clock skew adjustment"],
                        "processes": {"p1": {"serviceName": "a"}},
                        "spans": [{"spanID": "1", "operationName": "x", "startTime": 1, "duration": 1,
                                   "processID": "p1"}]}]}
    warn = tmp_path / "warn.json"
    warn.write_text(json.dumps(jaeger))
    r = _run(str(warn))
    assert r.returncode == 0
    assert "skipping clock skew adjustment" in r.stderr.decode()


def test_good_and_bad_files_together(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceSpans": [')
    r = _run(str(OTLP_EXAMPLE), str(bad), "--json")
    assert r.returncode == 1
    assert len(json.loads(r.stdout)["traces"]) == 1
    assert f"{bad}" in r.stderr.decode()


def test_no_source_and_no_pipe_is_a_usage_error():
    r = _run()
    assert r.returncode == 2
    assert b"name a trace file" in r.stderr


def test_every_cut_point_keeps_exactly_the_spans_complete_before_it():
    """Cut a document at many points: the spans read are exactly those whose object closed
    before the cut (worked out from where each span's text ends)."""
    spans = sdk_spans(traces=3, children=2)
    rss = otlp_json(spans)["resourceSpans"]
    text, ends = '{"resourceSpans": [', []
    for i, rs in enumerate(rss):
        sp = rs["scopeSpans"][0]["spans"][0]
        text += '{"resource": ' + json.dumps(rs["resource"]) + ', "scopeSpans": [{"scope": {"name": "x"}, "spans": ['
        text += json.dumps(sp)
        ends.append((len(text), sp["spanId"]))
        text += "]}]}" + ("," if i < len(rss) - 1 else "")
    text += "]}"
    data = text.encode()
    for cut in range(1, len(data), 23):
        store, problems = load_bytes(data[:cut], "cut.json")
        expected = {sid for end, sid in ends if end <= cut}
        assert {s.span_id for t in store for s in t.spans} == expected, cut
        assert len(problems) == 1 and not problems[0].warning


def test_documents_back_to_back_are_all_read():
    zipkin = sorted((FIXTURES / "zipkin").glob("*.json"))
    data = b"".join(p.read_bytes() for p in zipkin)
    store, problems = load_bytes(data, "cat")
    assert problems == []
    assert store.span_count == sum(len(json.loads(p.read_text())) for p in zipkin)
    otlp = OTLP_EXAMPLE.read_bytes()
    store, problems = load_bytes(otlp + b"\n" + otlp.replace(b'"spanId": "EEE19B7EC3C1B174"', b'"spanId": "EEE19B7EC3C1B175"'))
    assert problems == [] and store.span_count == 2


def test_cut_jaeger_and_zipkin_keep_their_complete_parts():
    path = FIXTURES / "zipkin" / "yelp.json"
    raw = path.read_bytes()
    spans = json.loads(raw)
    cut = raw.index(b'"traceId"', raw.index(b'"traceId"', len(raw) // 2) + 1)  # inside a span past the middle
    complete = json.loads(raw[: raw.rindex(b"}", 0, raw.rindex(b"{", 0, cut)) + 1] + b"]")
    store, problems = load_bytes(raw[:cut], "yelp.json")
    assert 0 < store.span_count == len(complete) < len(spans)
    assert len(problems) == 1 and "ends early" in problems[0].message
    path = FIXTURES / "jaeger" / "trace-statistics" / "spansAmongEachOther.json"
    raw = path.read_bytes()
    store, problems = load_bytes(raw[: len(raw) // 2], "jaeger.json")
    assert store.span_count > 0 and len(problems) == 1 and "ends early" in problems[0].message


def test_pipe_without_a_terminal_says_so_in_one_line():
    import shutil

    import pytest

    if shutil.which("setsid") is None:
        pytest.skip("needs setsid to run without a controlling terminal")
    with open(FIXTURES / "zipkin" / "skew.json", "rb") as dump:
        r = subprocess.run(["setsid", "-w", sys.executable, "-m", "tracetui"], stdin=dump, capture_output=True,
                           timeout=120)
    assert r.returncode == 1
    assert b"no terminal" in r.stderr and b"Traceback" not in r.stderr


def test_a_trace_split_over_a_directory_a_file_and_stdin_is_one_trace(tmp_path):
    raw = json.loads((FIXTURES / "zipkin" / "yelp.json").read_text())
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "part1.json").write_text(json.dumps(raw[:5]))
    (tmp_path / "part2.json").write_text(json.dumps(raw[5:10]))
    r = _run(str(tmp_path / "dir"), str(tmp_path / "part2.json"), "-", "-", "--json",
             stdin=json.dumps(raw[10:]).encode())
    assert r.returncode == 0, r.stderr
    (t,) = json.loads(r.stdout)["traces"]
    assert t["span_count"] == len(raw) and t["orphan_count"] == 0


def test_absurdly_deep_nesting_is_one_clear_problem():
    for data in (b'{"resourceSpans":' + b"[" * 100_000, b'{"traceID":"a","spans":' + b"[" * 100_000,
                 b'[{"traceId":"a","id":"b","tags":' + b"[" * 100_000):
        store, problems = load_bytes(data, "deep.json")
        assert store.span_count == 0
        (p,) = problems
        assert "internal error" not in p.message and p.source == "deep.json"


def test_piped_protobuf_and_records_equal_their_files(tmp_path):
    import struct

    from sdk_dumps import proto_request

    pb = proto_request(sdk_spans(traces=2, children=2))
    for name, data in (("capture.pb", pb), ("records.bin", struct.pack(">I", len(pb)) + pb)):
        path = tmp_path / name
        path.write_bytes(data)
        from_file = _run(str(path), "--json")
        piped = _run("--json", stdin=data)
        assert from_file.returncode == piped.returncode == 0, from_file.stderr
        assert json.loads(piped.stdout) == json.loads(from_file.stdout)
        assert sorted(t["span_count"] for t in json.loads(piped.stdout)["traces"]) == [3, 3]


def test_summary_reads_the_runners_input_without_a_dash():
    from click.testing import CliRunner

    from tracetui.cli import main

    data = (FIXTURES / "zipkin" / "skew.json").read_bytes()
    result = CliRunner().invoke(main, ["summary", "--json"], input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["traces"][0]["span_count"] == 4


def test_an_api_error_body_is_named_as_such():
    body = b'{"error": {"httpCode": 404, "message": "trace not found"}}'
    store, problems = load_bytes(body, "curl")
    (p,) = problems
    assert store.span_count == 0
    assert p.message == "the backend answered with an error, not a trace: trace not found (HTTP 404)"
