"""`tracetui compare`: the --json contract (README), the tables a user reads, and the errors."""

from __future__ import annotations

import orjson
from click.testing import CliRunner
from conftest import SAMPLES

from tracetui.cli import main

INCIDENT = str(SAMPLES / "incident.json")
OP_KEYS = ["service", "name", "selection_traces", "baseline_traces", "selection_cp_ns", "baseline_cp_ns",
           "delta_cp_ns", "selection_self_ns", "baseline_self_ns"]
ATTR_KEYS = ["key", "value", "scope", "selection_share", "baseline_share", "delta", "p_value", "q_value"]


def run(*args: str, columns: int = 100):
    return CliRunner().invoke(main, ["compare", *args], env={"COLUMNS": str(columns), "TZ": "UTC"})


def as_json(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def test_json_has_exactly_the_documented_shape():
    doc = as_json(INCIDENT)
    assert list(doc) == ["selection", "baseline", "operations", "attributes"]
    assert list(doc["selection"]) == ["query", "traces"] and list(doc["baseline"]) == ["query", "traces"]
    assert doc["selection"]["query"].startswith("duration>=") and doc["baseline"]["query"] is None
    assert doc["selection"]["traces"] + doc["baseline"]["traces"] == 160
    for op in doc["operations"]:
        assert list(op) == OP_KEYS
        assert op["delta_cp_ns"] == op["selection_cp_ns"] - op["baseline_cp_ns"]
    deltas = [op["delta_cp_ns"] for op in doc["operations"]]
    assert deltas == sorted(deltas, reverse=True)
    for a in doc["attributes"]:
        assert list(a) == ATTR_KEYS and a["scope"] == "trace"
        assert 0 <= a["p_value"] <= a["q_value"] <= 1


def test_the_incident_names_the_slow_replica_and_the_slow_query():
    doc = as_json(INCIDENT)
    assert (doc["operations"][0]["service"], doc["operations"][0]["name"]) == ("inventory", "SELECT stock")
    top = doc["attributes"][0]
    assert (top["key"], top["value"]) == ("host.name", "inventory-7d9f-2")
    assert top["selection_share"] == 1.0 and top["q_value"] < 0.05


def test_the_selection_can_be_the_selected_query_and_the_baseline_a_second_one():
    doc = as_json(INCIDENT, "--select", "host.name=inventory-7d9f-2", "--baseline", "host.name=inventory-7d9f-1")
    assert doc["selection"]["query"] == "host.name=inventory-7d9f-2"
    assert doc["baseline"]["query"] == "host.name=inventory-7d9f-1"
    assert doc["selection"]["traces"] + doc["baseline"]["traces"] == 160
    assert doc["operations"][0]["name"] == "SELECT stock"
    assert as_json(INCIDENT, "--slowest", "25")["selection"]["traces"] >= 40


def test_span_scope_over_one_operation():
    doc = as_json(INCIDENT, "--span-scope", "inventory: SELECT stock")
    assert {a["scope"] for a in doc["attributes"]} == {"span"}
    assert doc["attributes"][0]["value"] == "inventory-7d9f-2"


def test_the_tables_read_at_80_columns():
    result = run(INCIDENT, columns=80)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("selection: slowest 10% (duration ≥ ") and lines[1].startswith("baseline:  the rest")
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    ops = lines.index(next(line for line in lines if line.startswith("Operations")))
    assert "inventory: SELECT stock" in lines[ops + 4] and "+" in lines[ops + 4]
    attrs = lines.index(next(line for line in lines if line.startswith("Attributes")))
    assert "host.name" in lines[attrs + 4] and "inventory-7d9f-2" in lines[attrs + 4] and "100%" in lines[attrs + 4]


def test_bad_options_are_one_line_errors():
    for args, words in [
        (["--select", "duration>soon"], "not a duration"),
        (["--select", "error", "--slowest", "5"], "give one"),
        (["--slowest", "0"], "--slowest"),
        (["--baseline", '"open'], "unclosed quote"),
        (["--span-scope", "nonsense"], "SERVICE: NAME"),
        (["--span-scope", "inventory: DROP TABLE"], "no span of"),
    ]:
        result = run(INCIDENT, *args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_an_empty_selection_is_said_not_crashed(tmp_path):
    result = run(INCIDENT, "--select", "host.name=nowhere")
    assert result.exit_code == 0
    assert "the selection is empty" in result.stderr
    missing = run(str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "nope.json" in missing.stderr
