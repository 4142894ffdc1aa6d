"""The backend clients against real loopback servers answering with each API's documented shapes.

Asserts what the clients SEND (the query strings the server received) as well as what they read.
"""

import json
import time

import pytest
from backend_fixtures import expected_summary, with_service
from backend_server import _parse_go, _parse_rfc3339

from tracetui.model import TraceStore
from tracetui.render.summary import summary_json
from tracetui.sources.backends import TraceNotFound, build_params, load_search, load_trace, open_backend


def _search(server, **kw):
    b = open_backend(server.url)
    store = TraceStore()
    result, problems = load_search(b, build_params(**kw), store)
    return b, result, problems, store


# ---- Jaeger ---------------------------------------------------------------------------------------

def test_jaeger_v3_search_sends_rfc3339_window_go_durations_and_json_attributes(serve):
    server = serve("jaeger")
    before = time.time_ns()
    _search(server, service="api-gateway", operation="GET /owners", tags=("http.method=GET",),
            min_duration="200ms", max_duration="2s", since="15m", limit=7)
    (q,) = server.queries("/api/v3/traces")
    assert q["query.service_name"] == "api-gateway" and q["query.operation_name"] == "GET /owners"
    start, end = _parse_rfc3339(q["query.start_time_min"]), _parse_rfc3339(q["query.start_time_max"])
    assert q["query.start_time_min"].endswith("Z") and end - start == 15 * 60 * 10**9
    assert before <= end <= time.time_ns()
    assert q["query.duration_min"] == "200ms" and q["query.duration_max"] == "2s"
    assert q["query.search_depth"] == "7"
    assert json.loads(q["query.attributes"]) == {"http.method": "GET"}


def test_jaeger_v3_search_returns_the_traces_the_server_holds(serve):
    server = serve("jaeger")
    _, result, problems, store = _search(server, service="api-gateway")
    held = with_service(server, "api-gateway")
    assert problems == [] and len(held) == 5
    assert summary_json(store) == expected_summary(held)
    assert [h.trace_id for h in result.hits] == sorted((h.trace_id for h in held),
                                                       key=lambda t: -store.get(t).start_ns)


def test_jaeger_v3_streams_one_result_document_per_line(serve):
    server = serve("jaeger", chunked=True)
    _, _, _, store = _search(server, service="service-one")
    assert summary_json(store) == expected_summary(with_service(server, "service-one"))


def test_jaeger_v3_search_that_finds_nothing_is_empty_not_an_error(serve):
    server = serve("jaeger")
    _, result, problems, store = _search(server, service="api-gateway", min_duration="1h")
    assert result.hits == [] and len(store) == 0 and problems == []


def test_jaeger_without_v3_falls_back_to_the_legacy_api_and_probes_once(serve):
    server = serve("jaeger", v3=False)
    b = open_backend(server.url)
    assert "api-gateway" in b.services()
    assert "GET /owners" in b.operations("api-gateway")
    store = TraceStore()
    load_search(b, build_params(service="customers-service", tags=("sql=select * from test",),
                                min_duration="100us", since="30m", limit=3), store)
    load_trace(b, next(iter(server.traces)), TraceStore())
    assert len(server.queries("/api/v3/services")) == 1  # detected once per backend
    (q,) = server.queries("/api/traces")
    assert q["service"] == "customers-service" and q["limit"] == "3" and q["minDuration"] == "100us"
    assert int(q["end"]) - int(q["start"]) == 30 * 60 * 10**6  # microseconds
    assert abs(int(q["end"]) - time.time_ns() // 1000) < 5 * 10**6
    assert json.loads(q["tags"]) == {"sql": "select * from test"}
    expected = server._match(service="customers-service", tags={"sql": "select * from test"}, min_ns=100_000)
    assert expected and set(store.traces) == {h.trace_id for h in expected[:3]}


def test_jaeger_legacy_search_returns_what_the_server_holds(serve):
    server = serve("jaeger", v3=False)
    _, _, problems, store = _search(server, service="service-one")
    assert problems == [] and summary_json(store) == expected_summary(with_service(server, "service-one"))


@pytest.mark.parametrize("v3", [True, False])
def test_jaeger_trace_not_found_is_one_line(serve, v3):
    server = serve("jaeger", v3=v3)
    b = open_backend(server.url)
    with pytest.raises(TraceNotFound) as e:
        list(b.fetch_trace("deadbeefdeadbeefdeadbeefdeadbeef"))
    assert str(e.value) == f"{server.url}: trace deadbeefdeadbeefdeadbeefdeadbeef not found (404)"


# ---- Tempo ----------------------------------------------------------------------------------------

def test_tempo_tag_search_sends_logfmt_tags_and_epoch_seconds(serve):
    server = serve("tempo")
    _search(server, service="api-gateway", operation="GET /owners", tags=("http.status_code=200",),
            min_duration="200ms", since="1h", limit=5)
    (q,) = server.queries("/api/search")
    assert q["tags"] == 'service.name=api-gateway name="GET /owners" http.status_code=200'
    assert q["minDuration"] == "200ms" and q["limit"] == "5"
    start, end = int(q["start"]), int(q["end"])
    assert end - start in (3600, 3601) and abs(end - time.time()) < 5
    assert "q" not in q


def test_tempo_traceql_query_is_sent_as_q(serve):
    server = serve("tempo")
    _, result, _, store = _search(server, query='{ resource.service.name = "service-one" }')
    (q,) = server.queries("/api/search")
    assert q["q"] == '{ resource.service.name = "service-one" }' and "tags" not in q
    assert summary_json(store) == expected_summary(with_service(server, "service-one"))


def test_tempo_search_fetches_each_trace_and_pads_trimmed_ids(serve):
    server = serve("tempo")
    _, result, problems, store = _search(server, service="api-gateway")
    held = with_service(server, "api-gateway")
    assert problems == [] and summary_json(store) == expected_summary(held)
    assert all(len(h.trace_id) == 32 for h in result.hits)
    fetched = {p.rsplit("/", 1)[1] for p in (r.path for r in server.requests) if p.startswith("/api/v2/traces/")}
    assert fetched == {h.trace_id for h in held}
    accepts = {r.headers.get("Accept") for r in server.requests if r.path.startswith("/api/v2/traces/")}
    assert accepts == {"application/json"}


def test_tempo_trace_ids_without_leading_zeros_still_match(serve):
    server = serve("tempo")
    held = next(iter(server.traces.values()))
    server.traces = {"00" + held.trace_id[2:]: held}
    held.trace_id = "00" + held.trace_id[2:]
    b = open_backend(server.url)
    (hit,) = b.search(build_params()).hits
    assert hit.trace_id == held.trace_id  # the server sent it with the zeros dropped


def test_tempo_protobuf_format(serve, tmp_path, monkeypatch):
    server = serve("tempo")
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[backends.t]\nurl = "{server.url}"\nformat = "protobuf"\n')
    monkeypatch.setenv("TRACETUI_CONFIG", str(cfg))
    b = open_backend("@t")
    held = next(iter(server.traces.values()))
    store = TraceStore()
    load_trace(b, held.trace_id, store)
    assert summary_json(store) == expected_summary([held])
    (r,) = [r for r in server.requests if r.path.startswith("/api/traces/")]
    assert r.headers["Accept"] == "application/protobuf"


def test_tempo_without_v2_uses_v1_endpoints(serve):
    server = serve("tempo", tempo_v2=False)
    b = open_backend(server.url)
    held = next(iter(server.traces.values()))
    store = TraceStore()
    load_trace(b, held.trace_id, store)
    load_trace(b, held.trace_id, TraceStore())
    assert summary_json(store) == expected_summary([held])
    assert [r.path.split("/")[2] for r in server.requests].count("v2") == 1  # learnt once
    assert "service-one" in b.services()


def test_tempo_tags_values_and_operations_per_service(serve):
    server = serve("tempo")
    b = open_backend(server.url)
    assert "resource.service.name" in b.tag_names() and "span.http.method" in b.tag_names()
    assert "name" in b.tag_names()  # intrinsics stay unscoped
    assert b.tag_values("span.http.method") == ["POST"]
    ops = b.operations("service-two")
    assert ops and all(
        any(s.service == "service-two" and s.name == op for h in server.traces.values() for s in h.spans) for op in ops)
    (q,) = [r.query for r in server.requests if r.path == "/api/v2/search/tag/name/values"]
    assert q["q"] == '{resource.service.name="service-two"}'


def test_tempo_trace_not_found(serve):
    server = serve("tempo")
    with pytest.raises(TraceNotFound, match=r": trace deadbeefdeadbeefdeadbeefdeadbeef not found \(404\)$"):
        list(open_backend(server.url).fetch_trace("deadbeefdeadbeefdeadbeefdeadbeef"))


# ---- Zipkin ---------------------------------------------------------------------------------------

def test_zipkin_search_sends_milliseconds_and_microseconds(serve):
    server = serve("zipkin")
    b = open_backend(server.url)
    b.search(build_params(service="routing", operation="get", tags=("http.method=GET", "error"),
                          min_duration="200ms", max_duration="1s", since="2h", limit=4))
    (q,) = server.queries("/api/v2/traces")
    assert q["serviceName"] == "routing" and q["spanName"] == "get" and q["limit"] == "4"
    assert q["annotationQuery"] == "http.method=GET and error"
    assert q["minDuration"] == "200000" and q["maxDuration"] == "1000000"  # microseconds
    assert q["lookback"] == str(2 * 3600 * 1000) and abs(int(q["endTs"]) - time.time() * 1000) < 5000


def test_zipkin_services_and_span_names(serve):
    server = serve("zipkin")
    b = open_backend(server.url)
    assert "routing" in b.services() and "mobile_api" in b.services()
    assert b.operations("routing") == sorted({v[1] for h in server.traces.values() for v in h.views
                                              if v[0] == "routing"})
    assert server.queries("/api/v2/spans") == [{"serviceName": "routing"}]


def test_zipkin_search_and_fetch_read_zipkin_json(serve):
    server = serve("zipkin")
    b = open_backend(server.url)
    store = TraceStore()
    result, problems = load_search(b, build_params(service="routing"), store)
    assert [h.trace_id for h in result.hits] == ["a03ee8fff1dcd9b9"] and store.span_count == 16
    store = TraceStore()
    load_trace(b, "ef86c83c0a05a6d6", store)
    assert store.span_count == 8
    with pytest.raises(TraceNotFound, match="trace deadbeefdeadbeef not found"):
        list(b.fetch_trace("deadbeefdeadbeef"))


def test_server_parsers_agree_with_the_clients():
    # the fake server's own parsers are what the query tests lean on
    assert _parse_go("1500ms") == 1_500_000_000 and _parse_rfc3339("2026-11-25T01:02:03.5Z") % 10**9 == 500_000_000


def test_search_reports_how_far_it_got(serve):
    from tracetui.sources.backends import search_spans

    server = serve("tempo")
    seen: list[float] = []
    result, spans, _ = search_spans(open_backend(server.url), build_params(limit=6), fraction=seen.append)
    assert len(result.hits) == 6 and spans
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 6  # bytes, then each trace fetched
