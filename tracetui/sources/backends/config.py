"""Where a backend is and how to talk to it: backend URLs and named backends from the config file.

Sources look like `jaeger+http://host:16686`, `tempo+https://host/prefix`, `zipkin+http://host:9411`
or `@name` for a `[backends.name]` table in `~/.config/tracetui/config.toml` (or `$TRACETUI_CONFIG`).
Secrets (tokens, passwords, secret headers) are only ever read from environment variables named in
the config; they are kept out of every repr, message and log line (`Redactor`).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from tracetui.loaders.sizes import parse_size
from tracetui.model import durations

_URL = re.compile(r"^(jaeger|tempo|zipkin)\+(https?)://", re.IGNORECASE)
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2
# One answer (a search, or one trace) is at most this big, decompressed. A 100k-span trace is
# ~40 MB as OTLP JSON, so this fits ~600k spans, and bounds memory against a runaway answer.
DEFAULT_MAX_RESPONSE_SIZE = 256 << 20


class ConfigError(ValueError):
    """The source or the config file is wrong; the message is one line for the person."""


def is_backend_source(source: str) -> bool:
    return bool(_URL.match(source)) or (source.startswith("@") and len(source) > 1)


def config_path() -> Path:
    env = os.environ.get("TRACETUI_CONFIG")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tracetui" / "config.toml"


def encoded_forms(secret: str) -> set[str]:
    """The ways a secret shows up in text a server sends back: as is, base64 (standard and URL-safe,
    with and without padding: what `Authorization: Basic` carries), percent-encoded (a URL, a
    form), JSON-escaped and HTML-escaped (an echoing error page)."""
    import base64
    import html
    import json
    from urllib.parse import quote, quote_plus

    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), html.escape(secret),
             json.dumps(secret)[1:-1], json.dumps(secret)[1:-1].replace("/", "\\/")}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        b64 = encode(secret.encode()).decode()
        forms |= {b64, b64.rstrip("=")}
    return forms


class Redactor:
    """Replaces every known secret in a text with `***`: in every encoded form (`encoded_forms`),
    and where a message was cut inside one (`ab12cd…` or at the very end), the part shown."""

    MIN_CUT = 6  # a cut secret is recognised from this many characters on

    def __init__(self, secrets: list[str] | None = None) -> None:
        forms = {f for s in (secrets or []) if s and len(s) >= 3 for f in encoded_forms(s)}
        self.secrets = sorted((f for f in forms if len(f) >= 3), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self.secrets:
            if s in text:
                text = text.replace(s, "***")
        for s in self.secrets:
            for k in range(len(s) - 1, self.MIN_CUT - 1, -1):
                head = s[:k]
                if head + "…" in text:
                    text = text.replace(head + "…", "***…")
                if text.endswith(head):
                    text = text[: len(text) - k] + "***"
        return text


def hide_userinfo(url: str) -> str:
    """A URL as it may be shown: `user:password@` replaced by `***@`."""
    return re.sub(r"(://)[^/?#@]*@", r"\1***@", url)


@dataclass(frozen=True)
class BackendConfig:
    """One backend. `label` is how it is named in messages: `@prod` or the URL without userinfo."""

    kind: str
    base_url: str
    label: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    bearer_token: str | None = field(default=None, repr=False)
    basic_auth: tuple[str, str] | None = field(default=None, repr=False)
    verify: bool | str = True
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    options: dict[str, str] = field(default_factory=dict)  # per-kind: api = "v3"|"legacy", format = "protobuf"
    secret_header_names: frozenset[str] = frozenset()
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE

    def __repr__(self) -> str:
        auth = "bearer" if self.bearer_token else "basic" if self.basic_auth else "none"
        headers = {k: ("***" if k.lower() in self.secret_header_names else v) for k, v in self.headers.items()}
        return (f"BackendConfig(kind={self.kind!r}, label={self.label!r}, base_url={self.redact(self.base_url)!r}, "
                f"auth={auth}, headers={headers!r}, verify={self.verify!r}, timeout={self.timeout}, "
                f"max_response_size={self.max_response_size})")

    __str__ = __repr__

    @property
    def redact(self) -> Redactor:
        secrets = [self.bearer_token or ""]
        if self.basic_auth:  # the password, and `user:password` (base64 of it is the Basic header)
            secrets += [self.basic_auth[1], f"{self.basic_auth[0]}:{self.basic_auth[1]}"]
        secrets += [v for k, v in self.headers.items() if k.lower() in self.secret_header_names]
        return Redactor(secrets)


def _split_url(url: str) -> tuple[str, str, str, tuple[str, str] | None]:
    """`tempo+https://user:pw@host/p` → (kind, base_url, label, basic auth from userinfo)."""
    m = _URL.match(url)
    if not m:
        raise ConfigError(f"not a backend URL: {hide_userinfo(url)!r} (use jaeger+http://host:16686, tempo+http://host:3200 "
                          "or zipkin+http://host:9411)")
    kind, scheme = m.group(1).lower(), m.group(2).lower()
    parts = urlsplit(url[len(m.group(1)) + 1:])
    if not parts.hostname:
        raise ConfigError(f"no host in backend URL: {hide_userinfo(url)!r}")
    auth = None
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, netloc = netloc.rsplit("@", 1)
        user, _, pw = userinfo.partition(":")
        auth = (unquote(user), unquote(pw))  # `p%40ss` in a URL is the password `p@ss`
    base = urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))
    label = f"{kind}+{base}"
    return kind, base, label, auth


def from_url(url: str, **overrides) -> BackendConfig:
    kind, base, label, auth = _split_url(url)
    return BackendConfig(kind=kind, base_url=base, label=label, basic_auth=auth, **overrides)


def _env(name: str, what: str, label: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"{label}: {what} is read from ${name}, which is not set")
    return value


def load_config(path: Path | None = None) -> dict:
    path = path or config_path()
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"no config file at {path} (set TRACETUI_CONFIG or create it; see README "
                          "'Backends')") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from None
    except OSError as e:
        raise ConfigError(f"{path}: {e.strerror or e}") from None


def named(name: str, path: Path | None = None) -> BackendConfig:
    """The `[backends.NAME]` table of the config file as a BackendConfig."""
    doc = load_config(path)
    table = (doc.get("backends") or {}).get(name)
    label = f"@{name}"
    if not isinstance(table, dict):
        known = ", ".join(f"@{n}" for n in sorted(doc.get("backends") or {})) or "none"
        raise ConfigError(f"{label}: no [backends.{name}] in {path or config_path()} (known: {known})")
    url = table.get("url")
    if not isinstance(url, str):
        raise ConfigError(f"{label}: `url` is missing (e.g. url = \"tempo+http://tempo:3200\")")
    kind, base, _, auth = _split_url(url)
    headers = {str(k): str(v) for k, v in (table.get("headers") or {}).items()}
    secret_headers: set[str] = set()
    for k, env_name in (table.get("headers_env") or {}).items():
        headers[str(k)] = _env(str(env_name), f"header {k}", label)
        secret_headers.add(str(k).lower())
    token = None
    if table.get("token_env"):
        token = _env(str(table["token_env"]), "the bearer token", label)
    if table.get("password_env") or table.get("username") or table.get("username_env"):
        user = table.get("username") or (
            _env(str(table["username_env"]), "the user name", label) if table.get("username_env") else "")
        pw = _env(str(table["password_env"]), "the password", label) if table.get("password_env") else ""
        auth = (str(user), pw)
    if "token" in table or "password" in table:
        raise ConfigError(f"{label}: secrets are not kept in the config file; name an environment variable "
                          "with token_env / password_env instead")
    verify: bool | str = bool(table.get("verify", True))
    if table.get("ca_file"):
        ca = Path(str(table["ca_file"])).expanduser()
        if not ca.is_file():
            raise ConfigError(f"{label}: ca_file {ca} does not exist")
        verify = str(ca) if verify else False
    raw_timeout = table.get("timeout", DEFAULT_TIMEOUT)
    try:  # seconds as a number, or a duration as text ("30s", "1m"): the one duration grammar
        if isinstance(raw_timeout, str):
            timeout = durations.parse_duration(raw_timeout, bare_unit="s") / 1e9
        elif isinstance(raw_timeout, int | float) and not isinstance(raw_timeout, bool):
            timeout = float(raw_timeout)
        else:
            raise ConfigError(f"{label}: timeout must be seconds or a duration such as \"30s\"")
    except durations.DurationError as e:
        raise ConfigError(f"{label}: timeout: {e}") from None
    try:
        retries = int(table.get("retries", DEFAULT_RETRIES))
    except (TypeError, ValueError):
        raise ConfigError(f"{label}: retries must be a number") from None
    if not timeout > 0:
        raise ConfigError(f"{label}: timeout must be more than 0 seconds")
    try:
        max_size = parse_size(table.get("max_response_size", DEFAULT_MAX_RESPONSE_SIZE))
    except ValueError as e:
        raise ConfigError(f"{label}: max_response_size: {e}") from None
    if max_size < 1024:
        raise ConfigError(f"{label}: max_response_size must be at least 1KiB")
    options = {k: str(table[k]) for k in ("api", "format") if k in table}
    return BackendConfig(kind=kind, base_url=base, label=label, headers=headers, bearer_token=token,
                         basic_auth=auth, verify=verify, timeout=timeout, retries=max(0, retries),
                         options=options, secret_header_names=frozenset(secret_headers),
                         max_response_size=max_size)


def resolve(source: str, path: Path | None = None) -> BackendConfig:
    """A backend source (URL or @name) → its config. Raises ConfigError (one line)."""
    if source.startswith("@"):
        return named(source[1:], path)
    return from_url(source)
