"""The real `tracetui` command against loopback backends: same JSON contract as files."""

import os
import subprocess
import sys

import orjson
from backend_fixtures import expected_summary, with_service

from tracetui.model import TraceStore
from tracetui.render.summary import trace_json


def tracetui(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tracetui", *args], capture_output=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_summary_of_a_jaeger_search_equals_what_the_server_holds(serve):
    server = serve("jaeger")
    r = tracetui("summary", server.url, "--service", "customers-service", "--json")
    assert r.returncode == 0, r.stderr
    assert orjson.loads(r.stdout) == expected_summary(with_service(server, "customers-service"))
    (q,) = server.queries("/api/v3/traces")
    assert q["query.service_name"] == "customers-service"


def test_summary_of_a_tempo_search_with_options(serve):
    server = serve("tempo")
    r = tracetui("summary", server.url, "--service", "service-one", "--min-duration", "2ms", "--since", "1h",
                 "--limit", "3", "--json")
    assert r.returncode == 0, r.stderr
    (q,) = server.queries("/api/search")
    assert (q["tags"], q["minDuration"], q["limit"]) == ("service.name=service-one", "2ms", "3")
    held = [h for h in with_service(server, "service-one") if h.end_ns - h.start_ns >= 2_000_000][:3]
    assert held and orjson.loads(r.stdout) == expected_summary(held)


def test_a_search_that_matches_nothing_is_an_empty_answer(serve):
    server = serve("jaeger")
    r = tracetui("summary", server.url, "--service", "service-one", "--min-duration", "1h", "--json")
    assert r.returncode == 0 and orjson.loads(r.stdout) == {"traces": []}
    assert r.stderr == b"tracetui: no traces matched the search\n"


def test_summary_of_one_trace_from_tempo(serve):
    server = serve("tempo")
    held = next(iter(server.traces.values()))
    r = tracetui("summary", server.url, "--trace", held.trace_id, "--json")
    assert r.returncode == 0, r.stderr
    store = TraceStore()
    store.add(held.spans)
    assert orjson.loads(r.stdout) == trace_json(store.get(held.trace_id))
    assert [x.path for x in server.requests] == [f"/api/v2/traces/{held.trace_id}"]  # fetched, not searched


def test_a_missing_trace_is_one_line_and_exit_2(serve):
    server = serve("tempo")
    r = tracetui("summary", server.url, "--trace", "deadbeefdeadbeefdeadbeefdeadbeef")
    assert r.returncode == 2 and r.stdout == b""
    assert r.stderr.decode() == f"tracetui: {server.url}: trace deadbeefdeadbeefdeadbeefdeadbeef not found (404)\n"


def test_a_named_backend_with_a_token(serve, tmp_path):
    server = serve("jaeger", v3=False)
    server.auth = "Bearer tok-123456"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[backends.prod]\nurl = "{server.url}"\ntoken_env = "JAEGER_TOKEN"\n')
    env = {"TRACETUI_CONFIG": str(cfg), "JAEGER_TOKEN": "tok-123456"}
    r = tracetui("summary", "@prod", "--service", "service1", "--json", env=env)
    assert r.returncode == 0, r.stderr
    assert orjson.loads(r.stdout) == expected_summary(with_service(server, "service1"))
    r = tracetui("summary", "@prod", "--service", "service1", env={**env, "JAEGER_TOKEN": "wrong-token"})
    assert r.returncode == 2 and b"wrong-token" not in r.stderr
    assert r.stderr.decode().startswith("tracetui: @prod: authentication failed (401) with a bearer token")


def test_bad_search_options_are_usage_errors(serve):
    server = serve("zipkin")
    r = tracetui("summary", server.url, "--min-duration", "fast")
    assert r.returncode == 2 and b"not a duration: 'fast'" in r.stderr and server.requests == []


def test_summary_of_a_zipkin_search_equals_the_same_spans_read_from_a_file(serve, tmp_path):
    server = serve("zipkin")
    held = [h for h in server.traces.values() if any(v[0] == "frontend" for v in h.views)]
    dump = tmp_path / "held.json"
    dump.write_bytes(orjson.dumps([s for h in held for s in h.zipkin]))
    r = tracetui("summary", server.url, "--service", "frontend", "--json")
    f = tracetui("summary", str(dump), "--json")
    assert r.returncode == 0 and f.returncode == 0, (r.stderr, f.stderr)
    assert held and orjson.loads(r.stdout) == orjson.loads(f.stdout)
    (q,) = server.queries("/api/v2/traces")
    assert q["serviceName"] == "frontend"


def test_a_jaeger_search_without_a_service_names_the_services(serve):
    server = serve("jaeger")
    r = tracetui("summary", server.url, "--json")
    assert r.returncode == 2 and r.stdout == b""
    services = sorted({v[0] for h in server.traces.values() for v in h.views})
    assert len(services) > 8
    assert r.stderr.decode() == (f"tracetui: {server.url}: a Jaeger search needs --service (services: "
                                 f"{', '.join(services[:8])}, …)\n")
    assert server.queries("/api/v3/traces") == []
