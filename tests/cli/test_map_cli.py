"""`tracetui map`: the --json contract, the graph and table a user reads, --focus, bad input."""

from __future__ import annotations

import orjson
from click.testing import CliRunner
from conftest import SAMPLES

from tracetui.cli import main


def run(*args: str):
    return CliRunner().invoke(main, ["map", *args], env={"COLUMNS": "160"})


def test_json_is_exactly_the_contract():
    result = run(str(SAMPLES / "shop.json"), "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert list(doc) == ["edges"]
    for e in doc["edges"]:
        assert list(e) == ["caller", "callee", "calls", "errors", "p50_ns", "p99_ns"]
        assert 0 <= e["errors"] <= e["calls"] and 0 < e["p50_ns"] <= e["p99_ns"]
    got = {(e["caller"], e["callee"]): e["calls"] for e in doc["edges"]}
    assert got[("checkout", "inventory")] == 6 and got[("frontend", "checkout")] == 2
    # the JSON Lines copy of the same spans gives the same map
    again = orjson.loads(run(str(SAMPLES / "shop.jsonl"), "--json").stdout)
    assert again == doc


def test_text_draws_the_graph_and_lists_each_edge():
    result = run(str(SAMPLES / "shop.json"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "╭" in out and "▶" in out and "│ checkout" in out
    assert "6× " in out  # the stock checks on their arrow
    assert "7 edges between 9 services in 5 traces" in out
    assert "66.7%" in out  # payments: 2 errors of 3 calls


def test_focus_on_a_service_keeps_its_paths():
    doc = orjson.loads(run(str(SAMPLES / "shop.json"), "--json", "--focus", "payments").stdout)
    assert [(e["caller"], e["callee"]) for e in doc["edges"]] == [("checkout", "payments"), ("frontend", "checkout")]
    bad = run(str(SAMPLES / "shop.json"), "--focus", "nosuch")
    assert bad.exit_code == 2 and "no span of service 'nosuch'" in bad.stderr


def test_a_missing_file_is_one_line_and_status_2(tmp_path):
    result = run(str(tmp_path / "gone.json"), "--json")
    assert result.exit_code == 2
    assert "gone.json" in result.stderr and "Traceback" not in result.stderr
