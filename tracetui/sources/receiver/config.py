"""Where and how to receive, as the command line sets it: addresses, token, limits.

Imports nothing heavy (no aiohttp, no protobuf, not even socket): the command line reads it at
start-up.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from tracetui.loaders.sizes import parse_size as _parse_size

TOKEN_ENV = "TRACETUI_TOKEN"
DEFAULT_HTTP = ("127.0.0.1", 4318)
DEFAULT_GRPC = ("127.0.0.1", 4317)
DEFAULT_LISTEN = f"{DEFAULT_HTTP[0]}:{DEFAULT_HTTP[1]}"
DEFAULT_GRPC_LISTEN = f"{DEFAULT_GRPC[0]}:{DEFAULT_GRPC[1]}"
DEFAULT_MAX_SPANS = 1_000_000
DEFAULT_MAX_BODY = 64 * 1024 * 1024  # the spec's recommended limit, after decompression



def parse_size(text: str) -> int:
    """`67108864`, `64MiB`, `64M`, `512k` -> bytes (binary multiples). Raises ValueError."""
    return _parse_size(text, example="64MiB")


def parse_address(text: str, default_port: int) -> tuple[str, int]:
    """`HOST:PORT`, `:PORT`, `PORT`, `HOST`, `[::1]:PORT` -> (host, port). Raises ValueError.

    A bare number is a port on 127.0.0.1 (`--listen 14341`), as `:14341` is. IPv4 addresses in
    the short forms inet_aton reads (`127.1`, `0x7f.1`) are written out (`127.0.0.1`), so what is
    shown, warned about and bound is the same address.
    """
    try:
        return _parse_address(text.strip(), default_port)
    except ValueError as e:
        raise ValueError(f"bad address {text!r}: {e}; expected HOST:PORT, e.g. 127.0.0.1:4318") from None


def _port(text: str) -> int:
    if not text.strip().isdigit():
        raise ValueError(f"{text!r} is not a port number")
    return int(text)


_INET_ATON = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)(\.(0[xX][0-9a-fA-F]*|[0-9]+)){0,3}$")


def normal_host(host: str) -> str:
    """`127.1` -> `127.0.0.1` (the forms inet_aton and the OS accept); other text unchanged."""
    if _INET_ATON.match(host) and not host.isdigit():
        import socket  # here, not at the top: the command line reads this module at every start

        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            return host
    return host


def _parse_address(text: str, default_port: int) -> tuple[str, int]:
    host, port = text, default_port
    if text.isdigit():
        host, port = "", int(text)
    elif text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError("missing ']'")
        host, rest = text[1:end], text[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise ValueError("expected ':' after ']'")
            port = _port(rest[1:])
    elif text.count(":") == 1:
        host, p = text.split(":")
        port = _port(p)
    host = normal_host(host) or "127.0.0.1"
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range")
    return host, port


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host`: a loopback address, or a name that resolves
    to loopback addresses only (`localhost`)."""
    import ipaddress
    import socket

    host = normal_host(host)
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return host == "localhost"
    addrs = {info[4][0].split("%")[0] for info in infos}
    return bool(addrs) and all(ipaddress.ip_address(a).is_loopback for a in addrs)


def default_max_connections(cap: int = 256) -> int:
    """256 open connections, or fewer when the open-file limit is low: at most half of it, so
    that accepting never runs out of file descriptors (the capture file, the loaded files and
    Python's own need some too)."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):
        return cap
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return cap
    return max(8, min(cap, soft // 2))


@dataclass(frozen=True)
class Limits:
    """Time and connection limits of the HTTP receiver (README, Live: every one is stated there).

    header_timeout  from a request's first byte to its last header
    body_timeout    from a request's headers to its last body byte (answered 408)
    idle_timeout    keep-alive: a connection waiting for its next request is closed after this
    max_connections open connections at once (see `guard`); None: `default_max_connections()`
    """

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    idle_timeout: float = 30.0
    max_connections: int | None = None

    @property
    def connections(self) -> int:
        return self.max_connections or default_max_connections()


@dataclass
class LiveConfig:
    """Where and how to listen. `grpc` is None when gRPC is not wanted."""

    http: tuple[str, int] = DEFAULT_HTTP
    grpc: tuple[str, int] | None = None
    token: str | None = None
    max_body: int = DEFAULT_MAX_BODY
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_options(cls, listen: str | None, grpc: str | None, token: str | None,
                     max_body: int = DEFAULT_MAX_BODY) -> LiveConfig:
        """Raises ValueError for a bad address."""
        return cls(
            http=parse_address(listen or DEFAULT_LISTEN, DEFAULT_HTTP[1]),
            grpc=parse_address(grpc, DEFAULT_GRPC[1]) if grpc else None,
            token=token if token is not None else (os.environ.get(TOKEN_ENV) or None),
            max_body=max_body,
        )

    def warnings(self) -> list[str]:
        """One line per address reachable from other machines (binding there was asked for)."""
        out = []
        for what, addr in (("OTLP/HTTP", self.http), ("OTLP/gRPC", self.grpc)):
            if addr is not None and not is_loopback(addr[0]):
                auth = "" if self.token else "; anyone who can reach it can send spans (set --token)"
                out.append(f"warning: {what} receiver on {addr[0]}:{addr[1]} is reachable from other machines{auth}")
        return out
