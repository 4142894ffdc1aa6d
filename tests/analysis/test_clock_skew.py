"""Clock skew: detection per pair of services and Jaeger's adjustment (shift into the caller)."""

from __future__ import annotations

from builders import span, trace

from tracetui.analysis.clock_skew import detect
from tracetui.analysis.critical_path import critical_path
from tracetui.analysis.self_time import self_times
from tracetui.model import Trace, TraceStore
from tracetui.model.span import KIND_CLIENT, KIND_CONSUMER, KIND_INTERNAL, KIND_PRODUCER, KIND_SERVER

MS = 1_000_000


def skewed_spans(trace_id: str = "t1", behind: int = 40 * MS):
    """front's client calls back (10..40ms); back's clock runs `behind` late: its server span
    (really 12..38ms, 26ms long) reads 12-40 = -28ms..-2ms, its db call inside it likewise."""
    return [
        span("root", "", 0, 50 * MS, service="front", kind=KIND_SERVER, trace_id=trace_id),
        span("call", "root", 10 * MS, 40 * MS, service="front", kind=KIND_CLIENT, trace_id=trace_id),
        span("srv", "call", 12 * MS - behind, 38 * MS - behind, service="back", kind=KIND_SERVER, trace_id=trace_id),
        span("db", "srv", 14 * MS - behind, 30 * MS - behind, service="back", kind=KIND_CLIENT, trace_id=trace_id),
    ]


def test_a_server_span_before_its_client_is_one_finding_with_the_offset_that_centres_it():
    t = trace(*skewed_spans())
    (f,) = detect(t)
    assert (f.service, f.parent_service) == ("back", "front")
    # centred: the client's 30ms minus the server's 26ms split evenly: starts at 10+2 = 12ms
    assert f.offset_ns == 40 * MS
    assert f.span_ids == ("srv",)
    assert f.adjusted == 2  # the server span and the db call below it, same service
    assert f.to_json() == {"service": "back", "parent_service": "front", "offset_ns": 40 * MS, "spans": ["srv"]}


def test_adjusted_times_put_the_subtree_inside_its_caller_and_the_duration_back():
    t = trace(*skewed_spans())
    by_id = {s.span_id: s for s in t.spans}
    assert (by_id["srv"].start_ns, by_id["srv"].end_ns) == (12 * MS, 38 * MS)
    assert (by_id["db"].start_ns, by_id["db"].end_ns) == (14 * MS, 30 * MS)
    assert t.duration_ns == 50 * MS
    assert t.shift_of(t.position("srv")) == 40 * MS
    assert t.shift_of(t.position("call")) == 0


def test_the_toggle_restores_the_times_as_read_and_every_analysis_follows():
    t = trace(*skewed_spans())
    pos_call = t.position("call")
    adjusted_self = self_times(t)[pos_call]
    assert adjusted_self == 30 * MS - 26 * MS
    assert t.set_adjust_skew(False)
    by_id = {s.span_id: s for s in t.spans}
    assert by_id["srv"].start_ns == -28 * MS
    assert t.duration_ns == 50 * MS + 28 * MS
    # as read, the server lies outside its client: the client's self time is its whole duration
    assert self_times(t)[pos_call] == 30 * MS
    assert t.shift_of(t.position("srv")) == 0
    assert detect(t)[0].offset_ns == 40 * MS  # findings do not depend on the setting
    assert t.set_adjust_skew(True)
    assert self_times(t)[pos_call] == adjusted_self
    assert sum(s.duration_ns for s in critical_path(t)) == 50 * MS


def test_the_store_switches_every_trace_and_names_the_ones_that_moved():
    store = TraceStore()
    store.add(skewed_spans("t1") + [span("x", "", 0, 5, service="a", kind=KIND_SERVER, trace_id="t2")])
    assert store.get("t1").duration_ns == 50 * MS
    assert store.set_adjust_skew(False) == {"t1"}
    assert store.get("t1").duration_ns == 78 * MS
    fresh = TraceStore(adjust_skew=False)
    fresh.add(skewed_spans("t1"))
    assert fresh.get("t1").duration_ns == 78 * MS
    assert fresh.set_adjust_skew(True) == {"t1"}
    assert fresh.get("t1").duration_ns == 50 * MS


def test_a_trace_without_skew_keeps_no_shifts_and_is_not_touched():
    t = trace(span("r", "", 0, 10, service="a", kind=KIND_CLIENT),
              span("s", "r", 2, 8, service="b", kind=KIND_SERVER))
    assert detect(t) == []
    assert not t.clock_shifts
    assert t.set_adjust_skew(False) is False
    assert t.version == 0


def test_a_server_longer_than_its_client_only_stops_starting_early():
    # The client gave up after 10ms; the server ran 30ms: no centring, only not before the client.
    t = trace(span("c", "", 100, 110, service="a", kind=KIND_CLIENT),
              span("s", "c", 95, 125, service="b", kind=KIND_SERVER))
    (f,) = detect(t)
    assert f.offset_ns == 5
    s = t.spans[t.position("s")]
    assert (s.start_ns, s.end_ns) == (100, 130)
    # ... and one that starts inside but runs past is not skew
    t2 = trace(span("c", "", 100, 110, service="a", kind=KIND_CLIENT),
               span("s", "c", 101, 140, service="b", kind=KIND_SERVER))
    assert detect(t2) == []


def test_a_consumer_after_its_producer_ended_is_not_skew_but_one_before_it_started_is():
    later = trace(span("p", "", 0, 10, service="a", kind=KIND_PRODUCER),
                  span("q", "p", 50, 60, service="b", kind=KIND_CONSUMER))
    assert detect(later) == []
    early = trace(span("p", "", 100, 110, service="a", kind=KIND_PRODUCER),
                  span("q", "p", 40, 60, service="b", kind=KIND_CONSUMER))
    (f,) = detect(early)
    assert f.offset_ns == 60
    assert early.spans[early.position("q")].start_ns == 100


def test_a_grandchild_service_is_compared_with_its_shifted_caller():
    # b's clock is 100 behind a's; c's clock is right (agrees with a). c's server read as is fits
    # b's client shifted, so only b moves.
    t = trace(span("ra", "", 0, 1000, service="a", kind=KIND_CLIENT),
              span("sb", "ra", 10 - 100, 990 - 100, service="b", kind=KIND_SERVER),
              span("cb", "sb", 100 - 100, 900 - 100, service="b", kind=KIND_CLIENT),
              span("sc", "cb", 200, 800, service="c", kind=KIND_SERVER),
              span("ic", "sc", 300, 400, service="c", kind=KIND_INTERNAL))
    (f,) = detect(t)
    assert (f.service, f.offset_ns, f.adjusted) == ("b", 100, 2)
    times = {s.span_id: (s.start_ns, s.end_ns) for s in t.spans}
    assert times["sc"] == (200, 800) and times["cb"] == (100, 900)


def test_findings_group_per_pair_with_the_median_offset():
    spans = [span("root", "", 0, 1000, service="a", kind=KIND_SERVER)]
    for i, off in enumerate((30, 50, 40)):
        spans.append(span(f"c{i}", "root", 100 * i, 100 * i + 60, service="a", kind=KIND_CLIENT))
        spans.append(span(f"s{i}", f"c{i}", 100 * i + 10 - off, 100 * i + 50 - off, service="b", kind=KIND_SERVER))
    (f,) = detect(trace(*spans))
    assert f.offset_ns == 40 and f.span_ids == ("s0", "s1", "s2") and f.adjusted == 3


def test_late_spans_are_compared_on_the_times_as_read():
    store = TraceStore()
    spans = skewed_spans()
    store.add(spans[:3])
    t = store.get("t1")
    assert t.duration_ns == 50 * MS  # adjusted
    # The same server span arrives again (an exporter's retry) with its times as read: not new.
    again = skewed_spans()[2]
    assert t.add([again]) == 0
    assert t.add([skewed_spans()[3]]) == 1
    assert len(t.spans) == 4
    assert {s.span_id: s.start_ns for s in t.spans}["db"] == 14 * MS


def test_a_deep_chain_of_one_skewed_service_is_one_pass():
    n = 100_000
    spans = [span("c", "", 0, 10 * n, service="a", kind=KIND_CLIENT)]
    spans.append(span("s0", "c", -1000, 10 * n - 1000 - 2, service="b", kind=KIND_SERVER))
    spans += [span(f"s{i}", f"s{i - 1}", -1000 + i, 10 * n - 1000 - 2 - i, service="b") for i in range(1, n)]
    t = Trace("t", spans)
    (f,) = detect(t)
    assert f.adjusted == n and f.offset_ns == 1001


def test_the_spans_handed_to_a_store_keep_their_times_as_read():
    spans = skewed_spans()
    store = TraceStore()
    store.add(spans)
    assert spans[2].start_ns == -28 * MS  # a backend's search hands the same spans on
    t = store.get("t1")
    assert t.original(t.position("srv")) is spans[2]
    again = TraceStore()
    again.add(spans)
    assert again.get("t1").spans[again.get("t1").position("srv")].start_ns == 12 * MS


def _figures(stats) -> tuple:
    return stats.start_ns, stats.end_ns, stats.error_count, stats.services, stats.orphan_count, stats.root


def test_a_shift_that_passes_a_sibling_reorders_the_tree():
    # back's server reads 50ms before its client; centred it starts after the cache call.
    t = trace(
        span("root", "", 0, 100 * MS, service="front", kind=KIND_SERVER),
        span("call", "root", 10 * MS, 90 * MS, service="front", kind=KIND_CLIENT),
        span("cache", "call", 20 * MS, 25 * MS, service="front", kind=KIND_CLIENT),
        span("srv", "call", -40 * MS, -30 * MS, service="back", kind=KIND_SERVER),
        span("q", "srv", -38 * MS, -32 * MS, service="back", kind=KIND_CLIENT),
    )
    assert [t.spans[i].span_id for i in t.order] == ["root", "call", "cache", "srv", "q"]
    assert t.spans[t.position("srv")].start_ns == 45 * MS
    assert t.set_adjust_skew(False)
    assert [t.spans[i].span_id for i in t.order] == ["root", "call", "srv", "q", "cache"]


def test_the_figures_of_adjusted_traces_are_those_of_their_adjusted_spans():
    """A shifted trace takes its figures from the tree its shifts were measured on (built on the
    times as read): the same as from a tree of the adjusted spans."""
    from conftest import SAMPLES

    from tracetui.model.trace import TraceStats, TraceTree
    from tracetui.sources.files import load_paths

    store = TraceStore()
    load_paths([str(SAMPLES / "skew.json")], store)
    skewed = [t for t in store if t.adjusted]
    assert len(skewed) == 4
    for t in skewed:
        assert not t.has_tree  # not kept: built again on use
        assert _figures(t.stats) == _figures(TraceStats.count(t, TraceTree.build(t.spans)))
        assert t.start_ns == min(s.start_ns for s in t.spans)  # adjusted times
        assert sum(f.adjusted for f in detect(t)) == len(t.clock_shifts) > 0
