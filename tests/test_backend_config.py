"""Named backends from the config file; secrets come from env vars and never show."""

import pytest

from tracetui.sources.backends import BackendError, ConfigError, open_backend
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
