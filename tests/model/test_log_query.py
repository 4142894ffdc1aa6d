"""The filter language on log records: `log~=text`, `log=text`, `severity>=warn`, negated."""

from __future__ import annotations

import pytest

from tracetui.model import Span, Trace
from tracetui.model.log import LogRecord
from tracetui.model.query import QueryError, parse_query


def _trace(tid: str, logs: list[tuple[str, int, str]]) -> Trace:
    t = Trace(tid, [Span(trace_id=tid, span_id="a", name="root", end_ns=10),
                    Span(trace_id=tid, span_id="b", parent_id="a", name="child", start_ns=1, end_ns=5)])
    t.add_logs([LogRecord(trace_id=tid, span_id=sid, time_ns=i, severity=sev, body=body)
                for i, (sid, sev, body) in enumerate(logs)])
    return t


QUIET = _trace("q", [])
INFO = _trace("i", [("a", 9, "Cache warmed")])
WARN = _trace("w", [("b", 13, "retrying after 503"), ("a", 9, "done")])
ERROR = _trace("e", [("b", 18, "Connection pool exhausted")])
ALL = [QUIET, INFO, WARN, ERROR]


@pytest.mark.parametrize(("query", "matching"), [
    ("log~=pool", {"e"}),
    ("log~=POOL", {"e"}),
    ("log=done", {"w"}),
    ("log!=done", {"q", "i", "e"}),
    ("-log~=503", {"q", "i", "e"}),
    ("severity>=warn", {"w", "e"}),
    ("severity=error", {"e"}),
    ("severity=13", {"w"}),
    ("severity<warn", {"i", "w"}),
    ("-severity>=trace", {"q"}),
    ("severity>=warn log~=done", {"w"}),  # each on some record of the trace
    ("child severity>=warn", {"w", "e"}),
])
def test_a_trace_matches_when_one_of_its_records_does(query, matching):
    q = parse_query(query)
    assert {t.trace_id for t in ALL if q.match_trace(t)} == matching


def test_in_a_trace_the_spans_whose_records_match():
    assert parse_query("severity>=warn").matching_positions(WARN) == [1]
    assert parse_query("-log~=503").matching_positions(WARN) == [0]


@pytest.mark.parametrize("query", ["severity>=loud", "log>3", "severity~=err"])
def test_bad_log_terms_are_one_line_errors(query):
    with pytest.raises(QueryError):
        parse_query(query)
