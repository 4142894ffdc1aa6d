"""The filter language of the trace list and of search in a trace."""

import msgspec
import pytest
from builders import span, trace

from tracetui.model.query import QueryError, parse_duration, parse_query
from tracetui.model.span import KIND_CLIENT, KIND_SERVER, STATUS_ERROR, Resource, Span


def raw_attrs(**kv) -> msgspec.Raw:
    items = [{"key": k, "value": {"intValue": str(v)} if isinstance(v, int) else {"stringValue": v}}
             for k, v in kv.items()]
    return msgspec.Raw(msgspec.json.encode(items))


CART = span("c1", "", 0, 300_000_000, service="cart", name="GET /cart", kind=KIND_SERVER,
            raw_attributes=raw_attrs(**{"http.method": "GET", "http.status_code": 200}))
DB = span("d1", "c1", 10_000_000, 15_000_000, service="postgres", name="SELECT orders",
          kind=KIND_CLIENT, raw_attributes={"db.statement": "SELECT * FROM orders"})
PAY = span("p1", "c1", 20_000_000, 250_000_000, service="payment", name="charge card",
           status=STATUS_ERROR, raw_attributes=raw_attrs(**{"http.status_code": 502}))


def matching(q, *spans):
    query = parse_query(q)
    return [s.span_id for s in spans if query.match_span(s)]


@pytest.mark.parametrize(("q", "expected"), [
    ("cart", ["c1"]),                       # service and name
    ("ORDERS", ["d1"]),                     # name, case-insensitive
    ("error", ["p1"]),
    ("-error", ["c1", "d1"]),
    ("service=payment", ["p1"]),
    ("service=PAYMENT", ["p1"]),            # values compare case-insensitively
    ("name~=card", ["p1"]),
    ('name="GET /cart"', ["c1"]),
    ('"get /c"', ["c1"]),                    # quoted words hold spaces
    ("http.status_code=200", ["c1"]),       # raw OTLP attributes, decoded on demand
    ("http.status_code>=500", ["p1"]),      # numeric comparison
    ("http.status_code!=200", ["d1", "p1"]),
    ("db.statement~=from", ["d1"]),         # already-decoded attributes
    ("duration>200ms", ["c1", "p1"]),       # 300 ms and 230 ms
    ("duration<=5ms", ["d1"]),              # exactly 5 ms
    ("duration>=0.23s", ["c1", "p1"]),
    ("kind=client", ["d1"]),
    ("cart -error duration>1ms", ["c1"]),
    ("d1", ["d1"]),                          # span id
    ('"error"', []),                         # quoted: the word, not the status
])
def test_span_terms(q, expected):
    assert matching(q, CART, DB, PAY) == expected


def test_resource_attributes_match():
    res = Resource("api", {"service.name": "api", "k8s.pod.name": "api-7f9c"})
    s = Span("t", "s", name="x", resource=res)
    assert parse_query("k8s.pod.name~=7f9").match_span(s)
    assert not parse_query("k8s.pod.name=other").match_span(s)


def test_raw_attributes_are_decoded_only_when_they_can_hold_the_key(monkeypatch):
    import tracetui.model.span as span_module

    decoded = []
    real = span_module.fast_key_values  # (Span.attributes tries it first on every decode)
    monkeypatch.setattr(span_module, "fast_key_values", lambda raw: decoded.append(raw) or real(raw))
    without = Span("t", "s", raw_attributes=raw_attrs(other="v"))
    other_value = Span("t", "s", raw_attributes=raw_attrs(**{"http.method": "POST"}))
    with_key = Span("t", "s", raw_attributes=raw_attrs(**{"http.method": "GET"}))
    q = parse_query("http.method=get")
    assert not q.match_span(without) and not q.match_span(other_value) and decoded == []
    assert q.match_span(with_key) and len(decoded) == 1
    # Numeric comparisons cannot rule spans out by text: those with the key are decoded.
    assert parse_query("http.status_code>=500").match_span(PAY)


@pytest.mark.parametrize(("text", "ns"), [
    ("200ms", 200_000_000), ("1.5ms", 1_500_000), ("1s", 1_000_000_000), ("250us", 250_000),
    ("250µs", 250_000), ("3m", 180_000_000_000), ("42ns", 42), ("7", 7_000_000),
])
def test_durations(text, ns):
    assert parse_duration(text) == ns


@pytest.mark.parametrize("bad", ['name="open', "duration>fast", "duration>3x", "duration~=1s",
                                 "http.status_code>=abc", "service="])
def test_bad_queries_raise_a_one_line_error(bad):
    with pytest.raises(QueryError) as err:
        parse_query(bad)
    assert "\n" not in str(err.value) and str(err.value)


def test_empty_query_matches_everything():
    q = parse_query("   ")
    assert q.is_empty and q.match_span(DB)


def shop_trace(*, failing: bool):
    return trace(
        span("r", "", 0, 400_000_000, service="front", trace_id="4bf92f3577b34da6"),
        span("a", "r", 0, 100_000_000, service="cart", trace_id="4bf92f3577b34da6",
             status=STATUS_ERROR if failing else 0),
        span("b", "r", 0, 100_000_000, service="payment", trace_id="4bf92f3577b34da6",
             raw_attributes={"region": "eu"}),
    )


def test_trace_terms_on_one_span_and_negations_over_all_spans():
    bad, good = shop_trace(failing=True), shop_trace(failing=False)
    assert parse_query("error").match_trace(bad) and not parse_query("error").match_trace(good)
    assert parse_query("-error").match_trace(good) and not parse_query("-error").match_trace(bad)
    # Both terms must hold on the same span: the cart span failed, the payment span did not.
    assert parse_query("service=cart error").match_trace(bad)
    assert not parse_query("service=payment error").match_trace(bad)
    assert parse_query("region=eu").match_trace(good)
    assert not parse_query("-service=cart").match_trace(good)


def test_trace_duration_and_trace_id():
    t = shop_trace(failing=False)  # 400 ms long; no span is longer
    assert parse_query("duration>300ms").match_trace(t)
    assert not parse_query("duration<300ms").match_trace(t)
    assert parse_query("4BF92F").match_trace(t)          # trace id prefix, any case
    assert not parse_query("-4bf92f").match_trace(t)
    assert parse_query("payment 4bf92f").match_trace(t)
    assert not parse_query("zzz").match_trace(t)


def orders_trace(trace_id: str, query_ms: int, other_ms: int):
    """front 0..500ms with a 'SELECT shop.orders' query of `query_ms` and a slow other span."""
    ms = 1_000_000
    return trace(
        span("r", "", 0, 500 * ms, service="front", name="GET /orders", trace_id=trace_id),
        span("q", "r", 0, query_ms * ms, service="postgres", name="SELECT shop.orders", trace_id=trace_id),
        span("o", "r", 0, other_ms * ms, service="postgres", name="SELECT shop.users", trace_id=trace_id,
             status=STATUS_ERROR),
    )


def test_a_span_group_makes_duration_the_spans_own():
    slow, fast = orders_trace("a1", 80, 10), orders_trace("a2", 20, 300)
    q = parse_query('{name="SELECT shop.orders" duration>50ms}')
    assert q.match_trace(slow)
    # The trace is 500 ms long and another span took 300 ms: neither counts for the group.
    assert not q.match_trace(fast)
    # Outside a group, duration is the trace's: both traces are over 50 ms.
    assert parse_query('name="SELECT shop.orders" duration>50ms').match_trace(fast)


def test_span_groups_each_match_some_span_and_a_negated_group_none():
    slow, fast = orders_trace("a1", 80, 10), orders_trace("a2", 20, 300)
    both = parse_query("{ name~=orders duration>=20ms } { error duration>100ms }")
    assert both.match_trace(fast) and not both.match_trace(slow)
    # -{…}: no span matches the whole group (a span matching only part of it does not count).
    none_slow = parse_query("-{service=postgres duration>50ms}")
    assert not none_slow.match_trace(slow) and not none_slow.match_trace(fast)
    assert parse_query("-{service=postgres duration>500ms}").match_trace(slow)
    assert parse_query("-{error name~=orders}").match_trace(slow)


def test_span_groups_in_a_search_inside_a_trace():
    t = orders_trace("a1", 80, 10)
    q = parse_query("{service=postgres duration>50ms}")
    assert [t.spans[p].span_id for p in q.matching_positions(t)] == ["q"]
    assert [t.spans[p].span_id for p in parse_query("-{service=postgres}").matching_positions(t)] == ["r"]
    assert [s.span_id for s in t.spans if q.match_span(s)] == ["q"]


@pytest.mark.parametrize(("bad", "says"), [
    ("{name=x", "unclosed {"), ("{}", "empty span group"), ("{ }", "empty span group"),
    ("{a {b}}", "do not nest"), ("name=x }", "} without"), ("{duration>soon}", "not a duration"),
])
def test_bad_span_groups_say_what_is_wrong(bad, says):
    with pytest.raises(QueryError, match=says):
        parse_query(bad)


def test_a_brace_inside_a_value_is_not_a_group():
    s = span("x", "", 0, 1, raw_attributes={"http.route": "/users/{id}"})
    assert parse_query("http.route=/users/{id}").match_span(s)
    assert parse_query('{http.route="/users/{id}"}').match_span(s)


def test_the_filter_accepts_hours_and_chained_units():
    t = shop_trace(failing=False)  # 400 ms
    assert parse_query("duration<1h").match_trace(t) and not parse_query("duration>1h").match_trace(t)
    assert parse_duration("1h30m") == 5_400_000_000_000 and parse_duration("2d") == 172_800_000_000_000


@pytest.mark.parametrize(("raw", "q"), [
    (b'[{"key":"port","value":{"intValue":"40289"}}]', "port=40289.0"),       # = compares numbers
    (b'[{"key":"port","value":{"intValue":40289}}]', "port=4.0289e4"),
    (b'[{"key":"port","value":{"intValue":"40289"}}]', "port~=402"),
    (b'[{"key":"r","value":{"doubleValue":503}}]', "r~=.0"),                 # a double reads 503.0
    (b'[{"key":"r","value":{"doubleValue":5.03e2}}]', "r=503"),
    (b'[{"key":"route","value":{"stringValue":"GET \\/api \\u0041"}}]', 'route="get /api a"'),  # escapes
    (b'[{"key":"r\\u006fute","value":{"stringValue":"x"}}]', "route=x"),
    (b'[{"key":"l","value":{"arrayValue":{"values":[{"intValue":"1"},{"stringValue":"a"}]}}}]', "l~=\"1, 'a'\""),
])
def test_undecoded_attributes_match_as_decoded_ones_do(raw, q):
    """The raw-bytes shortcut never hides a span the decoded value matches."""
    s = Span("t", "s", raw_attributes=msgspec.Raw(raw))
    assert parse_query(q).match_span(s)
    assert parse_query(q).match_span(Span("t", "s", raw_attributes=s.attributes))
