"""Exceptions across traces: grouped by service, type and message with numbers and ids masked."""

import msgspec
import pytest
from builders import span, trace

from tracetui.analysis.exceptions import exception_groups, mask
from tracetui.model.span import Event


@pytest.mark.parametrize(("message", "masked"), [
    ("Timeout after 250 ms on order 8812", "Timeout after <n> ms on order <n>"),
    ("user 3f2a9c1e-1b2c-4d5e-8f90-123456789abc not found", "user <id> not found"),
    ("connect to 10.0.0.12:5432 failed", "connect to <ip> failed"),
    ("worker12 died at 0x7ffee3c1", "worker<n> died at <id>"),
    ("digest deadbeef12 mismatch", "digest <id> mismatch"),
    ("card declined", "card declined"),
    ("HTTP 503 from payments-v2", "HTTP <n> from payments-v2"),
])
def test_what_varies_between_occurrences_is_masked(message, masked):
    assert mask(message) == masked


def exc(time_ns: int, etype: str, message: str) -> Event:
    return Event(time_ns, "exception", {"exception.type": etype, "exception.message": message})


def raw_events(*events: Event) -> msgspec.Raw:
    """Events as an OTLP JSON loader keeps them: undecoded."""
    return msgspec.Raw(msgspec.json.encode([
        {"timeUnixNano": str(e.time_ns), "name": e.name,
         "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in e.attributes.items()]}
        for e in events]))


def test_grouped_with_counts_traces_and_first_and_last_seen():
    t1 = trace(span("r", "", 0, 100, service="front", trace_id="t1"),
               span("p", "r", 10, 90, service="pay", trace_id="t1",
                    raw_events=raw_events(exc(50, "TimeoutError", "timed out after 250 ms"))))
    t2 = trace(span("r", "", 0, 100, service="front", trace_id="t2"),
               span("p", "r", 10, 90, service="pay", trace_id="t2",
                    raw_events=[exc(70, "TimeoutError", "timed out after 251 ms"),
                                exc(80, "TimeoutError", "timed out after 300 ms"),
                                Event(85, "retry")]),
               span("q", "r", 10, 90, service="cart", trace_id="t2",
                    raw_events=[exc(60, "KeyError", "'sku-1'")]))
    groups = exception_groups([t1, t2])
    (timeout, key_error) = groups
    assert timeout.key == ("pay", "TimeoutError", "timed out after <n> ms")
    assert (timeout.count, timeout.traces, timeout.first_ns, timeout.last_ns) == (3, 2, 50, 80)
    assert timeout.example == "timed out after 250 ms" and timeout.trace_ids == {"t1", "t2"}
    assert key_error.key == ("cart", "KeyError", "'sku-<n>'") and key_error.trace_ids == {"t2"}


def test_spans_without_exception_events_are_not_decoded(monkeypatch):
    import tracetui.model.span as span_module

    decoded = []
    real = span_module.decode_events
    monkeypatch.setattr(span_module, "decode_events", lambda raw: decoded.append(raw) or real(raw))
    t = trace(span("a", "", 0, 10, raw_events=raw_events(Event(5, "retry", {"n": "1"}))),
              span("b", "a", 0, 10, raw_events=raw_events(exc(5, "E", "boom"))))
    assert [g.type for g in exception_groups([t])] == ["E"] and len(decoded) == 1
