"""Named backends from the config file; secrets come from env vars and never show."""

import pytest

from tracetui.sources.backends import BackendError, ConfigError, build_params, open_backend
from tracetui.sources.backends.config import from_url, is_backend_source, resolve

SECRET = "s3cr3t-t0ken-value"


@pytest.fixture
def config(tmp_path, monkeypatch):
    def write(text: str):
        path = tmp_path / "config.toml"
        path.write_text(text)
        monkeypatch.setenv("TRACETUI_CONFIG", str(path))
        return path

    return write


def test_sources_that_are_backends():
    assert all(is_backend_source(s) for s in ("jaeger+http://h:16686", "TEMPO+HTTPS://h", "zipkin+http://h", "@prod"))
    assert not any(is_backend_source(s) for s in ("trace.json", "-", "http://h:16686", "@", "jaeger://h"))
    c = from_url("tempo+https://tempo.example.com:3200/prefix/")
    assert (c.kind, c.base_url, c.label) == ("tempo", "https://tempo.example.com:3200/prefix",
                                            "tempo+https://tempo.example.com:3200/prefix")
    with pytest.raises(ConfigError, match="not a backend URL"):
        from_url("elastic+http://h")


def test_named_backend_sends_headers_and_the_bearer_token_from_env(serve, config, monkeypatch):
    server = serve("tempo")
    monkeypatch.setenv("TEMPO_TOKEN", SECRET)
    config(f'''
[backends.prod]
url = "{server.url}"
headers = {{ "X-Scope-OrgID" = "team-a" }}
token_env = "TEMPO_TOKEN"
timeout = 5
''')
    server.auth = f"Bearer {SECRET}"
    b = open_backend("@prod")
    assert b.label == "@prod" and "service-one" in b.services()
    (r,) = server.requests
    assert r.headers["X-Scope-OrgID"] == "team-a" and r.headers["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in repr(b) and SECRET not in str(b.config) and "auth=bearer" in repr(b.config)


def test_basic_auth_from_env_and_secret_headers(serve, config, monkeypatch):
    server = serve("zipkin")
    monkeypatch.setenv("ZPW", SECRET)
    monkeypatch.setenv("APIKEY", "key-" + SECRET)
    config(f'''
[backends.z]
url = "{server.url}"
username = "alice"
password_env = "ZPW"
headers_env = {{ "X-Api-Key" = "APIKEY" }}
''')
    b = open_backend("@z")
    b.services()
    (r,) = server.requests
    assert r.headers["Authorization"].startswith("Basic ") and r.headers["X-Api-Key"] == "key-" + SECRET
    assert SECRET not in repr(b.config)


def test_secrets_are_redacted_from_error_messages(serve, config, monkeypatch):
    server = serve("jaeger")
    monkeypatch.setenv("TOK", SECRET)
    config(f'[backends.j]\nurl = "{server.url}"\ntoken_env = "TOK"\nretries = 0\n')
    # a misbehaving proxy that echoes the request's credentials back in its error page
    server.fail("/api/v3/services", 500, f"bad request with Authorization: Bearer {SECRET}".encode(), times=9)
    with pytest.raises(BackendError) as e:
        open_backend("@j").services()
    assert SECRET not in str(e.value) and "Bearer ***" in str(e.value)
    assert str(e.value).startswith("@j: server error 500")


def test_userinfo_in_a_url_is_used_but_never_shown(serve):
    server = serve("zipkin")
    url = server.url.replace("://", f"://bob:{SECRET}@")
    b = open_backend(url)
    assert b.label == server.url and SECRET not in repr(b)
    b.services()
    assert server.requests[0].headers["Authorization"].startswith("Basic ")
    server.fail("/api/v2/services", 401)
    with pytest.raises(BackendError) as e:
        b.services()
    assert SECRET not in str(e.value) and "basic auth" in str(e.value)


@pytest.mark.parametrize("text,match", [
    ('[backends.p]\nurl = "tempo+http://h"\ntoken_env = "NOPE_NOT_SET"\n', r"\$NOPE_NOT_SET, which is not set"),
    ('[backends.p]\nurl = "tempo+http://h"\ntoken = "inline"\n', "not kept in the config file"),
    ('[backends.p]\nurl = "tempo+http://h"\nca_file = "/no/such/ca.pem"\n', "ca_file /no/such/ca.pem does not exist"),
    ('[backends.p]\nheaders = {}\n', "`url` is missing"),
    ('[backends.other]\nurl = "tempo+http://h"\n', r"no \[backends.p\] .* \(known: @other\)"),
    ("[backends.p\n", "not valid TOML"),
])
def test_config_mistakes_are_one_line(config, monkeypatch, text, match):
    monkeypatch.delenv("NOPE_NOT_SET", raising=False)
    config(text)
    with pytest.raises(ConfigError, match=match) as e:
        resolve("@p")
    assert "\n" not in str(e.value)


def test_tls_options_reach_the_client(config, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("not really a certificate")
    config(f'[backends.p]\nurl = "tempo+https://h"\nca_file = "{ca}"\n[backends.q]\nurl = "tempo+https://h"\n'
           'verify = false\n')
    assert resolve("@p").verify == str(ca) and resolve("@q").verify is False
    with pytest.raises(ConfigError, match=r"^@p: ca_file .*ca.pem is not a usable CA certificate"):
        open_backend("@p")
    assert open_backend("@q").client is not None


def test_missing_config_file_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACETUI_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="no config file at .*nope.toml"):
        resolve("@prod")



def test_https_with_a_private_ca(tmp_path, config):
    import shutil
    import ssl
    import subprocess

    from backend_server import FakeBackend

    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    server = FakeBackend("zipkin").start(ssl_context=ctx)
    try:
        assert server.url.startswith("zipkin+https://")
        with pytest.raises(BackendError) as e:
            open_backend(server.url).services()
        assert "TLS certificate is not trusted" in str(e.value) and "\n" not in str(e.value)
        assert len(server.requests) == 0
        config(f'[backends.z]\nurl = "{server.url}"\nca_file = "{cert}"\n')
        assert "frontend" in open_backend("@z").services()
    finally:
        server.stop()


# ---- secrets in their encoded forms (issue 11) ---------------------------------------------------

def test_basic_credentials_are_redacted_in_base64_even_where_a_message_is_cut(serve, config, monkeypatch):
    import base64

    server = serve("zipkin")
    pw = "pw-SECRET-4a7c9e1f3b"
    monkeypatch.setenv("ZPW", pw)
    config(f'[backends.z]\nurl = "{server.url}"\nusername = "ops"\npassword_env = "ZPW"\nretries = 0\n')
    b64 = base64.b64encode(f"ops:{pw}".encode()).decode()
    # a proxy page echoing the header, cut (at 160 characters) in the middle of the base64
    page = "x" * (160 - len("Authorization: Basic ") - 12) + f"Authorization: Basic {b64} and more"
    server.fail("/api/v2/services", 502, page, content_type="text/html")
    with pytest.raises(BackendError) as e:
        open_backend("@z").services()
    text = str(e.value)
    assert "Authorization: Basic ***" in text and b64[:6] not in text and pw not in text


@pytest.mark.parametrize("form", ["raw", "percent", "plus", "json", "html", "base64"])
def test_every_encoded_form_of_a_secret_header_is_redacted(serve, config, monkeypatch, form):
    import base64
    import html
    import json
    from urllib.parse import quote, quote_plus

    server = serve("tempo")
    key = 'k3y/with+odd&chars"=!'
    monkeypatch.setenv("APIKEY", key)
    config(f'[backends.t]\nurl = "{server.url}"\nheaders_env = {{ "X-Api-Key" = "APIKEY" }}\nretries = 0\n')
    shown = {"raw": key, "percent": quote(key, safe=""), "plus": quote_plus(key), "json": json.dumps(key)[1:-1],
             "html": html.escape(key), "base64": base64.b64encode(key.encode()).decode()}[form]
    server.fail("/api/search", 400, f"rejected api_key={shown} for tenant", content_type="text/plain")
    with pytest.raises(BackendError) as e:
        open_backend("@t").search(build_params())
    assert str(e.value).endswith("HTTP 400 on /api/search: rejected api_key=*** for tenant")


def test_percent_encoded_credentials_in_a_url_are_decoded_and_never_shown(serve):
    import base64

    server = serve("zipkin")
    url = server.url.replace("://", "://bob:p%40ss-SECRET-77@")
    b = open_backend(url)
    b.services()
    sent = server.requests[0].headers["Authorization"]
    assert sent == "Basic " + base64.b64encode(b"bob:p@ss-SECRET-77").decode()
    server.fail("/api/v2/services", 500, f"echo: {sent} {url}", times=9)
    with pytest.raises(BackendError) as e:
        open_backend(url, sleep=lambda s: None).services()
    assert "SECRET" not in str(e.value) and sent[6:12] not in str(e.value)


def test_a_url_that_cannot_be_used_is_shown_without_its_password():
    with pytest.raises(ConfigError) as e:
        resolve("tempo+http://bob:pw-SECRET@")
    assert "SECRET" not in str(e.value) and "***@" in str(e.value)


def test_problem_lines_about_a_backend_answer_are_redacted_too(serve, config, monkeypatch):
    import orjson

    from tracetui.model import TraceStore
    from tracetui.sources.backends import load_trace

    server = serve("tempo")
    monkeypatch.setenv("TOK", SECRET)
    config(f'[backends.t]\nurl = "{server.url}"\ntoken_env = "TOK"\n')
    tid = "4bf92f3577b34da6a3ce929d0e0e4736"
    spans = [{"traceId": tid, "spanId": f"00f067aa0ba902b{i}", "name": "a", "startTimeUnixNano": "1",
              "endTimeUnixNano": "2", **({"kind": f"Bearer {SECRET}"} if i else {})} for i in range(2)]
    server.fail(f"/api/v2/traces/{tid}", 200, orjson.dumps({"trace": {"resourceSpans": [
        {"resource": {"attributes": []}, "scopeSpans": [{"spans": spans}]}]}}))
    problems = load_trace(open_backend("@t"), tid, TraceStore())
    (problem,) = problems  # once, not once with the spans and again at the end
    assert SECRET not in str(problem) and "span kind 'Bearer ***'" in str(problem)
