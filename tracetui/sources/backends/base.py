"""One interface for every backend, and the HTTP plumbing they share.

A backend client (Jaeger, Tempo, Zipkin) answers: `services()`, `operations(service)`,
`tag_names()` / `tag_values(tag)` (where the API has them), `search(params) -> SearchResult`
and `fetch_trace(id) -> Iterator[Batch]`. Every failure is a `BackendError` whose text is one
line naming the backend, with secrets redacted.

The HTTP side: one `httpx.Client` per backend (connections reused); `timeout` bounds each request
as a whole (retries included, see `limits`), answers are capped at `max_response_size`, a bounded
retry with backoff on connection errors and 5xx answers, bodies read as they arrive with progress
reported in bytes, and redirects followed only while they stay with the configured server.
"""

from __future__ import annotations

import ssl
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import httpx

from tracetui.loaders import Batch, read_bytes
from tracetui.sources.backends import limits
from tracetui.sources.backends.config import BackendConfig, ConfigError
from tracetui.sources.backends.params import SearchParams

Progress = Callable[[int, int | None], None]  # (bytes read, total bytes or None)

RETRY_STATUS = frozenset({500, 502, 503, 504})
MAX_REDIRECTS = 5
ERROR_PAGE_CAP = 64 * 1024  # an error answer is read this far: enough for its message


class BackendError(Exception):
    """A backend request failed; `str()` is one line: `<backend>: <what happened>`."""

    def __init__(self, label: str, message: str, status: int | None = None) -> None:
        self.label, self.message, self.status = label, message, status
        super().__init__(f"{label}: {message}")


class TraceNotFound(BackendError):
    pass


@dataclass
class TraceHit:
    """One search result as the backend describes it (enough for a list row before fetching)."""

    trace_id: str
    root_service: str = ""
    root_name: str = ""
    start_ns: int = 0
    duration_ns: int = 0
    span_count: int | None = None
    error_count: int | None = None
    services: tuple[str, ...] = ()


@dataclass
class SearchResult:
    """Hits, newest first as the backend ranked them. `batches` hold the spans when the API
    returns whole traces with the search (Jaeger, Zipkin); `complete` says they are whole."""

    hits: list[TraceHit] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)
    complete: bool = False


def short_body(body: bytes | str, limit: int = 160, redact: Callable[[str], str] = str) -> str:
    """A body (or a server's message) as a short line: secrets redacted BEFORE it is cut (a cut
    secret no longer matches), line breaks as spaces, other unprintable characters as `?`."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes | bytearray) else body
    text = redact(text.strip()).replace("\r", " ").replace("\n", " ")
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Redirected(Exception):
    """A redirect that leaves the configured server (not followed)."""

    def __init__(self, target: httpx.URL) -> None:
        self.target = target
        super().__init__(str(target))


class Backend(ABC):
    """The shared HTTP client and the interface. Subclasses implement the API calls."""

    kind = ""
    not_found_hint = ""
    needs_service = False  # a search must name a service (Jaeger's storage backends need one)

    def __init__(self, config: BackendConfig, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.label = config.label
        self._redact = config.redact
        self._sleep = sleep
        headers = {"User-Agent": "tracetui", "Accept-Encoding": limits.ACCEPT_ENCODING, **config.headers}
        auth = None
        if config.bearer_token:
            headers["Authorization"] = f"Bearer {config.bearer_token}"
        elif config.basic_auth:
            auth = httpx.BasicAuth(*config.basic_auth)
        timeout = httpx.Timeout(config.timeout, connect=min(config.timeout, 5.0))
        # Redirects are followed by `_get_once`, which refuses those that leave the server.
        self.client = httpx.Client(base_url=config.base_url, headers=headers, auth=auth, timeout=timeout,
                                   verify=_tls(config), transport=transport, follow_redirects=False)
        limits.guard(self.client)  # `timeout` is for the whole request, not for each read
        self._origin = httpx.URL(config.base_url)
        self.requests = 0  # requests sent, for tests and the status bar

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"

    def close(self) -> None:
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- the interface -------------------------------------------------------------------

    @abstractmethod
    def services(self) -> list[str]: ...

    @abstractmethod
    def operations(self, service: str) -> list[str]: ...

    def tag_names(self) -> list[str]:
        return []

    def tag_values(self, tag: str) -> list[str]:
        return []

    @abstractmethod
    def search(self, params: SearchParams, progress: Progress | None = None) -> SearchResult: ...

    @abstractmethod
    def fetch_trace(self, trace_id: str, progress: Progress | None = None) -> Iterator[Batch]: ...

    # ---- HTTP ----------------------------------------------------------------------------

    def error(self, message: str, status: int | None = None, cls: type[BackendError] = BackendError) -> BackendError:
        return cls(self.label, self._redact(message), status)

    def get(self, path: str, params: dict | None = None, *, headers: dict | None = None,
            progress: Progress | None = None, ok_statuses: tuple[int, ...] = (),
            not_found: str | None = None) -> tuple[int, bytes]:
        """GET path and return (status, body). Retries connection errors and 5xx with backoff.

        A status in `ok_statuses` is returned to the caller instead of raising (e.g. a 404
        that means "this API version is absent"). `not_found` is the message for a 404.
        """
        attempts = 1 + max(0, self.config.retries)
        last: BackendError | None = None
        made, out_of_time = 0, False
        with limits.deadline(self.config.timeout) as at:
            for attempt in range(attempts):
                if attempt:
                    pause = min(0.25 * 2 ** (attempt - 1), 2.0)
                    if time.monotonic() + pause >= at:  # no time left for another attempt
                        out_of_time = True
                        break
                    self._sleep(pause)
                made += 1
                got: list[int] = [0]  # bytes of the answer read so far, for the timeout message
                try:
                    status, body = self._get_once(path, params, headers, progress, ok_statuses, got)
                except httpx.TimeoutException as e:
                    err = self._timeout_error(e, path, at, got[0])
                    if last is not None:  # the time ran out in a retry: say why it was retried
                        err = self.error(f"{err.message} (attempt {attempt + 1}; before: {last.message})")
                    raise err from None
                except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as e:
                    if "certificate" in str(e).lower():  # retrying will not make it trusted
                        raise self.error(f"the server's TLS certificate is not trusted ({_reason(e)}); set "
                                         "ca_file in the config (or verify = false)") from None
                    last = self.error(f"cannot reach the server ({_reason(e)})")
                    continue
                except httpx.HTTPError as e:
                    raise self.error(f"request failed: {_reason(e)}") from None
                except limits.TooBig as e:
                    size = f"{limits.size_text(e.size)}, " if e.declared else ""
                    raise self.error(f"the answer from {path} is over max_response_size ({size}limit "
                                     f"{limits.size_text(self.config.max_response_size)}); not read further: "
                                     "narrow the search (--limit, --since) or raise max_response_size in the "
                                     "config") from None
                except limits.BadEncoding as e:
                    raise self.error(f"unreadable answer from {path}: {e}") from None
                except _Redirected as e:
                    t = e.target
                    raise self.error(f"{path} redirects to {t.scheme}://{t.netloc.decode('ascii', 'replace')}, "
                                     "another server; not followed, so that credentials and headers stay with "
                                     "this one (put that address in the URL if it is right)") from None
                if status in RETRY_STATUS and status not in ok_statuses:
                    last = self.error(f"server error {status} on {path}: {self._message(body)}", status)
                    continue
                if status < 300 or status in ok_statuses:
                    return status, body
                raise self._status_error(status, body, path, not_found)
        assert last is not None
        notes = [f"after {made} attempts"] if made > 1 else []
        if out_of_time:
            notes.append(f"no time left to retry within the {self._timeout} timeout")
        if notes:
            last = type(last)(last.label, f"{last.message} ({'; '.join(notes)})", last.status)
        raise last

    @property
    def _timeout(self) -> str:
        return f"{self.config.timeout:g}s"

    def _timeout_error(self, e: httpx.TimeoutException, path: str, at: float, got: int) -> BackendError:
        if got and time.monotonic() >= at - 0.05:  # the answer was coming, too slowly
            return self.error(f"timed out after {self._timeout}: the answer from {path} was still arriving "
                              f"({limits.size_text(got)} read; the timeout is for the whole request)")
        if isinstance(e, httpx.ConnectTimeout):
            return self.error(f"timed out after {min(self.config.timeout, 5.0):g}s connecting ({path})")
        return self.error(f"timed out after {self._timeout} waiting for an answer ({path})")

    def _get_once(self, path: str, params: dict | None, headers: dict | None, progress: Progress | None,
                  ok_statuses: tuple[int, ...] = (), got: list[int] | None = None) -> tuple[int, bytes]:
        """One attempt: send, follow same-server redirects, read the answer within the size cap."""
        self.requests += 1
        got = got if got is not None else [0]

        def counted(done: int, total: int | None) -> None:
            got[0] = done
            if progress is not None:
                progress(done, total)

        request = self.client.build_request("GET", path, params=params, headers=headers)
        for _ in range(MAX_REDIRECTS + 1):
            r = self.client.send(request, stream=True)
            try:
                if r.next_request is None:
                    # Error pages are read only as far as a message needs (they are never data).
                    error_page = r.status_code >= 300 and r.status_code not in ok_statuses
                    cap = ERROR_PAGE_CAP if error_page else self.config.max_response_size
                    return r.status_code, limits.read_body(r, cap, counted, truncate=error_page)
                if not limits.same_origin(self._origin, r.next_request.url):
                    raise _Redirected(r.next_request.url)
                request = r.next_request
            finally:
                r.close()
            self.requests += 1
        raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=request)

    def _status_error(self, status: int, body: bytes, path: str, not_found: str | None) -> BackendError:
        if status == 401:
            how = "a bearer token" if self.config.bearer_token else "basic auth" if self.config.basic_auth else "no credentials"
            return self.error(f"authentication failed (401) with {how}; check token_env / password_env in the "
                              "config", status)
        if status == 403:
            return self.error(f"access denied (403) to {path}; the credentials lack permission "
                              "(or the tenant header is wrong)", status)
        if status == 404:
            if not_found:
                return self.error(f"{not_found} (404)", status, TraceNotFound)
            return self.error(f"{path} does not exist here (404){self.not_found_hint}", status)
        return self.error(f"HTTP {status} on {path}: {self._message(body)}", status)

    def _message(self, body: bytes) -> str:
        """The server's own error text, when the body carries one."""
        import orjson

        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            return short_body(body, redact=self._redact) or "(empty body)"
        if isinstance(doc, dict):
            err = doc.get("error")
            if isinstance(err, dict) and err.get("message"):
                return short_body(str(err["message"]), redact=self._redact)
            errs = doc.get("errors")
            if isinstance(errs, list) and errs and isinstance(errs[0], dict) and errs[0].get("msg"):
                return short_body(str(errs[0]["msg"]), redact=self._redact)
            for key in ("message", "error"):
                if isinstance(doc.get(key), str):
                    return short_body(doc[key], redact=self._redact)
        return short_body(body, redact=self._redact)

    def get_json(self, path: str, params: dict | None = None, **kw):
        import orjson

        _, body = self.get(path, params, **kw)
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise self.error(f"malformed answer from {path}: not JSON ({short_body(body, 60, self._redact) or 'empty'})") from None

    def decode(self, body: bytes, what: str) -> Iterator[Batch]:
        """Spans from a body in any format the loaders know; an undecodable body is one error.
        The problems met come last, once each, redacted."""
        spans_seen = False
        problems = []
        for batch in read_bytes(body, f"{self.label} {what}"):
            spans_seen = spans_seen or bool(batch.spans)
            if batch.spans:
                yield Batch(spans=batch.spans)
            problems.extend(batch.problems)
        if problems and not spans_seen:
            raise self.error(f"malformed answer for {what}: {short_body(problems[0].message, 200, self._redact)}")
        if problems:  # the loaders quote the answer: redacted like every other line from a backend
            yield Batch(problems=[replace(p, where=self._redact(p.where), message=self._redact(p.message))
                                  for p in problems])


def _tls(config: BackendConfig) -> bool | ssl.SSLContext:
    """`verify` for httpx: True/False, or a context trusting the configured CA file."""
    if not isinstance(config.verify, str):
        return config.verify
    try:
        return ssl.create_default_context(cafile=config.verify)
    except (ssl.SSLError, OSError) as e:
        raise ConfigError(f"{config.label}: ca_file {config.verify} is not a usable CA certificate "
                          f"({_reason(e)})") from None


def _reason(e: Exception) -> str:
    text = str(e) or type(e).__name__
    # httpx/OS messages like "[Errno 111] Connection refused" → "connection refused"
    if "] " in text:
        text = text.split("] ", 1)[1]
    return text.strip().rstrip(".").lower()[:120]


def list_of_str(doc, key: str | None = None) -> list[str]:
    """`["a","b"]` or `{"key": [...]}` → sorted unique strings (dict items by their `name`/`value`)."""
    items = doc.get(key) if (key and isinstance(doc, dict)) else doc
    out: set[str] = set()
    for it in items or []:
        if isinstance(it, str):
            out.add(it)
        elif isinstance(it, dict):
            v = it.get("name", it.get("value"))
            if isinstance(v, str):
                out.add(v)
    return sorted(out)
