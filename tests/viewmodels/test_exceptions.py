"""The exceptions screen's cells and the trace filter its Enter applies."""

from builders import span, trace

from tracetui.analysis.exceptions import ExceptionGroup
from tracetui.viewmodels.exceptions import cells, describe
from tracetui.viewmodels.trace_list import TraceIdFilter


def test_cells_show_clock_times_and_clean_text():
    g = ExceptionGroup("pay\x1b[31m", "TimeoutError", "timed out after <n> ms", "timed out after 250 ms", count=1234,
                       first_ns=1_700_000_000_123_000_000, last_ns=1_700_000_100_000_000_000, trace_ids={"a", "b"})
    c = cells(g, utc=True)
    assert (c["count"], c["traces"], c["first"], c["last"]) == ("1,234", "2", "22:13:20.123", "22:15:00.000")
    assert "\x1b" not in c["service"] and describe(g).startswith("TimeoutError in pay")


def test_the_filter_keeps_exactly_the_groups_traces():
    f = TraceIdFilter({"t1"}, "exception E in s: boom")
    assert not f.is_empty
    assert f.match_trace(trace(span("r", "", 0, 1, trace_id="t1")))
    assert not f.match_trace(trace(span("r", "", 0, 1, trace_id="t2")))
