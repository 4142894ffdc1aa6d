"""Who a call calls: the callee of a CLIENT span, told from its attributes and from what the
server spans elsewhere in the data say about themselves.

A client span names its callee in one of these ways (first that answers wins):

- `peer.service` (the callee's `service.name`, as the instrumentation was told it);
- `server.address` + `server.port` (older `net.peer.name` + `net.peer.port`), or the host and port
  of `url.full` (older `http.url`), matched with the address and port the server spans of the data
  report (`server.address` + `server.port`, older `net.host.name` + `net.host.port`, `http.host`):
  the service whose server spans listen there;
- `rpc.service` matched with the server spans of the same `rpc.service`.

A call whose callee cannot be told (a database, a third party, an address no server span
reports) has no callee: no finding depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from tracetui.model.span import KIND_CLIENT, KIND_SERVER, Span
from tracetui.model.trace import Trace


def _port(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _url_endpoint(url: Any) -> tuple[str, int | None] | None:
    if not isinstance(url, str) or "://" not in url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    if port is None:
        port = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.hostname.lower(), port


def url_path(attrs: dict) -> str | None:
    """The path a call asked for or a server answered, without the query: `url.path`, else the
    path of `url.full` / `http.url` / `http.target`."""
    path = attrs.get("url.path")
    if isinstance(path, str) and path:
        return path
    for key in ("url.full", "http.url", "http.target"):
        v = attrs.get(key)
        if isinstance(v, str) and v:
            if "://" in v:
                try:
                    return urlsplit(v).path or "/"
                except ValueError:
                    return None
            return v.split("?", 1)[0]
    return None


def client_endpoints(attrs: dict) -> list[tuple[str, int | None]]:
    """The (host, port) a client span says it called, most specific first."""
    out = []
    for host_key, port_key in (("server.address", "server.port"), ("net.peer.name", "net.peer.port")):
        host = attrs.get(host_key)
        if isinstance(host, str) and host:
            out.append((host.lower(), _port(attrs.get(port_key))))
    for key in ("url.full", "http.url"):
        ep = _url_endpoint(attrs.get(key))
        if ep is not None:
            out.append(ep)
    return out


def server_endpoints(attrs: dict) -> list[tuple[str, int | None]]:
    """The (host, port) a server span says it listens on."""
    out = []
    for host_key, port_key in (("server.address", "server.port"), ("net.host.name", "net.host.port")):
        host = attrs.get(host_key)
        if isinstance(host, str) and host:
            out.append((host.lower(), _port(attrs.get(port_key))))
    host = attrs.get("http.host")
    if isinstance(host, str) and host:
        name, _, port = host.rpartition(":") if ":" in host else (host, "", "")
        out.append((name.lower(), _port(port)))
    return out


class Callees:
    """What the whole data says about services: which exist (`services`), where their servers
    listen, which rpc services they serve. Built once over every trace; `callee(span)` then
    names the service a client span called (None when it cannot be told)."""

    def __init__(self, traces: Iterable[Trace]) -> None:
        self.services: set[str] = set()
        endpoints: dict[tuple[str, int | None], set[str]] = {}
        rpc: dict[str, set[str]] = {}
        for t in traces:
            self.services.update(t.services)
            for s in t.spans:
                if s.kind != KIND_SERVER:
                    continue
                attrs = s.attributes
                for ep in server_endpoints(attrs):
                    endpoints.setdefault(ep, set()).add(s.resource.service)
                name = attrs.get("rpc.service")
                if isinstance(name, str) and name:
                    rpc.setdefault(name, set()).add(s.resource.service)
        # Only addresses one service answers on name it (loopback shared by two services on
        # different ports is told apart by the port; an address two services share is not used).
        self._endpoints = {ep: next(iter(svcs)) for ep, svcs in endpoints.items() if len(svcs) == 1}
        self._rpc = {name: next(iter(svcs)) for name, svcs in rpc.items() if len(svcs) == 1}

    def callee(self, span: Span, attrs: dict | None = None) -> str | None:
        if span.kind != KIND_CLIENT:
            return None
        attrs = span.attributes if attrs is None else attrs
        peer = attrs.get("peer.service")
        if isinstance(peer, str) and peer:
            return peer
        for ep in client_endpoints(attrs):
            svc = self._endpoints.get(ep)
            if svc is not None:
                return svc
        name = attrs.get("rpc.service")
        if isinstance(name, str):
            return self._rpc.get(name)
        return None

    def instrumented(self, service: str) -> bool:
        """Whether spans of `service` are somewhere in the data."""
        return service in self.services
