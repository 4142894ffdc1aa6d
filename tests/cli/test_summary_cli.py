"""`tracetui summary`: the --json contract (README) on every sample file, the table a user reads,
`--trace` with a prefix, and the exit status."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import orjson
import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLES

from tracetui.cli import main

# The shop's files (five traces each); broken.json and skew.json are checked by their own tests.
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".json", ".jsonl") and p.name.startswith("shop"))
TRACE_KEYS = {"trace_id", "root_service", "root_name", "start_unix_nano", "duration_ns", "span_count",
              "services", "error_count", "orphan_count", "clock_skew"}
SPAN_KEYS = {"span_id", "parent_span_id", "service", "name", "kind", "start_unix_nano", "end_unix_nano",
             "self_time_ns", "status"}
SECTION_KEYS = {"span_id", "start_unix_nano", "end_unix_nano"}
HEX32, HEX16 = re.compile(r"[0-9a-f]{32}"), re.compile(r"[0-9a-f]{16}")
CHECKOUT = "4bf92f3577b34da6a3ce929d0e0e4736"


def run(*args: str, columns: int = 80):
    return CliRunner().invoke(main, ["summary", *args], env={"COLUMNS": str(columns), "TZ": "UTC"})


def as_json(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def spans_in_file(path) -> int:
    """Counted from the raw OTLP JSON, independently of the loader."""
    docs = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    return sum(len(ss["spans"]) for d in docs for rs in d.get("resourceSpans", []) for ss in rs["scopeSpans"])


def is_int(v) -> bool:
    return type(v) is int  # not bool, not float


def test_sample_files_exist():
    assert {p.name for p in SAMPLE_FILES} >= {"shop.json", "shop.jsonl"}


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_trace_list_json_contract(path):
    doc = as_json(str(path))
    assert set(doc) == {"traces"}
    traces = doc["traces"]
    assert len(traces) == 5
    for t in traces:
        assert set(t) == TRACE_KEYS
        assert HEX32.fullmatch(t["trace_id"])
        assert isinstance(t["root_service"], str) and isinstance(t["root_name"], str) and t["root_name"]
        for k in ("start_unix_nano", "duration_ns", "span_count", "error_count", "orphan_count"):
            assert is_int(t[k]), k
        assert 1_600_000_000 * 10**9 < t["start_unix_nano"] < 4_000_000_000 * 10**9  # ns since the epoch
        assert 0 < t["duration_ns"] < 60 * 10**9
        assert 0 <= t["error_count"] <= t["span_count"] and t["orphan_count"] == 0
        assert t["services"] == sorted(set(t["services"])) and t["root_service"] in t["services"]
    starts = [t["start_unix_nano"] for t in traces]
    assert starts == sorted(starts)
    assert sum(t["span_count"] for t in traces) == spans_in_file(path)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_one_trace_json_contract(path):
    listed = as_json(str(path))["traces"]
    for entry in listed:
        doc = as_json(str(path), "--trace", entry["trace_id"])
        assert set(doc) == {"trace"}
        t = doc["trace"]
        assert set(t) == TRACE_KEYS | {"critical_path", "spans", "logs"}
        if path.name != "shop_logs.jsonl":  # (its logs: tests/cli/test_summary_logs.py)
            assert t["logs"] == []
        assert {k: t[k] for k in TRACE_KEYS} == entry
        check_spans(t)
        check_critical_path(t)


def check_spans(t: dict) -> None:
    spans = t["spans"]
    assert len(spans) == t["span_count"]
    seen: set[str] = set()
    last_child_start: dict[str | None, int] = {}
    for s in spans:
        assert set(s) == SPAN_KEYS
        assert HEX16.fullmatch(s["span_id"]) and s["span_id"] not in seen
        assert s["kind"] in {"unspecified", "internal", "server", "client", "producer", "consumer"}
        assert s["status"] in {"unset", "ok", "error"}
        assert all(is_int(s[k]) for k in ("start_unix_nano", "end_unix_nano", "self_time_ns"))
        assert s["start_unix_nano"] <= s["end_unix_nano"]
        assert 0 <= s["self_time_ns"] <= s["end_unix_nano"] - s["start_unix_nano"]
        # Tree order: a parent comes before its children, and siblings come by start.
        parent = s["parent_span_id"]
        assert parent is None or parent in seen
        assert s["start_unix_nano"] >= last_child_start.get(parent, 0)
        last_child_start[parent] = s["start_unix_nano"]
        seen.add(s["span_id"])
    assert [s["parent_span_id"] for s in spans].count(None) == 1
    assert spans[0]["parent_span_id"] is None and spans[0]["name"] == t["root_name"]
    assert t["error_count"] == sum(s["status"] == "error" for s in spans)
    assert t["services"] == sorted({s["service"] for s in spans})
    assert t["start_unix_nano"] == min(s["start_unix_nano"] for s in spans)
    assert t["duration_ns"] == max(s["end_unix_nano"] for s in spans) - t["start_unix_nano"]


def check_critical_path(t: dict) -> None:
    by_id = {s["span_id"]: s for s in t["spans"]}
    path = t["critical_path"]
    assert path
    for sec in path:
        assert set(sec) == SECTION_KEYS
        span = by_id[sec["span_id"]]
        assert span["start_unix_nano"] <= sec["start_unix_nano"] < sec["end_unix_nano"] <= span["end_unix_nano"]
    # In time order, one after the other, covering the root span from its start to its end.
    root = t["spans"][0]
    assert path[0]["start_unix_nano"] == root["start_unix_nano"]
    assert path[-1]["end_unix_nano"] == root["end_unix_nano"]
    for a, b in zip(path, path[1:], strict=False):
        assert a["end_unix_nano"] == b["start_unix_nano"]


def test_critical_path_of_the_failed_checkout_runs_through_the_timed_out_call():
    (failed,) = [t for t in as_json(str(SAMPLES / "shop.json"))["traces"]
                 if t["root_name"] == "POST /checkout" and t["trace_id"] != CHECKOUT]
    t = as_json(str(SAMPLES / "shop.json"), "--trace", failed["trace_id"])["trace"]
    names = {s["span_id"]: s["name"] for s in t["spans"]}
    longest = max(t["critical_path"], key=lambda sec: sec["end_unix_nano"] - sec["start_unix_nano"])
    assert names[longest["span_id"]] == "POST /v1/authorizations"  # the 250 ms timeout


# -- the table ---------------------------------------------------------------------------------

@pytest.mark.parametrize("columns", [80, 160])
def test_table_shows_every_trace_readably(columns):
    result = run(str(SAMPLES / "shop.json"), columns=columns)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(len(line.rstrip()) <= columns for line in lines)
    header = next(line for line in lines if line.startswith("Start"))
    assert "…" not in header  # no column squeezed to an ellipsis
    for word in ("Trace", "Root", "Duration", "Spans"):
        assert word in header
    rows = lines[lines.index(header) + 2:]
    listed = as_json(str(SAMPLES / "shop.json"))["traces"]
    assert len([r for r in rows if r.strip()]) == len(listed)
    for row, t in zip(rows, listed, strict=False):  # in start order
        root = f"{t['root_service']}: {t['root_name']}"
        if columns >= 160:
            assert root in row and t["trace_id"] in row
        else:  # whole, or cut with an ellipsis after at least 25 characters
            shown = re.search(r"(frontend|shipping): \S+( \S+)?", row).group(0)
            assert shown == root or (shown.endswith("…") and root.startswith(shown[:-1]) and len(shown) > 25)
            assert t["trace_id"].startswith(row.split()[1])
        cells = row.split()  # …, Spans, [Services from 120 columns,] Errors, Orphans
        assert cells[-4 if columns >= 120 else -3] == str(t["span_count"])
        assert cells[-2] == str(t["error_count"])


def test_the_failed_trace_is_marked_and_its_id_prefix_opens_it():
    result = run(str(SAMPLES / "shop.json"))
    rows = [line for line in result.stdout.splitlines() if re.match(r"\d\d:\d\d:\d\d", line)]
    marked = [r for r in rows if "✗" in r]
    assert len(marked) == 1 and "frontend: POST /checkout" in marked[0]
    prefix = marked[0].split()[1]
    opened = run(str(SAMPLES / "shop.json"), "--trace", prefix)
    assert opened.exit_code == 0
    first = opened.stdout.splitlines()[0]
    assert first.startswith("Trace ") and "✗ frontend: POST /checkout" in first
    assert "POST /v1/authorizations" in opened.stdout  # on the critical path


def test_untrusted_names_are_neither_markup_nor_control_characters(tmp_path):
    doc = {"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "[red]svc[/red]"}}]},
        "scopeSpans": [{"spans": [{"traceId": CHECKOUT, "spanId": "00f067aa0ba902b7",
                                   "name": "GET /\x1b[2Jx\n[bold]y[/bold]",
                                   "startTimeUnixNano": "1700000000000000000",
                                   "endTimeUnixNano": "1700000000100000000"}]}]}]}
    path = tmp_path / "evil.json"
    path.write_bytes(orjson.dumps(doc))
    for args in ([], ["--trace", "4bf9"]):
        out = run(str(path), *args, columns=160).stdout
        assert "\x1b" not in out
        assert "[red]svc[/red]" in out and "[bold]y[/bold]" in out  # shown as written, not as styles


# -- --trace and exit status ---------------------------------------------------------------------

def test_trace_accepts_a_unique_prefix_in_either_case():
    for wanted in ("4bf92f", "4BF92F", "0x4bf92f3577b34da6a3ce929d0e0e4736"):
        doc = as_json(str(SAMPLES / "shop.json"), "--trace", wanted)
        assert doc["trace"]["trace_id"] == CHECKOUT


def test_an_ambiguous_or_unknown_trace_id_exits_2_and_says_why(tmp_path):
    def one_span_trace(trace_id: str) -> dict:
        return {"traceId": trace_id, "spanId": "00f067aa0ba902b7", "name": "GET /",
                "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000100000000"}

    path = tmp_path / "two.json"
    path.write_bytes(orjson.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [
        one_span_trace("abcdef01" + "0" * 23 + "1"), one_span_trace("abcdef02" + "0" * 23 + "1")]}]}]}))
    result = run(str(path), "--trace", "abcdef")
    assert result.exit_code == 2 and "matches 2 traces" in result.stderr
    result = run(str(path), "--trace", "abcdef02")
    assert result.exit_code == 0 and "abcdef02" in result.stdout
    result = run(str(path), "--trace", "abcdef03")
    assert result.exit_code == 2 and "no trace" in result.stderr


def test_exit_status_1_when_some_input_was_skipped(tmp_path):
    doc = orjson.loads((SAMPLES / "shop.json").read_bytes())
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["spanId"] = ""
    broken = tmp_path / "one-span-without-id.json"
    broken.write_bytes(orjson.dumps(doc))
    result = run(str(broken))
    assert result.exit_code == 1
    assert "spanId" in result.stderr and "1 span skipped" in result.stderr and "1 spans" not in result.stderr
    assert "POST /checkout" in result.stdout  # the rest is still shown


def test_exit_status_1_when_one_of_several_files_cannot_be_read(tmp_path):
    missing = tmp_path / "missing.json"
    result = run(str(SAMPLES / "shop.json"), str(missing))
    assert result.exit_code == 1
    problem_lines = [line for line in result.stderr.splitlines() if "missing.json" in line]
    assert len(problem_lines) == 1
    assert "frontend: POST /checkout" in result.stdout


def test_exit_status_2_when_nothing_could_be_loaded(tmp_path):
    garbage = tmp_path / "garbage.json"
    garbage.write_text("this is not json")
    for paths in ([str(garbage)], [str(tmp_path / "missing.json")]):
        result = run(*paths)
        assert result.exit_code == 2
        assert "no spans could be loaded" in result.stderr


def test_installed_command_prints_the_table():
    """The README's set-up command, as a user runs it (the console script, a real process)."""
    exe = shutil.which("tracetui", path=str(ROOT / ".venv" / "bin")) or shutil.which("tracetui")
    cmd = [exe] if exe else [sys.executable, "-m", "tracetui"]
    proc = subprocess.run([*cmd, "summary", "sample_traces/shop.json"], cwd=ROOT, capture_output=True,
                          text=True, env={"COLUMNS": "80", "PATH": "/usr/bin:/bin", "TZ": "UTC"}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "5 traces, 62 spans" in proc.stdout and "✗ frontend: POST /checkout" in proc.stdout


def test_the_same_dump_in_two_formats_is_counted_once():
    # shop.json and shop.jsonl hold the same spans (one request vs one line per request).
    import json
    import subprocess
    import sys

    from conftest import SAMPLES

    one = subprocess.run([sys.executable, "-m", "tracetui", "summary", str(SAMPLES / "shop.json"), "--json"],
                         capture_output=True, check=True)
    both = subprocess.run([sys.executable, "-m", "tracetui", "summary", str(SAMPLES / "shop.json"),
                           str(SAMPLES / "shop.jsonl"), "--json"], capture_output=True)
    assert both.returncode == 0
    assert json.loads(both.stdout) == json.loads(one.stdout)
    total = sum(t["span_count"] for t in json.loads(one.stdout)["traces"])
    assert f"{total} spans appeared more than once" in both.stderr.decode()


@pytest.mark.parametrize("rows_per_part", [1, 2, 3, 5, 2048])
def test_the_list_written_in_parts_is_the_same_json_text(tmp_path, rows_per_part):
    """`summary --json` writes its rows a part at a time (memory): the text must be the one
    document, escapes of what a terminal would act on included, however the parts fall."""
    from tracetui.model import TraceStore
    from tracetui.render.summary_json import summary_json, summary_json_text
    from tracetui.render.text import json_bytes
    from tracetui.sources.files import load_paths

    odd = tmp_path / "odd.json"  # a sixth trace whose name holds a C1 control and an invisible character
    odd.write_bytes(orjson.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{
        "traceId": "ab" * 16, "spanId": "cd" * 8, "name": "GET\x9b/cart\u200b",
        "startTimeUnixNano": "1", "endTimeUnixNano": "2"}]}]}]}))
    store = TraceStore()
    assert load_paths([str(SAMPLES / "shop.json"), str(odd)], store) == []
    text = b"".join(summary_json_text(store, rows_per_part))
    assert text == json_bytes(summary_json(store))
    assert len(orjson.loads(text)["traces"]) == 6 and b"\\u009b" in text and b"\\u200b" in text
    assert b"".join(summary_json_text(TraceStore(), rows_per_part)) == b'{"traces":[]}'
