"""Attributes packed for the live store (model/packed.py): they decode to exactly what the eager
decode gives, every reader of undecoded attributes understands them, the shape table is bounded."""

from __future__ import annotations

import math
import random

import msgspec
import pytest
from builders import span
from exact import same

from tracetui.model import packed
from tracetui.model.packed import compact, pack, pack_events, unpack, unpack_events
from tracetui.model.query import parse_query
from tracetui.model.span import Event, Span
from tracetui.model.trace import Trace, remember
from tracetui.model.values import decode_key_values, fast_key_values

HTTP = {"http.request.method": "GET", "http.response.status_code": 200, "url.path": "/api/items/7",
        "server.port": 8080, "retry": False, "ratio": 0.25, "empty": "", "none": None}




@pytest.mark.parametrize("attributes", [
    HTTP,
    {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "big": 2**64 - 1, "small": -2**63},
    {"tags": ["a", 1, 2.5, True, None, ["nested"]], "map": {"k": "v", "inner": {"n": 1}}},
    {"ünïcødé 漢字": "值 \x00 \x1b[2J", "bytes": "AAEC/w=="},
    {"many": "x" * 100_000},
])
def test_packed_attributes_unpack_to_the_same_values_and_types(attributes):
    data = pack(attributes)
    assert data.__class__ is bytes
    assert same(unpack(data), attributes)
    assert packed.keys(data) == tuple(attributes)
    assert len(data) < len(msgspec.json.encode(attributes)) + 3


def test_values_msgpack_cannot_hold_exactly_are_refused_and_kept_as_they_were():
    assert pack({"huge": 2**64}) is None and pack({"neg": -2**63 - 1}) is None
    assert pack({"lone": "\ud800"}) is None
    s = Span("t", "s", raw_attributes={"huge": 2**64})
    compact([s])
    assert s.raw_attributes == {"huge": 2**64} and s.attributes == {"huge": 2**64}


def test_spans_of_one_kind_share_their_keys_and_pay_only_for_values():
    one = pack(HTTP)
    other = pack({**HTTP, "url.path": "/api/items/8"})
    assert one[:2] == other[:2] != b"\x00\x00"  # the same shape, named in two bytes
    assert one != other and len(one) == len(other)
    assert b"http.request.method" not in one  # the keys are not repeated per span


def test_the_shape_table_is_bounded_past_it_keys_travel_with_the_values(monkeypatch):
    monkeypatch.setattr(packed, "_shapes", {})
    monkeypatch.setattr(packed, "_keys", [()])
    monkeypatch.setattr(packed, "_key_count", 0)
    monkeypatch.setattr(packed, "MAX_SHAPES", 3)
    datas = [pack({f"k{i}": i, "v": "x"}) for i in range(10)]
    assert len(packed._keys) == 4  # three shapes and the "inline" slot
    assert [d[:2] for d in datas[3:]] == [b"\x00\x00"] * 7
    for i, d in enumerate(datas):
        assert unpack(d) == {f"k{i}": i, "v": "x"} and packed.keys(d) == (f"k{i}", "v")
    monkeypatch.setattr(packed, "MAX_SHAPES", 1000)
    monkeypatch.setattr(packed, "MAX_KEYS", packed._key_count + 2)
    assert pack({"a": 1, "b": 2, "c": 3})[:2] == b"\x00\x00"  # too many keys in all: inline


# -- OTLP JSON: the fast decode is the generic one, or refuses --------------------------------

_KINDS = [
    lambda r: {"stringValue": r.choice(["", "GET", "é\"\\", "1"])},
    lambda r: {"intValue": r.choice(["200", "-3", "0x10", " 7", "1e3", "99999999999999999999", "x"])},
    lambda r: {"intValue": r.choice([200, -3, 2**63, 3.5, True])},
    lambda r: {"boolValue": r.choice([True, False, "true", 0, None])},
    lambda r: {"doubleValue": r.choice([1.5, 3, "NaN", "Infinity", "1.25", -0.0, None])},
    lambda r: {"bytesValue": "AAEC"},
    lambda r: {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": "1"}]}},
    lambda r: {"kvlistValue": {"values": [{"key": "k", "value": {"boolValue": True}}]}},
    lambda r: {"string_value": "snake"},
    lambda r: {},
    lambda r: {"stringValue": "a", "intValue": "1"},
    lambda r: {"intValue": "1", "stringValue": "a"},
    lambda r: {"stringValue": None},
    lambda r: {"unknown": 1, "stringValue": "after an unknown key"},
    lambda r: None,
    lambda r: 5,
]


def test_the_fast_json_decode_gives_what_the_generic_decode_gives_or_nothing():
    rnd = random.Random(7)
    fast = 0
    for _ in range(3000):
        items = []
        for i in range(rnd.randrange(0, 5)):
            kv: dict = {"key": rnd.choice(["a", "b", f"k{i}"])}
            if rnd.random() < 0.9:
                kv["value"] = rnd.choice(_KINDS)(rnd)
            items.append(kv)
        raw = msgspec.Raw(msgspec.json.encode(items))
        got = fast_key_values(raw)
        if got is not None:
            fast += 1
            assert same(got, decode_key_values(raw)), items
    assert fast > 300  # the common kinds do go the fast way
    common = msgspec.json.encode([{"key": k, "value": {"stringValue": "v"} if i % 2 else {"intValue": str(i)}}
                                  for i, k in enumerate("abcdefghij")])
    assert fast_key_values(common) == decode_key_values(common)


# -- the readers of undecoded attributes -----------------------------------------------------


def _as_json_raw(attributes: dict) -> msgspec.Raw:
    from otlp_writer import key_values

    return msgspec.Raw(msgspec.json.encode(key_values(attributes)))


def _pair(attributes: dict, events: list[Event] | None = None, **kw) -> tuple[Span, Span]:
    """The same span twice: attributes (and events) as undecoded OTLP JSON, and packed."""
    from otlp_writer import key_values

    raw_events = None
    if events:
        raw_events = msgspec.Raw(msgspec.json.encode([
            {"timeUnixNano": str(e.time_ns), "name": e.name, "attributes": key_values(e.attributes)} for e in events]))
    as_json = span("a", "", 0, 10, raw_attributes=_as_json_raw(attributes), raw_events=raw_events, **kw)
    live = span("a", "", 0, 10, raw_attributes=pack(attributes), raw_events=pack_events(events) if events else None,
                **kw)
    return as_json, live


@pytest.mark.parametrize("text", [
    "http.response.status_code=200", "http.response.status_code>=500", "url.path~=items",
    "http.request.method=get", "retry=false", "ratio<1", "server.port=8080", "-url.path~=orders",
    "missing=1", "http.request.method!=POST",
])
def test_queries_match_packed_attributes_as_they_match_undecoded_json(text):
    as_json, live = _pair(HTTP)
    q = parse_query(text)
    assert q.match_trace(Trace("t1", [live])) == q.match_trace(Trace("t1", [as_json]))
    assert q.match_span(live) == q.match_span(as_json)


def test_lint_finds_renamed_and_oversized_attributes_in_packed_spans():
    from tracetui.analysis.lint.attributes import MAX_VALUE_BYTES, attribute_hits

    attributes = {"http.method": "GET", "http.request.body": "x" * (MAX_VALUE_BYTES + 1)}
    as_json, live = _pair(attributes)
    want = [(h.kind, h.key) for h in attribute_hits(Trace("t1", [as_json]))]
    assert sorted(want) == [("oversized_attribute", ("svc", "http.request.body")),
                            ("renamed_attribute", ("svc", "http.method", "http.request.method", "span"))]
    assert [(h.kind, h.key) for h in attribute_hits(Trace("t1", [live]))] == want


def test_exceptions_sampling_and_export_read_packed_events_and_attributes():
    from tracetui.analysis.exceptions import exception_groups
    from tracetui.analysis.sampling import span_bytes
    from tracetui.render.export_otlp import traces_data

    events = [Event(5, "exception", {"exception.type": "TimeoutError", "exception.message": "slow"}),
              Event(6, "retry", {})]
    as_json, live = _pair(HTTP, events)
    assert live.events == as_json.events and unpack_events(live.raw_events) == events
    groups = [(g.key, g.count) for g in exception_groups([Trace("t1", [live])])]
    assert groups == [(("svc", "TimeoutError", "slow"), 1)]
    assert groups == [(g.key, g.count) for g in exception_groups([Trace("t1", [as_json])])]
    # Sizes as OTLP JSON: the same document, give or take how each spells a number.
    assert abs(span_bytes(live) - span_bytes(as_json)) < 0.1 * span_bytes(as_json)
    assert traces_data([live]) == traces_data([as_json])


def test_compact_keeps_nothing_of_the_request_and_shares_parent_ids():
    body = bytearray(msgspec.json.encode({"attributes": [{"key": "k", "value": {"stringValue": "v"}}],
                                          "pad": "x" * 10_000}))

    class Doc(msgspec.Struct):
        attributes: msgspec.Raw

    raw = msgspec.json.decode(memoryview(body), type=Doc).attributes
    parent = Span("t", "p" * 16, raw_attributes=raw, raw_events=raw, raw_links=raw)
    child = Span("t", "c" * 16, "".join(["p"] * 16))
    compact([child, parent])
    assert child.parent_id is parent.span_id
    assert parent.attributes == {"k": "v"} and parent.raw_attributes.__class__ is bytes
    assert parent.raw_links.__class__ is msgspec.Raw and bytes(parent.raw_links) == bytes(raw)
    body[:] = b" " * len(body)  # the request's buffer reused: what was kept is a copy
    assert parent.attributes == {"k": "v"} and bytes(parent.raw_links).startswith(b"[{")


def test_a_trace_remembers_its_spans_by_id_as_remember_does():
    # Live traces arrive in several requests, so `Trace.add` keeps a key per span: by span id
    # (no tuple per span) unless an id is shared. The spans kept are those `remember` keeps.
    rnd = random.Random(3)
    for _ in range(500):
        spans = [span(rnd.choice("abcd"), rnd.choice(["", "a", "b"]), rnd.randrange(2), 5,
                      name=rnd.choice("xy"), service=rnd.choice(["s1", "s2"])) for _ in range(rnd.randrange(1, 12))]
        seen: dict = {}
        want = [s for s in spans if remember(seen, s)]
        cut = rnd.randrange(1, len(spans) + 1)
        first: dict = {}
        t = Trace("t1", [s for s in spans[:cut] if remember(first, s)])  # as the store makes a new trace
        for i in range(cut, len(spans), 3):  # later requests
            t.add(spans[i:i + 3])
        assert sorted(map(id, t.spans)) == sorted(map(id, want)), spans


def test_the_filter_index_reads_packed_attributes_as_match_trace_does():
    from tracetui.model import TraceStore
    from tracetui.model.filter_index import FilterIndex

    store = TraceStore()
    rnd = random.Random(5)
    for i in range(60):
        attributes = {"http.response.status_code": rnd.choice([200, 404, 503]), "url.path": f"/items/{i % 7}",
                      "retry": rnd.random() < 0.2}
        store.add([span("r", "", 0, 10, trace_id=f"t{i}", raw_attributes=pack(attributes)),
                   span("c", "r", 1, 5, trace_id=f"t{i}", raw_attributes=_as_json_raw({"other": i}))])
    index = FilterIndex.build(list(store))
    for text in ("http.response.status_code=503", "url.path~=items/3", "retry=true", "http.response.status_code>=404"):
        q = parse_query(text)
        want = {t.trace_id for t in store if q.match_trace(t)}
        assert 0 < len(want) < 60
        assert index.matching(store, q, list(store.traces)) == want, text
