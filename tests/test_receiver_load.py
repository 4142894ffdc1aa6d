"""Load: several sender processes for a bounded time, loopback only. Nothing acknowledged may be
missing, and keys must still be handled while spans pour in. Marked `load` (runs by default and
in CI, ~20 s in all; `-m "not load"` skips them)."""

from __future__ import annotations

import pytest
from bench.receiver_bench import bench  # tests/bench: run by hand too

pytestmark = pytest.mark.load


@pytest.mark.parametrize("mode", ["store", "record"])
def test_every_acknowledged_span_arrives_under_load(mode, capsys):
    r = bench(4.0, senders=3, mode=mode)
    with capsys.disabled():
        print(f"\nlive ingest ({mode}): {r['spans_per_s']:,} spans/s accepted; "
              f"loop lag p99 {r['loop_lag_p99_ms']} ms, max {r['loop_lag_max_ms']} ms; {r}")
    assert r["spans_acked"] > 0 and r["failed_requests"] == 0
    assert r["spans_arrived"] == r["spans_acked"]
    # A floor far below the goal (20,000/s), to catch a collapse without failing on a busy machine.
    assert r["spans_per_s"] > 3_000
    assert r["loop_lag_median_ms"] < 50


def test_keys_are_answered_while_the_tui_receives(capsys):
    """The real app, headless, receiving from 3 senders while j/k are pressed every 100 ms."""
    r = bench(4.0, senders=3, mode="tui")
    with capsys.disabled():
        print(f"\nlive ingest (tui): {r['spans_per_s']:,} spans/s accepted; keys: median {r['key_median_ms']} ms, "
              f"p99 {r['key_p99_ms']} ms, max {r['key_max_ms']} ms; {r}")
    assert r["spans_arrived"] == r["spans_acked"] > 0 and r["failed_requests"] == 0
    assert r["keys"] >= 10 and r["key_missed"] == 0
    # The goal is 50 ms at 20,000 spans/s (issue 7); here the senders go flat out on a shared
    # machine, so only the typical key is held to it.
    assert r["key_median_ms"] < 50
