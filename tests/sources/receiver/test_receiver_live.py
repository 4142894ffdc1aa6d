"""The live store feed (what the TUI's live mode runs on): spans land in the store, the views
hear about them in few updates, retention evicts whole old traces."""

from __future__ import annotations

import asyncio
import time

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from receiver_helpers import LiveReceiver

from tracetui.model import TraceStore
from tracetui.sources.receiver.config import LiveConfig, parse_size
from tracetui.sources.receiver.feed import StoreFeed
from tracetui.sources.receiver.ingest import IngestStats

PB = {"Content-Type": "application/x-protobuf"}


def request(trace: int, spans: int, *, bad: int = 0) -> bytes:
    req = ExportTraceServiceRequest()
    out = req.resource_spans.add().scope_spans.add().spans
    for i in range(spans + bad):
        sp = out.add()
        if i < spans:
            sp.trace_id = trace.to_bytes(16, "big")
        sp.span_id, sp.name = (i + 1).to_bytes(8, "big"), f"op {i}"
    return req.SerializeToString()


def test_a_burst_reaches_the_views_as_few_updates():
    updates: list[tuple[set[str], list]] = []
    store = TraceStore()
    feed = StoreFeed(store, lambda ids, problems: updates.append((ids, problems)), interval=0.3)
    with LiveReceiver(sink=feed) as r:
        for t in range(1, 21):
            assert r.post(request(t, 5, bad=1 if t == 7 else 0), PB)[0] == 200
        assert store.span_count == 100  # in the store as soon as each request is answered
        time.sleep(0.6)
    assert 1 <= len(updates) <= 10  # 20 requests, far fewer view updates (one per 0.3 s at most)
    ids = set().union(*(u[0] for u in updates))
    assert ids == {t.to_bytes(16, "big").hex() for t in range(1, 21)}
    problems = [p for u in updates for p in u[1]]
    assert len(problems) == 1 and problems[0].skipped == 1


def test_retention_evicts_whole_oldest_traces():
    store = TraceStore(max_spans=50)
    feed = StoreFeed(store, lambda ids, problems: None)
    with LiveReceiver(sink=feed) as r:
        for t in range(1, 13):
            assert r.post(request(t, 10), PB)[0] == 200
    assert store.span_count <= 50
    assert all(len(tr.spans) == 10 for tr in store)  # never half a trace
    assert store.evicted_traces == 12 - len(store) and store.evicted_spans == 10 * store.evicted_traces
    assert set(store.traces) == {t.to_bytes(16, "big").hex() for t in range(13 - len(store), 13)}


def test_late_spans_join_their_trace():
    store = TraceStore()
    feed = StoreFeed(store, lambda ids, problems: None)
    with LiveReceiver(sink=feed) as r:
        r.post(request(9, 3), PB)
        req = ExportTraceServiceRequest()
        sp = req.resource_spans.add().scope_spans.add().spans.add()
        sp.trace_id, sp.span_id, sp.parent_span_id, sp.name = (9).to_bytes(16, "big"), b"\x00" * 7 + b"\x63", \
            (1).to_bytes(8, "big"), "late child"
        r.post(req.SerializeToString(), PB)
    (trace,) = store
    assert len(trace.spans) == 4
    assert [trace.spans[c].name for c in trace.children[trace.position("0000000000000001")]] == ["late child"]


def test_rate_counts_the_last_seconds():
    st = IngestStats(started=100.0)
    for sec in range(100, 110):
        st.accepted(1000, 0, now=sec + 0.5)
    assert st.rate(now=110.2) == 1000
    assert st.rate(now=130.0) == 0
    st.rejected("401 unauthorized")
    st.rejected("401 unauthorized")
    st.rejected("413 too large", "x")
    assert st.rejected_text() == "3 requests rejected (2 × 401 unauthorized, 1 × 413 too large)"


def test_options():
    assert parse_size("64MiB") == 64 << 20 and parse_size("512k") == 512 << 10 and parse_size("1000") == 1000
    c = LiveConfig.from_options(None, None, None)
    assert c.http == ("127.0.0.1", 4318) and c.grpc is None and not c.warnings()
    c = LiveConfig.from_options("0.0.0.0:9999", "[::1]:4317", None)
    assert c.http == ("0.0.0.0", 9999) and c.grpc == ("::1", 4317)
    assert len(c.warnings()) == 1 and "0.0.0.0:9999" in c.warnings()[0]
    assert LiveConfig.from_options(":5000", None, "t").http == ("127.0.0.1", 5000)


def test_token_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRACETUI_TOKEN", "from-env")
    assert LiveConfig.from_options(None, None, None).token == "from-env"
    assert LiveConfig.from_options(None, None, "flag").token == "flag"


async def test_flush_reports_nothing_when_nothing_changed():
    calls = []
    feed = StoreFeed(TraceStore(), lambda ids, problems: calls.append(ids))
    feed.flush()
    await asyncio.sleep(0)
    assert calls == []


def test_full_collections_wait_for_quiet_input_and_are_restored():
    import gc

    from tracetui.sources.receiver.feed import QuietCollections

    before = gc.get_threshold()
    q = QuietCollections(quiet=3, every=30, at_most=300)
    q.start()
    try:
        assert gc.get_threshold()[2] == QuietCollections.NEVER  # no automatic full collection
        t = q.last_collect
        assert not q.tick(last_input=t + 29, now=t + 31)  # typing 2 s ago: wait
        assert q.tick(last_input=t + 27, now=t + 31)  # quiet for 4 s: collect now
        t = q.last_collect
        assert not q.tick(last_input=t + 10, now=t + 20)  # quiet, but collected 20 s ago
        assert q.tick(last_input=t + 300, now=t + 301)  # typing non-stop: still at least every 300 s
    finally:
        q.stop()
    assert gc.get_threshold() == before and q.collections == 2
