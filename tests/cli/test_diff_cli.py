"""`tracetui diff`: two traces side by side, headless."""

from __future__ import annotations

import orjson
from click.testing import CliRunner
from incident import AFTER, SLOW_OPERATION, load

from tracetui.cli import main

KEYS = ["path", "count_a", "count_b", "duration_a_ns", "duration_b_ns", "cp_a_ns", "cp_b_ns"]


def fast_and_slow() -> tuple[str, str]:
    traces = sorted(load(AFTER), key=lambda t: t.duration_ns)
    return traces[0].trace_id, traces[-1].trace_id


def run(*args: str):
    return CliRunner().invoke(main, ["diff", str(AFTER), *args], env={"COLUMNS": "120"})


def test_json_is_exactly_the_contract_sorted_by_the_change_in_critical_path():
    fast, slow = fast_and_slow()
    result = run("--trace", fast[:10], "--trace", slow, "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert list(doc) == ["nodes"]
    assert all(list(n) == KEYS for n in doc["nodes"])
    changes = [abs(n["cp_b_ns"] - n["cp_a_ns"]) for n in doc["nodes"]]
    assert changes == sorted(changes, reverse=True)
    top = doc["nodes"][0]
    assert top["path"][-1] == SLOW_OPERATION and top["cp_b_ns"] - top["cp_a_ns"] > 100_000_000
    assert len(doc["nodes"]) == 8  # every call path of the union


def test_the_tree_folds_what_did_not_change():
    fast, slow = fast_and_slow()
    result = run("--trace", fast, "--trace", slow)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"A {fast}") and lines[1].startswith(f"B {slow}")
    assert any(SLOW_OPERATION in line and "+" in line for line in lines)
    assert any("unchanged below" in line for line in lines)


def test_two_traces_are_needed_and_a_missing_one_is_named():
    fast, _ = fast_and_slow()
    one = run("--trace", fast)
    assert one.exit_code == 2 and "name two traces" in one.output
    missing = run("--trace", fast, "--trace", "ffffffff")
    assert missing.exit_code == 2 and "'ffffffff'" in missing.stderr
