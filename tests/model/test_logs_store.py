"""Log records in the store: joined to their trace, counted when they name none, and within the
retention limit (evicted with their trace)."""

from __future__ import annotations

from tracetui.model import Span, TraceStore
from tracetui.model.log import LogRecord, severity_label


def _span(tid: str, sid: str, start: int = 0) -> Span:
    return Span(trace_id=tid, span_id=sid, name="op", start_ns=start, end_ns=start + 10)


def _log(tid: str, sid: str = "", t: int = 0, body: str = "x") -> LogRecord:
    return LogRecord(trace_id=tid, span_id=sid, time_ns=t, severity=9, body=body)


def test_records_join_their_trace_in_time_order_whenever_they_come():
    store = TraceStore()
    store.add_logs([_log("t1", "s1", 5, "late"), _log("t1", "s1", 1, "early")])
    assert store.get("t1") is None and store.log_count == 2  # waiting for the spans
    assert store.add([_span("t1", "s1")]) == {"t1"}
    t = store.get("t1")
    assert [r.body for r in t.logs] == ["early", "late"] and not store.pending_logs
    assert store.add_logs([_log("t1", "", 3, "trace only")]) == {"t1"}
    assert [r.body for r in t.logs] == ["early", "trace only", "late"]
    assert [r.body for r in t.logs_of("s1")] == ["early", "late"]
    assert [r.body for r in t.logs_of("")] == ["trace only"]


def test_records_without_a_trace_are_kept_and_counted():
    store = TraceStore()
    assert store.add_logs([_log(""), _log("")]) == set()
    assert len(store.traceless_logs) == 2 and store.log_count == 2


def test_retention_counts_records_and_evicts_them_with_their_trace():
    store = TraceStore(max_spans=6)
    store.add([_span("old", "a"), _span("old", "b")])
    store.add_logs([_log("old", "a", 1), _log("old", "b", 2)])
    store.add([_span("new", "c", 100)])
    store.add_logs([_log("new", "c", 101), _log("new", "c", 102, "y")])  # 7 records: over
    assert store.get("old") is None and store.evicted_traces == 1 and store.evicted_logs == 2
    assert store.span_count + store.log_count == 3 and len(store.get("new").logs) == 2
    store.add_logs([_log("w", "", 1, "waiting")])
    store.add_logs([_log("", "", i, f"{i}") for i in range(5)])  # past the limit: records under no trace go first
    assert store.get("new") is not None and store.evicted_traces == 1
    assert not store.pending_logs and [r.body for r in store.traceless_logs] == ["2", "3", "4"]
    assert store.span_count + store.log_count == 6 and store.evicted_logs == 5


def test_clear_forgets_every_record():
    store = TraceStore()
    store.add([_span("t", "s")])
    store.add_logs([_log("t", "s"), _log(""), _log("w")])
    store.clear()
    assert (store.log_count, store.traceless_logs, store.pending_logs) == (0, [], {})


def test_severity_labels():
    assert [severity_label(n) for n in (0, 1, 9, 10, 13, 17, 21, 24)] == [
        "", "TRACE", "INFO", "INFO2", "WARN", "ERROR", "FATAL", "FATAL4"]
    assert severity_label(13, "warning") == "warning"
