"""Export, then load back with tracetui's own loaders: the same traces, for every format.

What a format cannot carry is written in each writer's docstring and the README; `carried`
below says the same thing as code: the original span reduced to what the format keeps, compared
with the span read back."""

from __future__ import annotations

import io
import math

import orjson
import pytest
from builders import span
from conftest import FIXTURES, SAMPLES
from loading import load_bytes, load_files

from tracetui.model import Resource, Scope, TraceStore
from tracetui.model.span import (
    KIND_CLIENT,
    KIND_INTERNAL,
    KIND_SERVER,
    KIND_UNSPECIFIED,
    STATUS_ERROR,
    STATUS_OK,
    Event,
    Link,
)
from tracetui.render.export import FORMATS, write_traces


def _json_text(v):
    return orjson.dumps(v).decode()


def _text(v):  # Zipkin tags are text
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return _json_text(v)


def _jaeger_value(v):
    if isinstance(v, (list, dict)):
        return _json_text(v)
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, int) and not isinstance(v, bool) and not -(2**63) <= v < 2**63:
        return str(v)
    return v


def _nan_safe(d: dict) -> dict:
    return {k: ("nan" if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}


def carried(s, fmt: str) -> dict:
    """What of span `s` the format keeps, as tracetui reads it back."""
    us = (lambda t: t // 1000 * 1000) if fmt != "otlp" else (lambda t: t)
    out = {
        "ids": (s.trace_id, s.span_id, s.parent_id), "name": s.name, "service": s.service,
        "start": us(s.start_ns), "end": us(s.end_ns), "status": s.status, "message": s.status_message,
    }
    attrs = dict(s.attributes)
    events = [(us(e.time_ns), e.name, dict(e.attributes)) for e in s.events]
    links = [(ln.trace_id, ln.span_id, dict(ln.attributes), ln.trace_state) for ln in s.links]
    resource = dict(s.resource.attributes)
    if fmt == "otlp":
        attrs = {k: str(v) if isinstance(v, int) and not -(2**63) <= v < 2**63 else v for k, v in attrs.items()}
        out.update(kind=s.kind, scope=(s.scope.name, s.scope.version, s.scope.attributes), state=s.trace_state)
    elif fmt == "jaeger":
        out["kind"] = s.kind
        attrs = {k: _jaeger_value(v) for k, v in attrs.items()}
        if s.status == STATUS_ERROR:
            attrs.setdefault("error", True)  # Jaeger's error flag stays a tag
        events = [(t, n, {"event": n, **{k: _jaeger_value(v) for k, v in a.items()}}) for t, n, a in events]
        links = [(t, i, {"jaeger.ref_type": "FOLLOWS_FROM"}, "") for t, i, _, _ in links]
        resource = {k: _jaeger_value(v) for k, v in resource.items()}
        resource.setdefault("service.name", s.service)
    else:  # zipkin
        out["kind"] = KIND_UNSPECIFIED if s.kind == KIND_INTERNAL else s.kind
        attrs = {k: _text(v) for k, v in attrs.items()}
        if s.status == STATUS_ERROR:
            attrs["otel.status_code"] = "ERROR"
            attrs.setdefault("error", s.status_message or "true")
        elif s.status == STATUS_OK:
            attrs["otel.status_code"] = "OK"
        events = [(t, n, {}) for t, n, _ in events]
        links = []
        resource = {"service.name": s.service}
    out.update(attrs=_nan_safe(attrs), events=[(t, n, _nan_safe(a)) for t, n, a in events], links=links,
               resource=_nan_safe(resource))
    return out


def read_back(s) -> dict:
    out = {
        "ids": (s.trace_id, s.span_id, s.parent_id), "name": s.name, "service": s.service,
        "start": s.start_ns, "end": s.end_ns, "status": s.status, "message": s.status_message, "kind": s.kind,
        "attrs": _nan_safe(dict(s.attributes)),
        "events": [(e.time_ns, e.name, _nan_safe(dict(e.attributes))) for e in s.events],
        "links": [(ln.trace_id, ln.span_id, dict(ln.attributes), ln.trace_state) for ln in s.links],
        "resource": _nan_safe(dict(s.resource.attributes)),
    }
    return out


def round_trip(store: TraceStore, fmt: str) -> TraceStore:
    buf = io.BytesIO()
    n = write_traces(store.sorted_by_start(), fmt, buf)
    assert n == store.span_count
    back, problems = load_bytes(buf.getvalue(), f"export.{fmt}")
    assert [p for p in problems if not p.warning] == []
    return back


def assert_same(store: TraceStore, back: TraceStore, fmt: str) -> None:
    assert sorted(t.trace_id for t in back) == sorted(t.trace_id for t in store)
    for t in store:
        got = {(s.span_id, s.parent_id): s for s in back.get(t.trace_id).spans}
        assert len(got) == len(t.spans)
        for s in t.spans:
            r = got[(s.span_id, s.parent_id)]
            want = carried(s, fmt)
            have = read_back(r)
            if fmt == "otlp":
                have.update(scope=(r.scope.name, r.scope.version, r.scope.attributes), state=r.trace_state)
            assert have == want, (fmt, s.span_id)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_sdks_sample_traces_come_back_the_same(fmt):
    store, problems = load_files(SAMPLES / "shop.json")
    assert not problems
    back = round_trip(store, fmt)
    assert_same(store, back, fmt)
    # what the sample shows survives: the exception event, the span link (where the format has links)
    spans = [s for t in back for s in t.spans]
    assert any(e.name == "exception" for s in spans for e in s.events)
    assert any(s.links for s in spans) == (fmt != "zipkin")


def _awkward_store() -> TraceStore:
    res = Resource("pay ✓", {"service.name": "pay ✓", "host.name": "h1", "pid": 42})
    scope = Scope("lib", "1.2", {"a": "b"})
    store = TraceStore()
    store.add([
        span("0000000000000001", "", 1_000_000_123, 9_000_000_999, service="web", trace_id="a" * 32,
             kind=KIND_SERVER, status=STATUS_OK, name="GET /\u202e evil\x1b[2J",
             raw_attributes={"s": "x\ny", "i": -5, "big": 2**63 + 1, "f": 1.5, "inf": math.inf, "b": True,
                             "arr": [1, "two", 3.0], "map": {"k": [True]}, "empty": ""},
             raw_events=[Event(2_000_000_001, "cache miss", {"key": "u:1", "n": 3})],
             raw_links=[Link("b" * 32, "00000000000000ff", {"why": "batch"}, "k=v")]),
        span("0000000000000002", "0000000000000001", 2_000_000_500, 5_000_000_000, service="web",
             trace_id="a" * 32, kind=KIND_CLIENT, status=STATUS_ERROR, status_message="card declined"),
        span("0000000000000003", "0000000000000002", 2_500_000_000, 4_000_000_000, trace_id="a" * 32,
             kind=KIND_INTERNAL, trace_state="vendor=1"),
    ])
    # the third span in its own resource and scope (a msgspec Struct: replaced whole)
    t = store.get("a" * 32)
    third = t.spans[2]
    third.resource, third.scope = res, scope
    return store


@pytest.mark.parametrize("fmt", FORMATS)
def test_awkward_values_come_back_as_the_format_can_carry_them(fmt):
    store = _awkward_store()
    assert_same(store, round_trip(store, fmt), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("fixture", ["zipkin/messaging-kafka.json", "zipkin/yelp.json", "jaeger/trace-statistics/testTrace.json"])
def test_other_tools_data_round_trips(fmt, fixture):
    # spans read from Zipkin's own examples exported to every format
    store, _ = load_files(FIXTURES / fixture)
    assert store.span_count
    back = round_trip(store, fmt)
    assert_same(store, back, fmt)


def test_the_export_is_the_formats_own_shape():
    store, _ = load_files(SAMPLES / "shop.json")
    out = {}
    for fmt in FORMATS:
        buf = io.BytesIO()
        write_traces(store.sorted_by_start(), fmt, buf)
        out[fmt] = buf.getvalue()
    lines = out["otlp"].splitlines()
    assert len(lines) == 5  # one TracesData per trace, as JSON Lines
    first = orjson.loads(lines[0])
    sp = first["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert isinstance(sp["startTimeUnixNano"], str) and len(sp["traceId"]) == 32 and sp["traceId"].islower()
    jaeger = orjson.loads(out["jaeger"])
    tr = jaeger["data"][0]
    assert set(tr) >= {"traceID", "spans", "processes"}
    assert all(s["processID"] in tr["processes"] for s in tr["spans"])
    zipkin = orjson.loads(out["zipkin"])
    assert isinstance(zipkin, list) and len(zipkin) == 62
    assert all(isinstance(v, str) for s in zipkin for v in s.get("tags", {}).values())


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_times_written_are_as_read_not_adjusted_for_clock_skew(fmt):
    # the server starts 50 ms before its client called it: the explorer shows it shifted, an export keeps it
    ms = 1_000_000
    store = TraceStore()
    store.add([
        span("00000000000000c1", "", 100 * ms, 200 * ms, service="web", trace_id="c" * 32, kind=KIND_CLIENT),
        span("00000000000000d1", "00000000000000c1", 60 * ms, 140 * ms, service="api", trace_id="c" * 32,
             kind=KIND_SERVER),
    ])
    t = store.get("c" * 32)
    t.ensure_built()
    assert t.adjusted  # shown shifted into its caller
    back = round_trip(store, fmt)
    server = next(s for s in back.get("c" * 32).spans if s.span_id == "00000000000000d1")
    back_trace = back.get("c" * 32)
    assert back_trace.original(back_trace.spans.index(server)).start_ns == 60 * ms
