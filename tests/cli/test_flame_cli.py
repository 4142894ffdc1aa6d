"""`tracetui flame --trace`: folded stacks and JSON of one trace, and its errors."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from tracetui.analysis import critical_path
from tracetui.analysis.flame import critical_path_ns
from tracetui.cli import main
from tracetui.model import TraceStore
from tracetui.sources.files import load_paths

SHOP = str(SAMPLES / "shop.json")
PATH_KEYS = {"path", "count", "duration_ns", "self_ns", "cp_self_ns", "cp_ns"}


def run(*args: str):
    return CliRunner().invoke(main, ["flame", *args], env={"COLUMNS": "100"})


def shop_traces():
    store = TraceStore()
    load_paths([SHOP], store)
    return list(store.traces.values())


@pytest.mark.parametrize("t", shop_traces(), ids=lambda t: t.trace_id[:8])
def test_folded_lines_add_up_to_the_critical_path_in_microseconds(t):
    result = run(SHOP, "--trace", t.trace_id[:8], "--folded")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    total = 0
    for line in lines:
        frames, value = line.rsplit(" ", 1)
        total += int(value)
        assert frames.split(";")[0] == f"{t.root.service}: {t.root.name}"
    assert total == round(critical_path_ns(critical_path(t)) / 1000)


def test_folded_puts_the_slow_authorization_on_its_path():
    out = run(SHOP, "--trace", "4bf92f", "--folded").stdout
    widest = max(out.splitlines(), key=lambda line: int(line.rsplit(" ", 1)[1]))
    assert widest.rsplit(" ", 1)[0].endswith("payments: authorize card;payments: POST /v1/authorizations")


def test_json_contract_of_one_trace():
    result = run(SHOP, "--trace", "4bf92f", "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert set(doc) == {"trace_id", "duration_ns", "critical_path_ns", "paths"}
    assert doc["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert all(set(p) == PATH_KEYS for p in doc["paths"])
    assert sum(p["cp_self_ns"] for p in doc["paths"]) == doc["critical_path_ns"]
    assert sum(p["count"] for p in doc["paths"]) == 28
    assert doc["paths"][0]["path"] == ["frontend: POST /checkout"]
    assert doc["paths"][0]["cp_ns"] == doc["critical_path_ns"]
    # pre-order: every path's parent came before it
    seen = set()
    for p in doc["paths"]:
        assert len(p["path"]) == 1 or tuple(p["path"][:-1]) in seen
        seen.add(tuple(p["path"]))


def test_table_names_the_trace_and_its_call_paths():
    result = run(SHOP, "--trace", "4bf92f")
    assert result.exit_code == 0
    assert "critical path 93.9ms" in result.stdout
    assert "payments: POST /v1/authorizations" in result.stdout


def test_a_trace_not_loaded_is_one_line_and_status_2():
    result = run(SHOP, "--trace", "ffff", "--folded")
    assert result.exit_code == 2
    assert "no trace 'ffff' among 5 loaded traces" in result.stderr


def test_folded_and_json_together_is_a_usage_error():
    assert run(SHOP, "--trace", "4bf92f", "--folded", "--json").exit_code == 2


def test_root_or_window_with_trace_is_a_usage_error():
    result = run(SHOP, "--trace", "4bf92f", "--window", "0-50")
    assert result.exit_code == 2 and "--window" in result.stderr
