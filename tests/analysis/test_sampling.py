"""The sampling preview: the policy's rules, the Collector's trace-id threshold, what is lost."""

from __future__ import annotations

import random

import pytest
from builders import span

from tracetui.analysis.sampling import (
    LOST_SLOW,
    Policy,
    make_policy,
    preview,
    randomness,
    rejection_threshold,
    span_bytes,
    threshold_hex,
)
from tracetui.model import TraceStore
from tracetui.model.span import STATUS_ERROR

MS = 1_000_000


# The table of the OpenTelemetry specification (trace/tracestate-probability-sampling.md,
# "Converting floating-point probability to threshold value"), precisions 3, 4 and 5.
SPEC_TABLE = [
    (1e-06, "ffffef4", "ffffef39", "ffffef391"),
    (1e-05, "ffff584", "ffff583a", "ffff583a5"),
    (0.0001, "fff972", "fff9724", "fff97247"),
    (0.001, "ffbe7", "ffbe77", "ffbe76d"),
    (0.01, "fd71", "fd70a", "fd70a4"),
    (0.0625, "f", "f", "f"),
    (0.1, "e66", "e666", "e6666"),
    (0.125, "e", "e", "e"),
    (0.2, "ccd", "cccd", "ccccd"),
    (0.25, "c", "c", "c"),
    (1 / 3, "aab", "aaab", "aaaab"),
    (0.5, "8", "8", "8"),
    (1.0, "0", "0", "0"),
]


@pytest.mark.parametrize(("rate", "p3", "p4", "p5"), SPEC_TABLE)
def test_the_threshold_of_a_rate_is_the_specifications(rate, p3, p4, p5):
    assert [threshold_hex(rejection_threshold(rate, p)) for p in (3, 4, 5)] == [p3, p4, p5]


def test_randomness_is_the_trace_ids_last_56_bits():
    assert randomness("4bf92f3577b34da6a3ce929d0e0e4736") == 0xce929d0e0e4736
    assert randomness("4BF92F3577B34DA6A3CE929D0E0E4736") == 0xce929d0e0e4736
    assert 0 <= randomness("not-hex trace id") < 1 << 56


def _traces(n: int, seed: int = 7):
    rng = random.Random(seed)
    store = TraceStore()
    spans = []
    for i in range(n):
        tid = f"{rng.getrandbits(128):032x}"
        slow = i % 10 == 0
        failed = i % 7 == 0
        spans.append(span(f"{i:016x}", "", 0, (600 if slow else 20) * MS, service="front", name="GET /",
                          trace_id=tid, status=STATUS_ERROR if failed else 0))
        spans.append(span(f"{i:015x}a", f"{i:016x}", MS, 10 * MS, service="db", name="SELECT", trace_id=tid))
    store.add(spans)
    return store


def test_the_kept_fraction_agrees_with_a_count_by_hand():
    store = _traces(400)
    traces = store.sorted_by_start()
    result = preview(traces, make_policy(keep_errors=True, slower_than=["500ms"], rate="25%"))
    # By hand: 25% is threshold "c" (0xc0000000000000): a trace id is kept by the rate when its
    # 19th hex digit (the first of its last 14) is c, d, e or f.
    by_hand = 0
    for t in traces:
        failed = any(s.status == STATUS_ERROR for s in t.spans)
        slow = max(s.end_ns for s in t.spans) - min(s.start_ns for s in t.spans) >= 500 * MS
        by_hand += failed or slow or t.trace_id[18] in "cdef"
    assert result.kept_traces == by_hand
    assert result.total_traces == 400 and result.total_spans == 800
    assert result.kept_spans == 2 * by_hand
    assert 0.3 < result.share("traces") < 0.5  # errors (1/7) + slow (1/10) + a quarter of the rest
    assert set(result.why.values()) == {"error", "slow", "rate"}


def test_the_rate_alone_keeps_about_its_share_and_the_same_traces_every_time():
    store = _traces(2000, seed=3)
    a = preview(store, make_policy(rate="10%"))
    assert 0.08 < a.share("traces") < 0.12
    assert a.kept == preview(store, make_policy(rate="10%")).kept
    # consistent: what 10% keeps, 20% keeps too
    assert set(a.kept) <= set(preview(store, make_policy(rate="20%")).kept)


def test_a_bound_per_root_operation_wins_over_the_general_one():
    store = TraceStore()
    store.add([span("a", "", 0, 300 * MS, service="front", name="GET /checkout", trace_id="1" * 32),
               span("b", "", 0, 300 * MS, service="front", name="GET /", trace_id="2" * 32)])
    p = make_policy(slower_than=["1s", "front: GET /checkout=200ms"])
    assert p == Policy(slower_than_ns=1000 * MS, slower_than_by_op={"front: GET /checkout": 200 * MS})
    assert preview(store, p).kept == ["1" * 32]


def test_what_the_policy_loses_slow_traces_without_errors_and_vanishing_operations():
    store = TraceStore()
    spans = []
    for i in range(10):
        tid = f"{i:032x}"  # randomness 0: never kept by a rate below 100%
        spans.append(span(f"r{i}", "", 0, (900 if i == 9 else 10) * MS, service="front", name="GET /",
                          trace_id=tid, status=STATUS_ERROR if i == 0 else 0))
    spans.append(span("x", "r5", MS, 2 * MS, service="audit", name="write", trace_id=f"{5:032x}"))
    store.add(spans)
    result = preview(store, make_policy(keep_errors=True, rate="50%"))
    assert result.kept == [f"{0:032x}"]
    lost = {x.reason: x.traces for x in result.lost}
    assert lost[LOST_SLOW] == [f"{9:032x}"]
    assert lost["vanished_operation: audit: write"] == [f"{5:032x}"]
    assert "vanished_operation: front: GET /" not in lost  # the kept error trace has it


def test_bytes_are_the_spans_otlp_json_size():
    import json

    from otlp_writer import span_json

    s = span("00000000000000a1", "", 5, 10, service="front", name="GET /", trace_id="1" * 32,
             raw_attributes={"http.request.method": "GET", "n": 3})
    doc = span_json(s, "hex", "int")
    # the same fields, compact: within the few bytes an empty status or flags make
    assert abs(span_bytes(s) - len(json.dumps(doc, separators=(",", ":")))) < 40


@pytest.mark.parametrize("bad", ["101%", "-1", "five"])
def test_a_bad_rate_is_one_line(bad):
    with pytest.raises(ValueError, match="rate"):
        make_policy(rate=bad)
