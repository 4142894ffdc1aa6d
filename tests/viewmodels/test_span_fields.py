"""What the span detail pane lists, checked without a terminal."""

from otlp_sample import TRACE_A, TRACE_C, sample_store

from tracetui.viewmodels.span_fields import HEADING, LINK, fmt_value, span_fields


def _pos(trace, name):
    return next(i for i, s in enumerate(trace.spans) if s.name == name)


def test_a_failed_span_shows_why_right_under_its_status():
    store = sample_store()
    t = store.get(TRACE_A)
    fields = span_fields(t, _pos(t, "payment.charge"), self_time_ns=50_000_000, on_path_ns=50_000_000,
                         loaded_traces=store.traces, utc=True)
    keys = [(f.kind, f.key or f.value) for f in fields[:9]]
    assert keys[:5] == [("value", "name"), ("value", "service"), ("value", "kind"), ("value", "status"),
                        ("value", "message")]
    assert keys[5] == (HEADING, "Events (1)")
    exc = next(f for f in fields if f.key == "exception")
    assert exc.value == "CardDeclined: card declined" and exc.style == "error"
    stack = next(f for f in fields if f.key == "exception.stacktrace")
    assert stack.multiline and stack.value.count("\n") == 3
    timing = {f.key: f.value for f in fields if f.kind == "value"}
    assert timing["start"] == "2023-11-14 22:13:20.035  (+35.0ms)"
    assert timing["critical path"] == "50.0ms  (42% of the trace)"  # 50 of 120 ms


def test_links_say_whether_enter_can_follow_them():
    store = sample_store()
    t = store.get(TRACE_C)
    links = [f for f in span_fields(t, 0, loaded_traces=store.traces) if f.kind == LINK]
    assert [f.note for f in links] == ["trace loaded — Enter opens it", "trace not loaded"]
    assert links[0].target == (TRACE_A, "a000000000000003")


def test_values_read_as_people_write_them():
    assert fmt_value(True) == "true" and fmt_value([1, "a"]) == '[1, "a"]' and fmt_value(None) == ""
    assert fmt_value({"k": "ü"}) == '{"k": "ü"}'


def test_the_duration_says_where_it_stands_among_its_operations_spans():
    from tracetui.analysis.percentiles import Standing

    t = sample_store().get(TRACE_A)

    def duration(standing):
        (line,) = [f for f in span_fields(t, 0, standing=standing) if f.key == "duration"]
        return line

    plain = duration(None)
    assert duration(Standing(97, 412, 6_100_000)).note == "p97 of 412, p50 6.10ms"
    assert duration(Standing(97, 412, 6_100_000)).value == plain.value  # y copies the duration only
    assert duration(Standing(100, 1, 5)).note == ""  # alone: nothing to compare with
    assert len(span_fields(t, 0, standing=Standing(97, 412, 1))) == len(span_fields(t, 0))  # no extra line
