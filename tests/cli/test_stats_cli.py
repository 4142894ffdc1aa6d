"""`tracetui stats`: the --json contract (README), Jaeger UI's figures through the command, the
table a user reads, and the errors."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES

from tracetui.cli import main

GROUP_KEYS = ["service", "name", "count", "total_ns", "self_ns", "self_mean_ns", "self_min_ns", "self_max_ns",
              "critical_path_ns", "errors"]
NORMAL = FIXTURES / "jaeger" / "trace-statistics" / "testTraceNormal.json"
SHOP = SAMPLES / "shop.json"


def run(*args: str, columns: int = 80):
    return CliRunner().invoke(main, ["stats", *map(str, args)], env={"COLUMNS": str(columns), "TZ": "UTC"})


def groups(*args) -> list[dict]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert list(doc) == ["groups"]
    return doc["groups"]


@pytest.mark.parametrize("by", ["service", "operation", "both"])
def test_the_json_contract_has_exactly_these_fields_as_integers(by):
    for g in groups(SHOP, "--by", by):
        assert list(g) == GROUP_KEYS
        assert all(type(g[k]) is int for k in GROUP_KEYS[2:])
        assert isinstance(g["service"], str)
        assert (g["name"] is None) == (by == "service" or (by == "both" and g["name"] is None))
        assert g["self_min_ns"] <= g["self_mean_ns"] <= g["self_max_ns"] and g["self_ns"] <= g["total_ns"]
    if by == "service":
        assert all(g["name"] is None for g in groups(SHOP, "--by", by))
    if by == "operation":
        assert all(g["name"] is not None for g in groups(SHOP, "--by", by))


def test_jaegers_figures_through_the_command():
    # jaeger-ui tableValues.test.js, 'Service Name, Operation Name' (ms to two decimals there).
    rows = {(g["service"], g["name"]): g for g in groups(NORMAL, "--by", "both")}
    gw = rows[("api-gateway", None)]
    assert (gw["count"], gw["total_ns"] // 10_000, gw["self_ns"] // 10_000) == (2, 740, 316)
    hikari = rows[("customers-service", "HikariProxyPreparedStatement.executeQuery")]
    assert (hikari["count"], hikari["self_min_ns"] // 10_000, hikari["self_max_ns"] // 10_000) == (2, 2, 5)
    # with --both, each service row comes before its operations
    order = [(g["service"], g["name"]) for g in groups(NORMAL, "--by", "both")]
    assert order.index(("customers-service", None)) < order.index(("customers-service", "GET /owners/8/pets/10"))


def test_without_trace_the_groups_add_up_over_every_trace():
    summary = orjson.loads(CliRunner().invoke(main, ["summary", str(SHOP), "--json"]).stdout)["traces"]
    every = groups(SHOP)
    assert sum(g["count"] for g in every) == sum(t["span_count"] for t in summary)
    assert sum(g["errors"] for g in every) == sum(t["error_count"] for t in summary)
    one = summary[0]["trace_id"]
    only = groups(SHOP, "--trace", one[:12])
    assert sum(g["count"] for g in only) == summary[0]["span_count"]
    # The critical path of one trace is as long as the trace when a root spans it all.
    assert sum(g["critical_path_ns"] for g in only) <= summary[0]["duration_ns"]
    assert sum(g["self_ns"] for g in only) >= summary[0]["duration_ns"] * 0  # present, counted


def test_the_table_names_groups_and_keeps_the_numbers_whole_at_80_columns():
    result = run(NORMAL, "--by", "operation")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "Count" in result.stdout and "Crit.path" in result.stdout
    assert all("…" not in line[30:] for line in lines)  # names may be cut, numbers never
    # The two queries: count, self time, share of the trace, time on the critical path.
    assert lines[7].split()[-4:] == ["2", "73.0µs", "1.5%", "73.0µs"]
    roomy = run(NORMAL, "--by", "operation", columns=160).stdout.splitlines()
    row = next(line for line in roomy if "customers-service: HikariProxy" in line)
    assert row.split()[2:4] == ["2", "73.0µs"]  # the two queries: count and total
    wide = run(NORMAL, "--by", "both", columns=160).stdout
    assert "Self min" in wide and "  GET /owners/8/pets/10" in wide


def test_a_wrong_trace_or_grouping_is_one_line_and_exit_2():
    result = run(NORMAL, "--trace", "ffff")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "ffff" in result.stderr
    bad = run(NORMAL, "--by", "span")
    assert bad.exit_code == 2 and "service" in bad.output
