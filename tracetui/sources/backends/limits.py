"""What one backend request may take: time (the whole request, not each read), answer size, and
where it may be redirected.

- **Time.** httpx's timeouts apply to each network operation, so a server dripping a byte every
  2 s never trips a 10 s read timeout. `deadline(seconds)` sets a deadline for the calling thread;
  `guard(client)` makes the client's connections clamp every connect, read and write to the time
  left, so the request fails at the deadline whatever the server does (slow headers included).
- **Size.** `read_body` reads an answer as it arrives (raw bytes, decompressed here in bounded
  steps) and stops as soon as it is over the cap: memory stays near the cap, even for a small
  gzip answer that inflates to gigabytes. Only gzip and deflate are asked for and accepted.
- **Redirects.** `same_origin` tells a redirect that stays with the configured server (or upgrades
  it from http to https on the default ports, as httpx itself allows) from one that leaves it.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import time
import zlib
from collections.abc import Callable, Iterator

import httpcore
import httpx

ACCEPT_ENCODING = "gzip, deflate"  # not zstd/br: their decoders cannot be bounded chunk by chunk here

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("tracetui_backend_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Every network operation of this thread's requests ends by `now + seconds` (yields it)."""
    at = time.monotonic() + seconds
    token = _deadline.set(at)
    try:
        yield at
    finally:
        _deadline.reset(token)


def _left(timeout: float | None, exc: type[Exception]) -> float | None:
    at = _deadline.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise exc("the request's time is up")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _Network(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return _Stream(self._inner.connect_tcp(host, port, _left(timeout, httpcore.ConnectTimeout), local_address,
                                               socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return _Stream(self._inner.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def guard(client: httpx.Client) -> bool:
    """Make the client's connection pools honour `deadline`. False when a transport has no pool
    to guard (a test's mock transport). httpx has no public way to reach the pool's network
    backend: it is `_pool._network_backend` (httpx 0.23 to 0.28, httpcore 1.x); if a future httpx
    moves it, `read_body` still ends a dripping body at the first byte after the deadline, and
    the header-drip test fails (CI runs the newest versions allowed)."""
    guarded = False
    for transport in (client._transport, *client._mounts.values()):
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, _Network):
            pool._network_backend = _Network(backend)
            guarded = True
    return guarded


class TooBig(Exception):
    """The answer is over the size cap (`size` is what was known: declared or read so far)."""

    def __init__(self, size: int, declared: bool) -> None:
        self.size, self.declared = size, declared
        super().__init__(size)


class BadEncoding(Exception):
    """An answer in a content encoding that was not asked for, or damaged compressed data."""


def read_body(response: httpx.Response, cap: int, progress: Callable[[int, int | None], None] | None = None,
              truncate: bool = False) -> bytes:
    """The answer's body, decompressed, at most `cap` bytes; raises TooBig past it (or, with
    `truncate`, returns its first `cap` bytes and reads no further), BadEncoding for an encoding
    other than gzip/deflate/identity. Peak memory is about `cap` (one copy)."""
    total = response.headers.get("content-length")
    total_n = int(total) if total and total.isdigit() else None
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        inflate = None
        if total_n is not None and total_n > cap and not truncate:
            raise TooBig(total_n, declared=True)
    elif encoding in ("gzip", "x-gzip"):
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflate = zlib.decompressobj(zlib.MAX_WBITS)
    else:
        raise BadEncoding(f"the answer is in Content-Encoding {encoding[:40]!r}, which was not asked for")
    out = io.BytesIO()
    raw_read = 0
    try:
        for raw in response.iter_raw():
            at = _deadline.get()
            if at is not None and time.monotonic() > at:  # also where `guard` found no pool to guard
                raise httpx.ReadTimeout("the request's time is up", request=response.request)
            raw_read += len(raw)
            if inflate is None:
                out.write(raw)
            else:
                _inflate(inflate, raw, out, cap)
            if out.tell() > cap:
                raise TooBig(out.tell(), declared=False)
            if progress is not None:
                progress(raw_read, total_n)
        if inflate is not None:
            _inflate(inflate, b"", out, cap, final=True)
    except TooBig:
        if not truncate:
            raise
        return out.getbuffer()[:cap].tobytes()
    return out.getvalue()  # shares the buffer: no second copy


def _inflate(d, data: bytes, out: io.BytesIO, cap: int, final: bool = False) -> None:
    """Decompress `data` into `out`, never holding more than `cap + 1` bytes in `out`."""
    try:
        while True:
            room = cap + 1 - out.tell()
            if room <= 0:
                raise TooBig(out.tell(), declared=False)
            out.write(d.decompress(data, room))
            data = d.unconsumed_tail
            if not data:
                break
        if final:
            out.write(d.flush())
    except zlib.error as e:
        raise BadEncoding(f"the compressed answer is damaged ({e})") from None
    if out.tell() > cap:
        raise TooBig(out.tell(), declared=False)


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, port


def same_origin(base: httpx.URL, target: httpx.URL) -> bool:
    """Whether a redirect from the configured server to `target` stays with it: same scheme, host
    and port, or the same host upgraded from http:80 to https:443."""
    a, b = origin(base), origin(target)
    return a == b or (a == ("http", base.host, 80) and b == ("https", base.host, 443))


def size_text(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} B"
