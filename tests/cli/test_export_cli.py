"""`tracetui export`: every format to a file or stdout, --trace and --filter choose, errors are one line."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from tracetui.cli import main

CHECKOUT = "4bf92f3577b34da6a3ce929d0e0e4736"


def run(*args: str):
    return CliRunner().invoke(main, ["export", str(SAMPLES / "shop.json"), *args])


@pytest.mark.parametrize("fmt", ["otlp", "jaeger", "zipkin"])
def test_a_file_in_each_format_reads_back_with_summary(tmp_path, fmt):
    out = tmp_path / f"x.{fmt}"
    result = run("--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"5 traces, 62 spans written ({fmt})" in result.stderr
    summary = CliRunner().invoke(main, ["summary", str(out), "--json"])
    assert summary.exit_code == 0
    ids = {t["trace_id"] for t in orjson.loads(summary.stdout)["traces"]}
    assert len(ids) == 5 and CHECKOUT in ids


def test_trace_by_prefix_to_stdout():
    result = run("--format", "jaeger", "--trace", "4bf92f", "-o", "-")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert [t["traceID"] for t in doc["data"]] == [CHECKOUT]


def test_filter_chooses_the_traces_the_list_would_show():
    result = run("--format", "zipkin", "--filter", "error", "-o", "-")
    spans = orjson.loads(result.stdout)
    assert len({s["traceId"] for s in spans}) == 2  # the checkout with the 503 retry and the failed one
    nothing = run("--format", "zipkin", "--filter", "service=nosuch", "-o", "-")
    assert nothing.exit_code == 2 and "no trace matched" in nothing.stderr


def test_bad_input_is_one_line():
    bad = run("--format", "otlp", "--filter", "duration>zz", "-o", "-")
    assert bad.exit_code == 2 and "--filter" in bad.output and "Traceback" not in bad.output
    gone = run("--format", "otlp", "--trace", "ffff", "-o", "-")
    assert gone.exit_code == 2 and "no trace 'ffff'" in gone.stderr
    nowhere = run("--format", "otlp", "-o", "/nonexistent-dir/x.json")
    assert nowhere.exit_code == 2 and "/nonexistent-dir/x.json: cannot write" in nowhere.stderr
