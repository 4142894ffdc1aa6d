"""`tracetui sample`: the --json contract, the text, bad options, on the SDK-made sample traces."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import SAMPLES

from tracetui.cli import main

SHOP = str(SAMPLES / "shop.json")
KEYS = {"total_traces", "kept_traces", "total_spans", "kept_spans", "total_bytes", "kept_bytes", "kept", "lost"}


def _run(*args):
    return CliRunner().invoke(main, ["sample", *args])


def test_sample_json_contract_on_the_shop_traces():
    r = _run(SHOP, "--keep-errors", "--slower-than", "500ms", "--rate", "5%", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert set(doc) == KEYS
    summary = {t["trace_id"]: t for t in json.loads(_run_summary())["traces"]}
    assert doc["total_traces"] == len(summary) == 5
    assert doc["total_spans"] == sum(t["span_count"] for t in summary.values())
    # keep errors: the two traces with an error span; nothing is 500ms long; 5% keeps none of the rest here
    with_errors = sorted(tid for tid, t in summary.items() if t["error_count"])
    by_rate = [tid for tid in summary if int(tid[-14:], 16) >= 0xf3333 << 36 and tid not in with_errors]
    assert sorted(doc["kept"]) == sorted(with_errors + by_rate)
    assert doc["kept_traces"] == len(doc["kept"])
    assert doc["kept_spans"] == sum(summary[tid]["span_count"] for tid in doc["kept"])
    assert 0 < doc["kept_bytes"] < doc["total_bytes"]
    for lost in doc["lost"]:
        assert set(lost) == {"reason", "traces"} and lost["traces"]
        assert not set(lost["traces"]) & set(doc["kept"])
    assert any(x["reason"] == "vanished_operation: shipping: process orders" for x in doc["lost"])


def _run_summary() -> str:
    r = CliRunner().invoke(main, ["summary", SHOP, "--json"])
    assert r.exit_code == 0
    return r.stdout


def test_sample_text_says_the_kept_share_and_the_losses():
    r = _run(SHOP, "--rate", "100%")
    assert r.exit_code == 0, r.output
    assert "kept 5 of 5 traces (100.0%)" in r.stdout
    assert "loses: nothing named" in r.stdout


def test_a_bad_option_is_one_line_and_exit_2():
    r = _run(SHOP, "--rate", "150%")
    assert r.exit_code == 2 and "a rate is between 0% and 100%" in r.output
    r = _run(SHOP, "--slower-than", "fast")
    assert r.exit_code == 2 and "not a duration" in r.output
