"""What one backend request may take: `timeout` is for the whole request (a server dripping bytes
cannot hold it open), answers are capped at `max_response_size` (compressed or not), and
redirects leave the configured server only never (credentials stay with it)."""

import gzip
import time

import pytest

from tracetui.sources.backends import BackendError, build_params, open_backend
from tracetui.sources.backends.config import from_url


def _one_line(e: Exception) -> str:
    text = str(e)
    assert "\n" not in text and "Traceback" not in text
    return text


# ---- time ------------------------------------------------------------------------------------

def test_an_answer_dripping_a_byte_at_a_time_times_out_for_the_whole_request(drip):
    server = drip(every=0.25, limit=40)  # 10 s of drip; a read never waits more than 0.25 s
    b = open_backend(from_url(server.url(), timeout=1.0), sleep=lambda s: None)
    t0 = time.monotonic()
    with pytest.raises(BackendError) as e:
        b.services()
    took = time.monotonic() - t0
    assert took < 2.0, took
    assert _one_line(e.value) .startswith(f"{server.url()}: timed out after 1s: the answer from /api/v2/services "
                                          "was still arriving (")
    assert "the timeout is for the whole request" in str(e.value)
    assert server.connections == 1  # a timeout is not retried


def test_headers_dripping_a_byte_at_a_time_time_out_too(drip):
    server = drip(every=0.2, headers_too=True, limit=60)
    b = open_backend(from_url(server.url("tempo"), timeout=1.0))
    t0 = time.monotonic()
    with pytest.raises(BackendError) as e:
        b.search(build_params())
    assert time.monotonic() - t0 < 2.0
    assert _one_line(e.value) == f"{server.url('tempo')}: timed out after 1s waiting for an answer (/api/search)"


def test_retries_stay_within_the_timeout(serve):
    server = serve("zipkin")
    server.fail("/api/v2/services", 503, b"busy", times=99, delay=0.4)
    b = open_backend(from_url(server.url, timeout=1.0, retries=5))  # real sleeps: 0.25, 0.5, ...
    t0 = time.monotonic()
    with pytest.raises(BackendError) as e:
        b.services()
    assert time.monotonic() - t0 < 1.6
    # the time runs out waiting for the 3rd answer, or no retry is started that cannot finish in time
    assert _one_line(e.value).startswith((f"{server.url}: server error 503 on /api/v2/services: busy (no time left",
                                          f"{server.url}: timed out after 1s waiting for an answer"))
    assert "server error 503 on /api/v2/services: busy" in str(e.value)
    assert len(server.requests) < 4


# ---- size ------------------------------------------------------------------------------------

MiB = 1 << 20


@pytest.mark.parametrize("stream", [False, True], ids=["content-length", "chunked"])
def test_an_answer_over_max_response_size_is_refused_in_one_line(serve, stream):
    server = serve("zipkin")
    body = b'["' + b"x" * (3 * MiB) + b'"]'
    if stream:
        server.fail("/api/v2/services", 200, b"x", stream=64 * MiB)
    else:
        server.fail("/api/v2/services", 200, body)
    b = open_backend(from_url(server.url, max_response_size=1 * MiB))
    with pytest.raises(BackendError) as e:
        b.services()
    text = _one_line(e.value)
    assert text.startswith(f"{server.url}: the answer from /api/v2/services is over max_response_size (")
    assert "limit 1 MiB" in text and ("3 MiB, limit" in text) != stream
    assert len(server.requests) == 1  # not retried


def test_a_gzip_answer_is_capped_after_decompression(serve):
    server = serve("zipkin")
    bomb = gzip.compress(b"[" + b" " * (40 * MiB) + b"]", 9)  # 40 KB that inflate to 40 MiB
    server.fail("/api/v2/services", 200, bomb, headers={"Content-Encoding": "gzip"})
    b = open_backend(from_url(server.url, max_response_size=1 * MiB))
    with pytest.raises(BackendError, match="over max_response_size .*limit 1 MiB"):
        b.services()
    assert server.requests[0].headers["Accept-Encoding"] == "gzip, deflate"
    # within the cap, compressed answers read as before
    server.fail("/api/v2/services", 200, gzip.compress(b'["checkout", "frontend"]'),
                headers={"Content-Encoding": "gzip"})
    assert b.services() == ["checkout", "frontend"]


def test_an_encoding_that_was_not_asked_for_is_refused(serve):
    import zstandard

    server = serve("zipkin")
    server.fail("/api/v2/services", 200, zstandard.ZstdCompressor().compress(b" " * (8 * MiB)),
                headers={"Content-Encoding": "zstd"})
    with pytest.raises(BackendError) as e:
        open_backend(from_url(server.url, max_response_size=1 * MiB)).services()
    assert _one_line(e.value) == (f"{server.url}: unreadable answer from /api/v2/services: the answer is in "
                                  "Content-Encoding 'zstd', which was not asked for")


def test_max_response_size_in_the_config(tmp_path, monkeypatch):
    from tracetui.sources.backends import ConfigError
    from tracetui.sources.backends.config import DEFAULT_MAX_RESPONSE_SIZE, resolve

    cfg = tmp_path / "config.toml"
    monkeypatch.setenv("TRACETUI_CONFIG", str(cfg))
    cfg.write_text('[backends.a]\nurl = "tempo+http://h"\nmax_response_size = "64MiB"\n'
                   '[backends.b]\nurl = "tempo+http://h"\nmax_response_size = 5000\n'
                   '[backends.c]\nurl = "tempo+http://h"\n'
                   '[backends.d]\nurl = "tempo+http://h"\nmax_response_size = "lots"\n'
                   '[backends.e]\nurl = "tempo+http://h"\ntimeout = 0\n')
    assert resolve("@a").max_response_size == 64 * MiB and resolve("@b").max_response_size == 5000
    assert resolve("@c").max_response_size == DEFAULT_MAX_RESPONSE_SIZE == 256 * MiB
    with pytest.raises(ConfigError, match=r"^@d: max_response_size: not a size: 'lots'"):
        resolve("@d")
    with pytest.raises(ConfigError, match=r"^@e: timeout must be more than 0"):
        resolve("@e")


def test_an_error_page_is_read_only_as_far_as_its_message(serve):
    server = serve("zipkin")
    server.fail("/api/v2/services", 400, b"bad request " + b"x" * (8 * MiB), content_type="text/plain")
    with pytest.raises(BackendError) as e:
        open_backend(from_url(server.url, max_response_size=1 * MiB)).services()
    assert _one_line(e.value).startswith(f"{server.url}: HTTP 400 on /api/v2/services: bad request xxx")


# ---- redirects -------------------------------------------------------------------------------

SECRET = "key-6f1d0c9a2b7e"


def test_secret_headers_never_follow_a_redirect_to_another_server(serve, tmp_path, monkeypatch):
    a, other = serve("zipkin"), serve("zipkin")
    a.fail("/api/v2/services", 302, headers={"Location": f"http://127.0.0.1:{other.port}/api/v2/services"})
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[backends.z]\nurl = "{a.url}"\nheaders_env = {{ "X-Api-Key" = "APIKEY" }}\n'
                   'token_env = "TOK"\n')
    monkeypatch.setenv("TRACETUI_CONFIG", str(cfg))
    monkeypatch.setenv("APIKEY", SECRET)
    monkeypatch.setenv("TOK", "tok-" + SECRET)
    with pytest.raises(BackendError) as e:
        open_backend("@z").services()
    assert other.requests == []  # nothing at all reached the other server
    assert _one_line(e.value) == (f"@z: /api/v2/services redirects to http://127.0.0.1:{other.port}, another "
                                  "server; not followed, so that credentials and headers stay with this one "
                                  "(put that address in the URL if it is right)")


def test_a_redirect_on_the_same_server_is_followed_with_the_secrets(serve, tmp_path, monkeypatch):
    server = serve("zipkin")
    server.fail("/api/v2/services", 307, headers={"Location": "/api/v2/services?moved=1"})
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[backends.z]\nurl = "{server.url}"\nheaders_env = {{ "X-Api-Key" = "APIKEY" }}\n')
    monkeypatch.setenv("TRACETUI_CONFIG", str(cfg))
    monkeypatch.setenv("APIKEY", SECRET)
    b = open_backend("@z")
    assert "frontend" in b.services()
    first, second = server.requests
    assert second.query == {"moved": "1"} and second.headers["X-Api-Key"] == SECRET


def test_redirect_loops_end(serve):
    server = serve("zipkin")
    server.fail("/api/v2/services", 302, headers={"Location": "/api/v2/services"}, times=99)
    with pytest.raises(BackendError, match="request failed: more than 5 redirects"):
        open_backend(server.url).services()
    assert len(server.requests) == 6


def test_without_a_guarded_pool_a_dripping_body_still_ends_soon_after_the_deadline(drip, monkeypatch):
    from tracetui.sources.backends import limits

    monkeypatch.setattr(limits, "guard", lambda client: False)  # as if httpx had moved its pool
    server = drip(every=0.25, limit=40)
    b = open_backend(from_url(server.url(), timeout=1.0))
    t0 = time.monotonic()
    with pytest.raises(BackendError, match="timed out after 1s: the answer from /api/v2/services was still"):
        b.services()
    assert time.monotonic() - t0 < 2.0
