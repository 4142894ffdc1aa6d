"""Every way a backend request goes wrong reads as one clear line, and retries stay bounded."""

import socket
import time

import pytest

from tracetui.sources.backends import BackendError, build_params, open_backend
from tracetui.sources.backends.config import from_url


def _one_line(e: Exception) -> str:
    text = str(e)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_5xx_then_success_is_retried_with_backoff(serve):
    server = serve("jaeger")
    server.fail("/api/v3/services", 503, b"upstream unavailable", times=2)
    sleeps: list[float] = []
    b = open_backend(server.url, sleep=sleeps.append)
    assert "api-gateway" in b.services()
    assert len(server.queries("/api/v3/services")) == 3
    assert sleeps == [0.25, 0.5]


def test_5xx_that_persists_gives_up_after_the_retries(serve):
    server = serve("tempo")
    server.fail("/api/search", 502, b'{"error": {"message": "bad gateway from querier"}}', times=99)
    b = open_backend(server.url, sleep=lambda s: None)
    with pytest.raises(BackendError) as e:
        b.search(build_params())
    assert _one_line(e.value) == (f"{server.url}: server error 502 on /api/search: bad gateway from querier "
                                  "(after 3 attempts)")
    assert len(server.queries("/api/search")) == 3


@pytest.mark.parametrize("status,words", [(401, "authentication failed (401)"), (403, "access denied (403)")])
def test_auth_failures(serve, status, words):
    server = serve("zipkin")
    server.fail("/api/v2/services", status, b"go away")
    with pytest.raises(BackendError) as e:
        open_backend(server.url).services()
    assert _one_line(e.value).startswith(f"{server.url}: {words}")
    assert len(server.requests) == 1  # not retried


def test_a_slow_server_times_out_in_one_line(serve):
    server = serve("jaeger")
    server.slow = 3
    b = open_backend(from_url(server.url, timeout=0.3))
    t0 = time.monotonic()
    with pytest.raises(BackendError) as e:
        b.services()
    assert time.monotonic() - t0 < 2.5  # a read timeout is not retried
    assert _one_line(e.value) == f"{server.url}: timed out after 0.3s waiting for an answer (/api/v3/services)"


def test_an_unreachable_host_in_one_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    b = open_backend(f"tempo+http://127.0.0.1:{port}", sleep=lambda s: None)
    with pytest.raises(BackendError) as e:
        b.services()
    assert _one_line(e.value) == (f"tempo+http://127.0.0.1:{port}: cannot reach the server (connection refused) "
                                  "(after 3 attempts)")


@pytest.mark.parametrize("kind,path,call", [
    ("jaeger", "/api/v3/traces", lambda b: b.search(build_params(service="api-gateway"))),
    ("tempo", "/api/search", lambda b: b.search(build_params())),
    ("tempo", "/api/v2/traces/", lambda b: list(b.fetch_trace("deadbeefdeadbeefdeadbeefdeadbeef"))),
    ("zipkin", "/api/v2/services", lambda b: b.services()),
])
def test_malformed_bodies_are_one_line(serve, kind, path, call):
    server = serve(kind)
    server.fail(path, 200, b"<html><body>\x1b[2J Welcome to the proxy login page</body></html>",
                content_type="text/html")
    with pytest.raises(BackendError) as e:
        call(open_backend(server.url))
    text = _one_line(e.value)
    assert text.startswith(f"{server.url}: malformed answer") and "\x1b" not in text


def test_an_unknown_endpoint_hints_at_the_wrong_kind_of_server(serve):
    server = serve("zipkin")  # a Zipkin server addressed as Tempo
    with pytest.raises(BackendError) as e:
        open_backend(server.url.replace("zipkin+", "tempo+")).search(build_params())
    assert "/api/search does not exist here (404): is this Tempo's query frontend" in _one_line(e.value)


def test_server_error_text_is_shown_without_control_characters(serve):
    server = serve("jaeger")
    server.fail("/api/v3/traces", 400, b'{"error":{"httpCode":400,"message":"malformed parameter\\u001b[31m x"}}')
    with pytest.raises(BackendError) as e:
        open_backend(server.url).search(build_params(service="x"))
    assert _one_line(e.value).endswith("HTTP 400 on /api/v3/traces: malformed parameter?[31m x")


def test_one_client_reuses_its_connection(serve):
    server = serve("zipkin")
    b = open_backend(server.url)
    for _ in range(5):
        b.services()
    assert len(server.requests) == 5 and len({r.peer for r in server.requests}) == 1


@pytest.mark.parametrize("kind,words", [("jaeger", "Jaeger matches tags by value: use error=VALUE"),
                                        ("tempo", "Tempo's tag search needs key=value")])
def test_a_tag_without_a_value_is_refused_where_the_api_cannot_search_it(serve, kind, words):
    server = serve(kind)
    with pytest.raises(BackendError, match=words):
        open_backend(server.url).search(build_params(service="frontend", tags=("error",)))
    assert not any(r.path in ("/api/v3/traces", "/api/search") for r in server.requests)
