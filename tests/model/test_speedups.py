"""The compiled helper (tracetui/model/_speedups.c) against the Python loops it replaces.

Both ways must give the same spans, the same sharing of strings, the same groups and the same
figures, on anything: generated documents and traces (repeated ids, cycles, orphans, skew, odd
statuses, empty fields), the real fixtures, and spans the helper must decline (another class,
times past 64 bits), where the Python loop answers."""

from __future__ import annotations

import os
from contextlib import contextmanager

import msgspec
import orjson
import pytest
from builders import span
from conftest import FIXTURES, SAMPLES
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tracetui.loaders.otlp_json import wire
from tracetui.loaders.otlp_json.fast import fast_convert
from tracetui.model import TraceStore, speedups
from tracetui.model.skew import CALLEES, callee_shift
from tracetui.model.span import Resource, Span
from tracetui.model.trace import light_figures, python_light_figures
from tracetui.render.summary_json import summary_json
from tracetui.sources.files import load_paths

REQUIRED = bool(os.environ.get("TRACETUI_REQUIRE_SPEEDUPS"))  # set by .ci/run
built = pytest.mark.skipif(speedups.finish is None and not REQUIRED,
                           reason="the compiled helper was not built here (no C compiler at install)")


@contextmanager
def pure_python():
    """The Python loops only, as on an install that could not build the helper."""
    saved = speedups.finish, speedups.figures
    speedups.finish = speedups.figures = None
    try:
        yield
    finally:
        speedups.finish, speedups.figures = saved


def test_the_helper_is_built_and_used_where_ci_runs():
    """CI installs the way the README says; the helper must have been built there (.ci/run sets
    TRACETUI_REQUIRE_SPEEDUPS) and must take what the fast decoder makes (a msgspec release that
    changed a struct's layout would make it decline everything, and loading quietly slower)."""
    if not REQUIRED and speedups.finish is None:
        pytest.skip("the compiled helper was not built here (no C compiler at install)")
    assert speedups.finish is not None and speedups.figures is not None
    doc = wire.fast_decoder(False, False).decode(otlp([("t1", "a", "", "GET /", 1, 2, {"code": 2}, True)]))
    rs = doc.resource_spans[0]
    spans = rs.scope_spans[0].spans
    got = speedups.finish(spans, Resource(), None, {}, {}, set(), {})
    assert got is False and type(spans[0]) is Span and spans[0].status == 2
    assert speedups.figures(spans, callee_shift, CALLEES) == (False, (1, 2, 1, {"unknown_service"}, 0, 0))


# -- the converter's loop --------------------------------------------------------------------

hexid = st.sampled_from(["0123456789abcdef", "00000000000000aa", "fedcba9876543210", "1111111111111111",
                         "ABCDEF0123456789", "", "abc"])  # (the last three send a document the careful way)
trace_id = st.sampled_from(["0123456789abcdef0123456789abcdef", "11111111111111111111111111111111",
                            "2222222222222222"])
status = st.sampled_from([None, {}, {"code": 0}, {"code": 2}, {"code": 2, "message": "boom"},
                          {"code": 1, "message": ""}])
rows = st.lists(st.tuples(trace_id, hexid, hexid, st.sampled_from(["GET /", "db", "x"]),
                          st.integers(0, 10), st.integers(0, 12), status, st.booleans()), min_size=1, max_size=12)


def otlp(spans, services=("svc",)) -> bytes:
    """An OTLP JSON document of these spans, one resourceSpans per service, spans dealt in turn."""
    out = []
    for tid, sid, parent, name, start, end, stat, full in spans:
        s = {"traceId": tid, "spanId": sid, "name": name, "kind": 2,
             "startTimeUnixNano": str(start), "endTimeUnixNano": str(end)}
        if parent:
            s["parentSpanId"] = parent
        if stat is not None:
            s["status"] = stat
        s["attributes"] = [{"key": "k", "value": {"stringValue": "v"}}] if full else []
        s["events"] = [{"timeUnixNano": "1", "name": "e"}] if full else []
        s["links"] = []
        out.append(s)
    rss = [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": svc}}]},
            "scopeSpans": [{"scope": {"name": "lib"}, "spans": out[i::len(services)]}]}
           for i, svc in enumerate(services)]
    return orjson.dumps({"resourceSpans": rss})


def sharing(spans) -> list[int]:
    """Which string objects the spans share: each id, parent id, trace id and name numbered by the
    first field that holds the same object."""
    first: dict[int, int] = {}
    return [first.setdefault(id(v), len(first)) for s in spans for v in (s.trace_id, s.span_id, s.parent_id, s.name)]


def converted(data: bytes):
    doc = wire.fast_decoder(False, False).decode(data)
    batch = fast_convert(doc, "t.json", "t.json")
    return batch, getattr(batch.spans, "groups", None)


def same_batches(data: bytes) -> None:
    with pure_python():
        want, want_groups = converted(data)
    got, got_groups = converted(data)
    assert got.spans == want.spans
    assert [type(s) for s in got.spans] == [type(s) for s in want.spans]
    assert sharing(got.spans) == sharing(want.spans)
    assert [str(p) for p in got.problems] == [str(p) for p in want.problems]
    assert type(got.spans) is type(want.spans)
    assert (got_groups is None) == (want_groups is None)
    if want_groups is not None:
        assert got_groups == want_groups
        assert [[got.spans.index(s) for s in g] for g in got_groups.values()] == \
            [[want.spans.index(s) for s in g] for g in want_groups.values()]


@built
@settings(max_examples=300, deadline=None)
@given(rows, st.sampled_from([("svc",), ("a", "b"), ("a", "b", "c")]))
def test_the_compiled_converter_loop_gives_what_the_python_loop_gives(spans, services):
    """Spans, their classes, statuses and messages, empty fields dropped, the strings they share,
    the groups by trace and the problems (ids the careful way, ends before starts): all equal."""
    same_batches(otlp(spans, services))


@built
@pytest.mark.parametrize("name", ["shop.json", "incident.json", "skew.json", "broken.json"])
def test_the_sample_documents_convert_the_same_both_ways(name):
    same_batches((SAMPLES / name).read_bytes())


# -- the figures ---------------------------------------------------------------------------

ids = st.sampled_from(["", "a", "b", "c", "d", "e", "f", "zz"])
_RES = {svc: Resource(svc) for svc in "pqr"}
_RES["q2"] = Resource("q")  # another resource of service q: the service set, not the resource, counts


@built
@settings(max_examples=500, deadline=None)
@example([("a", "", 0, 1, "p", 0, 0, False), ("b", "", 0, 1, "p", 0, 0, False)])  # two roots at once: the first
@given(st.lists(st.tuples(ids.filter(bool), st.one_of(st.just(""), ids), st.integers(0, 5), st.integers(0, 6),
                          st.sampled_from(sorted(_RES)), st.sampled_from([0, 1, 2, 3, 5]),
                          st.sampled_from([0, 1, 2]), st.booleans()), min_size=1, max_size=12))
def test_the_compiled_figures_are_the_python_figures(rows):
    """Skew verdicts, start, end, errors, services, orphans, root (or None when unsure): equal."""
    spans = [Span("t", sid, parent, sid, kind, start, start + length, status, resource=_RES[res], follows_from=ff)
             for sid, parent, start, length, res, kind, status, ff in rows]
    assert speedups.figures(spans, callee_shift, CALLEES) is not None
    got, want = light_figures(spans), python_light_figures(spans)
    assert got[0] == want[0]
    assert (got[1] is None) == (want[1] is None)
    if want[1] is not None:
        assert [getattr(got[1], k) for k in want[1].__slots__] == [getattr(want[1], k) for k in want[1].__slots__]


class OtherSpan(Span):
    pass


class OtherResource(Resource, frozen=True):
    pass


@built
@pytest.mark.parametrize("spans", [
    [span("a", "", 0, 1 << 64)],  # a time past 64 bits
    [span("a", "", -(1 << 70), 5)],
    [OtherSpan("t", "a", "", "x", 0, 0, 1)],  # a span of another class
    [span("a", "", 0, 5), Span("t", "b", "a", "x", 0, 1, 2, resource=OtherResource("q"))],
    [Span("t", 7, "", "x", 0, 1, 2)],  # an id that is not a string
])
def test_the_compiled_figures_decline_what_they_do_not_know_and_python_answers(spans):
    assert speedups.figures(spans, callee_shift, CALLEES) is None
    with pure_python():
        want = light_figures(spans)
    got = light_figures(spans)
    assert (got[0], got[1] is None) == (want[0], want[1] is None)


@built
def test_the_compiled_converter_declines_spans_it_does_not_know():
    """A list with a span of another class, or a decoded span changed into something else: the
    helper changes nothing and says so (None); the Python loop then runs."""
    doc = wire.fast_decoder(False, False).decode(otlp([("t" * 32, "a" * 16, "", "x", 1, 2, None, False)] * 2))
    spans = doc.resource_spans[0].scope_spans[0].spans
    fast_cls = spans[0].__class__
    spans[1].name = 5
    args = (Resource(), None, {}, {}, set(), {})
    assert speedups.finish(spans, *args) is None
    assert type(spans[0]) is fast_cls and spans[0].resource is not args[0]
    spans[1].name = "x"
    spans[1].raw_attributes = b"[]"  # bytes, not msgspec.Raw
    assert speedups.finish(spans, *args) is None
    assert type(spans[1]) is fast_cls
    assert speedups.finish([spans[0], span("b")], *args) is None  # a span of another class after it
    assert type(spans[0]) is fast_cls


# -- whole files ---------------------------------------------------------------------------

FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.name != "README.md") + \
    [SAMPLES / n for n in ("shop.json", "shop.jsonl", "incident.json", "skew.json", "broken.json")]


@built
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_fixture_summarizes_the_same_both_ways(path):
    def summary():
        store = TraceStore()
        problems = load_paths([str(path)], store)
        return msgspec.json.encode(summary_json(store)), [str(p) for p in problems]

    with pure_python():
        want = summary()
    assert summary() == want
