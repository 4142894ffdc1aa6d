"""`tracetui flame` without --trace: CRISP over the traces of one root operation, headless."""

from __future__ import annotations

import orjson
from click.testing import CliRunner
from incident import AFTER, ROOT, SLOW_OPERATION, load

from tracetui.analysis.crisp import crisp
from tracetui.cli import main


def run(*args: str):
    return CliRunner().invoke(main, ["flame", str(AFTER), *args], env={"COLUMNS": "120"})


def folded(result) -> dict[str, int]:
    assert result.exit_code == 0, result.output
    out = {}
    for line in result.stdout.splitlines():
        frames, value = line.rsplit(" ", 1)
        out[frames] = int(value)
    return out


def test_folded_is_the_mean_per_trace_in_microseconds_of_the_window():
    tail = folded(run("--root", ROOT, "--window", "95-100", "--folded"))
    body = folded(run("--window", "0-50", "--folded"))  # the most frequent root by default
    slow = next(k for k in tail if k.endswith(";" + SLOW_OPERATION))
    assert all(k.split(";")[0] == ROOT for k in tail)
    assert tail[slow] > 150_000 > 30_000 > body[slow]  # µs: the slow replica's query fills the tail
    grew = max(tail, key=lambda k: tail[k] - body.get(k, 0))
    assert grew == slow
    # the mean over the window, worked out from the per-trace critical paths
    c = crisp(load(AFTER))
    group = c.window((95, 100))
    pid = c.paths.find(tuple(slow.split(";")))
    assert tail[slow] == round(sum(p.cp.get(pid, 0) for p in group) / len(group) / 1000)


def test_json_names_the_window_and_its_traces_and_the_top_paths():
    result = run("--window", "P95-100", "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert doc["root"] == ROOT and doc["window"] == [95, 100]
    assert (doc["traces"], doc["window_traces"]) == (80, 4)
    lo, hi = doc["window_duration_ns"]
    assert 150_000_000 < lo <= hi
    paths = {tuple(p["path"]): p for p in doc["paths"]}
    root = paths[(ROOT,)]
    # the root's cp_ns holds every path's own time (each rounded to a nanosecond)
    assert abs(root["cp_ns"] - sum(p["cp_self_ns"] for p in doc["paths"])) <= len(doc["paths"])
    assert set(doc["top"]) == {"p50", "p95", "p99"}
    assert doc["top"]["p99"][0]["path"][-1] == SLOW_OPERATION


def test_the_table_lists_the_call_paths_and_the_top_at_each_percentile():
    result = run()
    assert result.exit_code == 0, result.output
    assert f"root {ROOT}" in result.stdout and "P0–100: 80 of 80 traces" in result.stdout
    for pct in ("P50", "P95", "P99"):
        assert f"  {pct}\n" in result.stdout


def test_a_bad_window_or_an_unknown_root_is_one_line_and_status_2():
    bad = run("--window", "90-10")
    assert bad.exit_code == 2 and "--window '90-10'" in bad.stderr and len(bad.stderr.splitlines()) == 1
    unknown = run("--root", "nope: x")
    assert unknown.exit_code == 2 and f"root operations: {ROOT} (80)" in unknown.stderr
