"""The filter index answers every query exactly as testing every span does (`Query.match_trace`):
on the real fixtures, the SDK's sample traces, hostile text, and a store that keeps changing."""

from __future__ import annotations

import json
import random
import re

import msgspec
import pytest
from builders import span
from conftest import FIXTURES, SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loading import load_files

from tracetui.model import Resource, Span, TraceStore
from tracetui.model.filter_index import FilterIndex
from tracetui.model.log import LogRecord
from tracetui.model.query import QueryError, parse_query, quote_value
from tracetui.model.span import STATUS_ERROR
from tracetui.viewmodels.trace_list import TraceIndex

_KEY_OK = re.compile(r"^[^\s=<>!~\"'{}-][^\s=<>!~\"']*$")


def plain(store: TraceStore, query) -> set[str]:
    return {t.trace_id for t in store if query.match_trace(t)}


def indexed(index: FilterIndex, store: TraceStore, query) -> set[str]:
    return index.matching(store, query, list(store.traces))


def fragment(rng: random.Random, text: str) -> str:
    if len(text) <= 2:
        return text
    i = rng.randrange(len(text) - 1)
    return text[i:i + rng.randint(1, min(12, len(text) - i))]


def terms_of(store: TraceStore, rng: random.Random, n: int = 12) -> list[str]:
    """Terms of every kind, taken from what the store holds (so many of them match)."""
    spans = [s for t in store for s in t.spans]
    logs = [r for t in store for r in t.logs]
    out = ["error", "duration>1ms", "duration<=5ms", "severity>=warn", "severity=error", "severity<info",
           "log~=e", "kind=server", "status=error", "status=ok"]
    for s in rng.sample(spans, min(n, len(spans))):
        out += [fragment(rng, s.name).upper() or "x", fragment(rng, s.resource.service), fragment(rng, s.span_id),
                fragment(rng, s.trace_id), f"service={quote_value(s.resource.service)}",
                f"name={quote_value(s.name)}", f"name~={quote_value(fragment(rng, s.name) or 'a')}",
                f"span_id={s.span_id}", f"span_id~={fragment(rng, s.span_id)}", f"trace_id~={fragment(rng, s.trace_id)}",
                f"parent_id={s.parent_id or 'none'}", f"scope={quote_value(s.scope.name or 'x')}",
                f"duration>={s.end_ns - s.start_ns}ns", f"duration={s.end_ns - s.start_ns}ns",
                f"duration<{s.end_ns - s.start_ns}ns"]
        for attrs in (s.attributes, s.resource.attributes):
            for k, v in list(attrs.items())[:6]:
                if not _KEY_OK.match(k):
                    continue
                text = "true" if v is True else "false" if v is False else str(v)
                if text and not text.startswith("-"):
                    out += [f"{k}={quote_value(text)}", f"{k}~={quote_value(fragment(rng, text.upper()))}"]
                if isinstance(v, int | float) and not isinstance(v, bool):
                    out += [f"{k}>={v}", f"{k}<{v}", f"{k}={float(v)}", f"{k}!={v}", f"{k}>{v}"]
    for r in rng.sample(logs, min(8, len(logs))):
        body = r.body.replace('"', "").replace("'", "")
        if body.strip():
            out += [f"log~={quote_value(fragment(rng, body).strip() or 'a')}", f"log={quote_value(body)}"]
        out.append(f"severity={r.severity}")
    return out


def one_span_queries(store: TraceStore, rng: random.Random, n: int = 25) -> list[str]:
    """Terms that must hold on one span together: a group of a field and a span's duration, of
    fields and negated fields, and positive terms side by side on the list."""
    spans = [s for t in store for s in t.spans]
    out = []
    for s in rng.sample(spans, min(n, len(spans))):
        service, name, d = quote_value(s.resource.service), quote_value(s.name), s.end_ns - s.start_ns
        word = fragment(rng, s.name) or "a"
        for op in (">", ">=", "<", "<="):
            out += [f"{{service={service} duration{op}{d}ns}}", f"-{{name={name} duration{op}{d}ns}}",
                    f"{{{word} kind=server duration{op}{d + 1}ns}}"]
        out += [f"{{service={service} -error}}", f"{{service={service} error}}", f"-{{name={name} -error}}",
                f"{{-service={service} kind=client}}", f"{quote_value(word)} error", f"service={service} {word}",
                f"service={service} name={name} status=unset", f"{{name={name} status!=error duration>0ns}}"]
    return out


def queries_of(terms: list[str], rng: random.Random) -> list[str]:
    """Each term alone and negated, in a span group, and some pairs and groups of them."""
    out = []
    for t in terms:
        out += [t, f"-{t}", f"{{{t}}}", f"-{{{t}}}"]
    for _ in range(min(len(terms), 150)):
        a, b = rng.choice(terms), rng.choice(terms)
        out += [f"{a} {b}", f"{a} -{b}", f"{{{a} {b}}}", f"-{{{a} {b}}}", f"{{{a}}} {b}", f"{{{a} -{b}}}"]
    return out


def assert_same(store: TraceStore, queries: list[str], index: FilterIndex | None = None) -> int:
    index = index or FilterIndex.build(list(store))
    checked = 0
    for text in queries:
        try:
            q = parse_query(text)
        except QueryError:
            continue
        assert indexed(index, store, q) == plain(store, q), text
        checked += 1
    return checked


REAL = [SAMPLES / "shop.json", SAMPLES / "incident.json", SAMPLES / "skew.json", SAMPLES / "broken.json",
        SAMPLES / "shop_logs.jsonl", FIXTURES / "otlp", FIXTURES / "zipkin", FIXTURES / "jaeger"]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_the_index_answers_as_the_plain_filter_on_real_dumps(path):
    store, _ = load_files(path)
    assert len(store)
    rng = random.Random(path.name)
    queries = queries_of(terms_of(store, rng), rng)
    checked = assert_same(store, rng.sample(queries, min(len(queries), 1000)) + one_span_queries(store, rng))
    assert checked > 200


def test_many_queries_match_something_so_the_comparison_means_something():
    store, _ = load_files(SAMPLES / "shop_logs.jsonl")
    index = FilterIndex.build(list(store))
    rng = random.Random(3)
    hits = [bool(indexed(index, store, parse_query(t))) for t in terms_of(store, rng)]
    assert sum(hits) > len(hits) / 2


# -- hostile text --------------------------------------------------------------------------


def _raw(items: list[dict]) -> msgspec.Raw:
    return msgspec.Raw(json.dumps(items).encode())


def hostile_store() -> TraceStore:
    """Ids with capitals and newlines, Unicode that changes length when lower-cased, JSON with
    escapes the raw bytes do not show as text, numbers as strings, ints and floats, and log
    bodies across lines."""
    res = Resource("ΣΊΣΥΦΟΣ", {"service.name": "ΣΊΣΥΦΟΣ", "region": "eu-1", "build": 42})
    attrs = [
        _raw([{"key": "http.route", "value": {"stringValue": "GET /api/İstanbul"}},
              {"key": "http.status_code", "value": {"intValue": "503"}},
              {"key": "ratio", "value": {"doubleValue": 0.5}}]),
        msgspec.Raw(b'[{"key":"http.route","value":{"stringValue":"GET \\/api\\/cart \\u0041"}},'
                    b'{"key":"http.status_code","value":{"stringValue":"503"}}]'),
        msgspec.Raw(b'[{"key":"http.status_code","value":{"doubleValue":503.0}},'
                    b'{"key":"flag","value":{"boolValue":true}},'
                    b'{"key":"list","value":{"arrayValue":{"values":[{"intValue":"1"},{"stringValue":"a\\nb"}]}}}]'),
        {"http.status_code": 200, "db.statement": "SELECT *\nFROM t", "nan": float("nan"), "big": 2**62},
        msgspec.Raw(b"not json"),
        None,
    ]
    spans = []
    for t in range(12):
        tid = f"{t:02d}AB\ncd" if t == 3 else f"{t:032x}"
        for i in range(5):
            sid = "Span\nId" if (t, i) == (4, 1) else ("DEADBEEF" if (t, i) == (5, 2) else f"{t:04x}{i:012x}")
            spans.append(Span(tid, sid, "" if i == 0 else f"{t:04x}{0:012x}", name=["GET /İstanbul", "SELECT Σ",
                              "charge\ncard", "op", "ΣΊΣΥΦΟΣ"][(t + i) % 5],
                              start_ns=t * 1000 + i, end_ns=t * 1000 + i * 7 + 1,
                              status=STATUS_ERROR if (t * i) % 7 == 3 else 0, kind=i % 4,
                              resource=res if t % 2 else Resource(f"svc{t % 3}"),
                              raw_attributes=attrs[(t + i) % len(attrs)]))
    store = TraceStore()
    store.add(spans)
    logs = []
    for t in range(0, 12, 2):
        tid = f"{t:032x}"
        logs += [LogRecord(tid, f"{t:04x}{1:012x}", t, severity=(t * 3) % 25, body=["timeout\ntalking to db",
                                                                                    "TIMEOUT", "ok"][t % 3]),
                 LogRecord(tid, "", t + 1, severity=17, body="line one\nline two")]
    store.add_logs(logs)
    return store


HOSTILE_TERMS = [
    "istanbul", "İstanbul", "i̇stanbul", "σ", "ΣΊΣ", "charge\ncard", '"charge\ncard"', "span", "Span", "deadbeef",
    "ab", "0000", "\ncd", "http.route~=cart", "http.route~=/api", "http.route~=a", "http.route=\"GET /api/cart A\"",
    "http.status_code=503", "http.status_code=503.0", "http.status_code>=500", "http.status_code<300",
    "http.status_code~=50", "flag=true", "flag~=ru", "list~=a", "ratio>0.1", "ratio=0.5", "nan>0", "nan~=nan",
    "big>1e18", "db.statement~=from", 'db.statement~="*\nfrom"', "region=EU-1", "build>=42", "build=42.0",
    "span_id=deadbeef", "span_id~=span", "span_id=\"span\nid\"", "parent_id~=0000", "trace_id~=ab",
    "log~=timeout", "log=timeout", "log=\"line one\nline two\"", 'log~="one\nline"', "log~=\n", "severity>=error",
    "severity=warn", "severity<5", "kind=client", "status=error", "service~=σ", "service=σίσυφος", "name~=\n",
    "duration>10ns", "duration<=1ns", "{duration>20ns}", "{duration=7ns}", "scope=",
]


def test_the_index_answers_as_the_plain_filter_on_hostile_text():
    store = hostile_store()
    rng = random.Random(5)
    assert assert_same(store, queries_of(HOSTILE_TERMS, rng) + one_span_queries(store, rng)) > 400


def test_packed_attributes_of_live_mode_are_indexed_as_they_read():
    from msgspec.structs import replace

    from tracetui.model.packed import pack

    hostile = hostile_store()
    store = TraceStore()
    for t in hostile:  # the same spans, attributes packed as the live receiver keeps them
        store.add([replace(s, raw_attributes=pack(s.attributes) if s.attributes else None) for s in t.spans])
    assert any(type(s.raw_attributes) is bytes for t in store for s in t.spans)
    rng = random.Random(6)
    assert assert_same(store, queries_of(HOSTILE_TERMS, rng) + one_span_queries(store, rng)) > 400


# -- a store that changes after the index was built ------------------------------------------------


def test_traces_that_grow_arrive_or_go_after_the_build_are_answered_as_without_an_index():
    store = TraceStore(max_spans=70)
    ms = 1_000_000
    for t in range(10):
        store.add([span("r", "", 0, 10 * ms, service="front", name="GET /", trace_id=f"t{t}"),
                   span("c", "r", ms, 2 * ms, service="db", name="SELECT", trace_id=f"t{t}")])
    index = FilterIndex.build(list(store))
    store.add([span("late", "r", 3 * ms, 90 * ms, service="pay", name="charge", status=STATUS_ERROR,
                    trace_id="t2")])  # t2 grows: its version moves
    store.add([span("r", "", 0, ms, service="pay", name="refund", trace_id="new")])
    store.add_logs([LogRecord("t4", "c", 5, severity=17, body="deadlock")])
    store.add([span(f"x{i}", "", 0, ms, service="bulk", trace_id=f"bulk{i}") for i in range(50)])  # evicts
    assert store.evicted_traces
    for text in ["pay", "-pay", "error", "service=pay", "{service=pay duration>50ms}", "log~=deadlock",
                 "severity>=error", "duration>50ms", "refund", "-bulk", "front", "-{service=db}", "x1"]:
        q = parse_query(text)
        assert indexed(index, store, q) == plain(store, q), text


def test_clock_skew_toggled_after_the_build_is_answered_as_without_an_index():
    store, _ = load_files(SAMPLES / "skew.json")
    index = FilterIndex.build(list(store))
    store.set_adjust_skew(False)
    rng = random.Random(9)
    assert_same(store, queries_of(terms_of(store, rng, 20), rng), index)


def test_the_trace_list_with_an_index_lists_what_it_lists_without():
    store, _ = load_files(SAMPLES / "incident.json")
    plain_list, with_index = TraceIndex(), TraceIndex()
    for index in (plain_list, with_index):
        index.update(store, list(store.traces))
    with_index.filter_index = FilterIndex.build(list(store))
    shown = []
    for text in ["checkout", "error", "http.response.status_code>=500", "-{service=cart}", "duration>100ms"]:
        q = parse_query(text)
        plain_list.set_query(store, q)
        with_index.set_query(store, q)
        assert [s.trace_id for s in with_index.rows] == [s.trace_id for s in plain_list.rows], text
        shown.append(len(with_index.rows))
    assert 0 < min(shown) < len(store)


# -- random stores and queries ---------------------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from("aAbΣσς İi\n\"'=-{}5.0"), max_size=6)
_VALUE = st.one_of(_TEXT, st.integers(-3, 600), st.floats(allow_nan=True, width=32), st.booleans())


@st.composite
def random_store(draw) -> TraceStore:
    store = TraceStore()
    n = draw(st.integers(1, 4))
    for t in range(n):
        spans = []
        for i in range(draw(st.integers(1, 4))):
            attrs = draw(st.dictionaries(st.sampled_from(["k", "K", "a.b", "n"]), _VALUE, max_size=3))
            raw = attrs if draw(st.booleans()) else _raw(
                [{"key": k, "value": {"boolValue": v} if isinstance(v, bool) else {"intValue": str(v)}
                  if isinstance(v, int) else {"doubleValue": v if v == v else "NaN"} if isinstance(v, float)
                  else {"stringValue": v}} for k, v in attrs.items()])
            spans.append(Span(f"t{t}", draw(_TEXT) or f"s{i}", draw(st.sampled_from(["", "s0", "x"])),
                              name=draw(_TEXT), start_ns=draw(st.integers(0, 50)), end_ns=draw(st.integers(0, 90)),
                              status=draw(st.sampled_from([0, 1, 2])), resource=Resource(draw(_TEXT) or "svc"),
                              raw_attributes=raw))
        store.add(spans)
        store.add_logs([LogRecord(f"t{t}", draw(st.sampled_from(["", "s0"])), severity=draw(st.integers(0, 24)),
                                  body=draw(_TEXT)) for _ in range(draw(st.integers(0, 2)))])
    return store


_TERM = st.one_of(
    _TEXT.map(quote_value),
    st.tuples(st.sampled_from(["k", "K", "a.b", "n", "service", "name", "span_id", "parent_id", "log"]),
              st.sampled_from(["=", "~=", "!="]), _TEXT.filter(bool).map(quote_value)).map("".join),
    st.tuples(st.sampled_from(["k", "n", "severity"]), st.sampled_from([">", ">=", "<", "<="]),
              st.integers(0, 600).map(str)).map("".join),
    st.sampled_from(["error", "duration>20ns", "duration<=30ns", "{duration=10ns}", "severity=warn"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_store(), st.lists(st.tuples(_TERM, st.booleans(), st.integers(0, 2)), min_size=1, max_size=3))
def test_random_stores_and_queries(store, parts):
    words = []
    for term, negated, grouping in parts:
        t = f"-{term}" if negated else term
        words.append({0: t, 1: f"{{{t}}}", 2: f"-{{{t}}}"}[grouping])
    text = " ".join(words)
    try:
        q = parse_query(text)
    except QueryError:
        return
    index = FilterIndex.build(list(store))
    assert indexed(index, store, q) == plain(store, q), text
