"""Live receiving, as the command line sets it up: addresses, token, limits; starting and stopping
the OTLP/HTTP (and optional gRPC) servers on the running loop. Shared by `tracetui --listen`
and `tracetui record`."""

from __future__ import annotations

import asyncio
import gc
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from tracetui.loaders.problems import Problem
from tracetui.sources.ingest import DEFAULT_MAX_BODY, Ingest, Received
from tracetui.sources.receiver import DEFAULT_HTTP, OtlpHttpReceiver, is_loopback, parse_address

TOKEN_ENV = "TRACETUI_TOKEN"
DEFAULT_LISTEN = f"{DEFAULT_HTTP[0]}:{DEFAULT_HTTP[1]}"
DEFAULT_GRPC_LISTEN = "127.0.0.1:4317"
DEFAULT_MAX_SPANS = 1_000_000

_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """`67108864`, `64MiB`, `64M`, `512k` -> bytes (binary multiples). Raises ValueError."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"not a size: {text!r} (e.g. 64MiB)")
    n, unit = int(m.group(1)), (m.group(2) or "b")[0].lower()
    return n * {"b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit]


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
            grpc=parse_address(grpc, 4317) if grpc else None,
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


class LiveServers:
    """The receivers of one `LiveConfig`, sharing one `Ingest` (one set of counts)."""

    def __init__(self, config: LiveConfig, ingest: Ingest, *, grace: float = 10.0) -> None:
        """`grace`: how long requests in flight may take to finish when stopping."""
        self.config = config
        self.ingest = ingest
        self.grace = grace
        self.http = OtlpHttpReceiver(ingest, *config.http, shutdown_timeout=grace)
        self.grpc = None
        if config.grpc is not None:
            from tracetui.sources.grpc_receiver import OtlpGrpcReceiver  # raises GrpcMissing

            self.grpc = OtlpGrpcReceiver(ingest, *config.grpc)

    async def start(self) -> None:
        """Bind everything or nothing. Raises OSError (address in use, not allowed)."""
        try:
            await self.http.start()
        except OSError as e:
            why = os.strerror(e.errno) if e.errno else str(e)
            raise OSError(f"cannot listen on {self.config.http[0]}:{self.config.http[1]}: {why}") from None
        if self.grpc is not None:
            try:
                await self.grpc.start()
            except BaseException:
                await self.http.stop()
                raise

    async def stop(self) -> None:
        """Stop listening; requests in flight are finished and answered first."""
        try:
            if self.grpc is not None:
                await self.grpc.stop(self.grace)
        finally:
            await self.http.stop()
            self.ingest.close()

    def describe(self) -> str:
        where = f"OTLP/HTTP on {self.http.url}"
        if self.grpc is not None:
            where += f", OTLP/gRPC on {self.grpc.address}"
        return where + (" (bearer token required)" if self.ingest.token else "")


class StoreFeed:
    """The live sink for a `TraceStore`: adds each accepted request's spans (on the loop, where the
    views read the store) and reports the changed traces at most every `interval` seconds, so a
    burst of requests costs the views one update, not one per request.

    `on_change(trace_ids, problems)` is called on the loop.
    """

    def __init__(self, store, on_change: Callable[[set[str], list[Problem]], None], *,
                 interval: float = 0.2) -> None:
        self.store = store
        self.on_change = on_change
        self.interval = interval
        self._ids: set[str] = set()
        self._problems: list[Problem] = []
        self._handle: asyncio.TimerHandle | None = None

    def __call__(self, rec: Received) -> None:
        self._ids |= self.store.add(rec.batch.spans)
        if rec.batch.problems:
            self._problems.extend(rec.batch.problems)
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_later(self.interval, self.flush)

    def flush(self) -> None:
        """Report what changed since the last report (nothing when nothing did)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        ids, problems = self._ids, self._problems
        self._ids, self._problems = set(), []
        if ids or problems:
            self.on_change(ids, problems)


class QuietCollections:
    """Full garbage collections only when nobody is typing.

    A full (generation 2) collection walks every tracked object; with a few hundred thousand
    spans stored it paused the loop 100–400 ms (receiver_bench: gc_pause_max_ms), which is what
    a key press waited. Live mode turns automatic full collections off and runs one when input
    has been quiet for `quiet` seconds (at most every `every` seconds, and at least every
    `at_most` seconds whatever happens), so cyclic garbage is still collected, at a moment
    nobody waits for. Young generations are collected as usual. (`gc.freeze()` was tried first:
    it kept the pauses short too, but froze screens that were open at the time for good:
    ~25,000 objects leaked per trace view opened during ingest.)
    """

    NEVER = 1_000_000_000  # gen-1 collections before an automatic full one: never, in practice

    def __init__(self, quiet: float = 3.0, every: float = 30.0, at_most: float = 300.0) -> None:
        self.quiet, self.every, self.at_most = quiet, every, at_most
        self._saved: tuple[int, ...] | None = None
        self.last_collect = time.monotonic()
        self.collections = 0

    def start(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            t0, t1, _ = self._saved
            gc.set_threshold(t0, t1, self.NEVER)

    def stop(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def due(self, now: float, last_input: float) -> bool:
        since = now - self.last_collect
        return since >= self.at_most or (since >= self.every and now - last_input >= self.quiet)

    def tick(self, last_input: float, now: float | None = None) -> bool:
        """Collect if it is time; True when it did."""
        now = time.monotonic() if now is None else now
        if self._saved is None or not self.due(now, last_input):
            return False
        gc.collect()
        self.last_collect = time.monotonic()
        self.collections += 1
        return True
