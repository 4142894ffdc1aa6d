"""Where and how to receive, as the command line sets it: addresses, token, limits.

Imports nothing heavy (no aiohttp, no protobuf): the command line reads it at start-up.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass

TOKEN_ENV = "TRACETUI_TOKEN"
DEFAULT_HTTP = ("127.0.0.1", 4318)
DEFAULT_GRPC = ("127.0.0.1", 4317)
DEFAULT_LISTEN = f"{DEFAULT_HTTP[0]}:{DEFAULT_HTTP[1]}"
DEFAULT_GRPC_LISTEN = f"{DEFAULT_GRPC[0]}:{DEFAULT_GRPC[1]}"
DEFAULT_MAX_SPANS = 1_000_000
DEFAULT_MAX_BODY = 64 * 1024 * 1024  # the spec's recommended limit, after decompression

_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """`67108864`, `64MiB`, `64M`, `512k` -> bytes (binary multiples). Raises ValueError."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"not a size: {text!r} (e.g. 64MiB)")
    n, unit = int(m.group(1)), (m.group(2) or "b")[0].lower()
    return n * {"b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit]


def parse_address(text: str, default_port: int) -> tuple[str, int]:
    """`HOST:PORT`, `:PORT`, `HOST`, `[::1]:PORT` -> (host, port). Raises ValueError."""
    try:
        return _parse_address(text.strip(), default_port)
    except ValueError as e:
        raise ValueError(f"bad address {text!r}: {e}; expected HOST:PORT, e.g. 127.0.0.1:4318") from None


def _port(text: str) -> int:
    if not text.strip().isdigit():
        raise ValueError(f"{text!r} is not a port number")
    return int(text)


def _parse_address(text: str, default_port: int) -> tuple[str, int]:
    host, port = text, default_port
    if text.startswith("["):
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
    host = host or "127.0.0.1"
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range")
    return host, port


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False



@dataclass
class LiveConfig:
    """Where and how to listen. `grpc` is None when gRPC is not wanted."""

    http: tuple[str, int] = DEFAULT_HTTP
    grpc: tuple[str, int] | None = None
    token: str | None = None
    max_body: int = DEFAULT_MAX_BODY

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
