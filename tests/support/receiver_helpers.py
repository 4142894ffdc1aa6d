"""A receiver running on its own loop in a thread, so synchronous senders (the OTel SDK exporters,
http.client) can talk to it from the test thread. Loopback only."""

from __future__ import annotations

import asyncio
import http.client
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from loops import cancel_the_rest

from tracetui.model import TraceStore
from tracetui.sources.receiver.config import Limits
from tracetui.sources.receiver.http import OtlpHttpReceiver
from tracetui.sources.receiver.ingest import Ingest, Received


class LiveReceiver:
    """`with LiveReceiver() as r:` — OTLP/HTTP (and gRPC with grpc=True) into `r.store`."""

    def __init__(self, *, token: str | None = None, max_body: int | None = None, grpc: bool = False,
                 sink: Callable[[Received], Any] | None = None, max_spans: int | None = None,
                 limits: Limits | None = None, max_in_flight: int | None = None, decoder=None) -> None:
        self.store = TraceStore(max_spans=max_spans)
        self.received: list[Received] = []
        kw = {"token": token, "max_in_flight": max_in_flight, "decoder": decoder}
        if max_body is not None:
            kw["max_body"] = max_body
        self.ingest = Ingest(sink or self._sink, **kw)
        self.http = OtlpHttpReceiver(self.ingest, "127.0.0.1", 0, limits=limits)
        self.grpc_server = None
        self._want_grpc = grpc
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def _sink(self, rec: Received) -> None:
        self.received.append(rec)
        self.store.add(rec.batch.spans)
        self.store.add_logs(rec.batch.logs)

    def run(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> LiveReceiver:
        self._thread.start()
        self.run(self.http.start())
        if self._want_grpc:
            from tracetui.sources.receiver.grpc import OtlpGrpcReceiver

            self.grpc_server = OtlpGrpcReceiver(self.ingest, "127.0.0.1", 0, limits=self.http.limits)
            self.run(self.grpc_server.start())
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.grpc_server is not None:
                self.run(self.grpc_server.stop())
            self.run(self.http.stop())
            self.run(cancel_the_rest())
        finally:
            self.ingest.close()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()

    @property
    def url(self) -> str:
        return self.http.url

    @property
    def stats(self):
        return self.ingest.stats

    def post(self, body: bytes, headers: dict[str, str] | None = None, *, method: str = "POST",
             path: str = "/v1/traces", conn: http.client.HTTPConnection | None = None) -> tuple[int, dict, bytes]:
        """One request; returns (status, headers, body)."""
        own = conn is None
        c = conn or http.client.HTTPConnection("127.0.0.1", self.http.port, timeout=30)
        try:
            c.request(method, path, body=body, headers=headers or {})
            resp = c.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            if own:
                c.close()


def in_thread(fn: Callable[[], Any]) -> Future:
    fut: Future = Future()

    def run() -> None:
        try:
            fut.set_result(fn())
        except BaseException as e:  # noqa: BLE001
            fut.set_exception(e)

    threading.Thread(target=run, daemon=True).start()
    return fut
