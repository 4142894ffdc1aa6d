"""`summary` and clock skew: adjusted by default, `--no-adjust`, and `clock_skew` in `--json`."""

from __future__ import annotations

import json

from click.testing import CliRunner
from otlp_writer import traces_data

from tracetui.cli import main
from tracetui.model.span import KIND_CLIENT, KIND_SERVER

MS = 1_000_000
T0 = 1_700_000_000_000_000_000
TID_SKEW = "0af7651916cd43dd8448eb211c80319c"
TID_OK = "4bf92f3577b34da6a3ce929d0e0e4736"


def _dump(tmp_path):
    from builders import span

    def sp(sid, parent, a, b, service, kind, tid):
        return span(sid, parent, T0 + a, T0 + b, service=service, kind=kind, trace_id=tid)

    spans = [
        sp("00000000000000a1", "", 0, 50 * MS, "front", KIND_SERVER, TID_SKEW),
        sp("00000000000000a2", "00000000000000a1", 10 * MS, 40 * MS, "front", KIND_CLIENT, TID_SKEW),
        # back's clock is 40ms behind: its server span reads 30ms before its caller
        sp("00000000000000a3", "00000000000000a2", -28 * MS, -2 * MS, "back", KIND_SERVER, TID_SKEW),
        sp("00000000000000b1", "", 100 * MS, 120 * MS, "front", KIND_CLIENT, TID_OK),
        sp("00000000000000b2", "00000000000000b1", 105 * MS, 115 * MS, "back", KIND_SERVER, TID_OK),
    ]
    path = tmp_path / "skew.json"
    path.write_text(json.dumps(traces_data(spans)))
    return str(path)


def _traces(args):
    result = CliRunner().invoke(main, ["summary", "--json", *args])
    assert result.exit_code == 0, result.output
    return {t["trace_id"]: t for t in json.loads(result.stdout)["traces"]}


def test_summary_json_names_the_skewed_pair_and_reports_adjusted_durations(tmp_path):
    path = _dump(tmp_path)
    traces = _traces([path])
    skewed = traces[TID_SKEW]
    assert skewed["duration_ns"] == 50 * MS
    assert skewed["clock_skew"] == [{"service": "back", "parent_service": "front", "offset_ns": 40 * MS,
                                     "spans": ["00000000000000a3"]}]
    assert traces[TID_OK]["clock_skew"] == []
    raw = _traces([path, "--no-adjust"])[TID_SKEW]
    assert raw["duration_ns"] == 78 * MS
    assert raw["clock_skew"] == skewed["clock_skew"]  # found either way


def test_summary_of_one_trace_follows_the_adjustment(tmp_path):
    path = _dump(tmp_path)
    result = CliRunner().invoke(main, ["summary", "--json", path, "--trace", TID_SKEW])
    doc = json.loads(result.stdout)["trace"]
    server = next(s for s in doc["spans"] if s["span_id"] == "00000000000000a3")
    assert server["start_unix_nano"] == T0 + 12 * MS
    assert doc["clock_skew"][0]["offset_ns"] == 40 * MS
    client = next(s for s in doc["spans"] if s["span_id"] == "00000000000000a2")
    assert client["self_time_ns"] == 4 * MS
    result = CliRunner().invoke(main, ["summary", "--json", path, "--trace", TID_SKEW, "--no-adjust"])
    doc = json.loads(result.stdout)["trace"]
    client = next(s for s in doc["spans"] if s["span_id"] == "00000000000000a2")
    assert client["self_time_ns"] == 30 * MS


def test_summary_of_a_trace_with_orphans_lists_their_paths_apart(tmp_path):
    from builders import span

    us = 1_000
    spans = [
        span("00000000000000c1", "", T0, T0 + 17_600 * us, service="front", trace_id=TID_OK, name="GET /"),
        span("00000000000000c2", "00000000000000c1", T0 + 2_000 * us, T0 + 15_000 * us, service="front",
             trace_id=TID_OK, name="work"),
        span("00000000000000c3", "00000000000000ff", T0 + 1_000 * us, T0 + 12_000 * us, service="back",
             trace_id=TID_OK, name="lost caller's callee"),
    ]
    path = tmp_path / "orphans.json"
    path.write_text(json.dumps(traces_data(spans)))
    result = CliRunner().invoke(main, ["summary", str(path), "--trace", TID_OK], terminal_width=120)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Critical path of the root" in out
    assert "Critical paths of orphan subtrees" in out
    orphan_row = next(line for line in out.splitlines() if "lost caller's callee" in line)
    assert "11.0ms" in orphan_row and "62.5%" in orphan_row
    shares = [float(w[:-1]) for line in out.splitlines() for w in line.split() if w.endswith("%")]
    assert shares and max(shares) <= 100.0


def test_summary_of_one_trace_says_which_clock_is_off(tmp_path):
    path = _dump(tmp_path)
    out = CliRunner().invoke(main, ["summary", path, "--trace", TID_SKEW], terminal_width=160).stdout
    assert "⇄ clock skew: back runs 40.0ms behind front (1 span measured, 1 moved; adjusted" in out
    out = CliRunner().invoke(main, ["summary", path, "--trace", TID_SKEW, "--no-adjust"], terminal_width=160).stdout
    assert "⇄ clock skew: back runs 40.0ms behind front (1 span measured, 1 moved; times as read)" in out
    out = CliRunner().invoke(main, ["summary", path, "--trace", TID_OK], terminal_width=160).stdout
    assert "clock skew" not in out
