"""The OTLP/HTTP receiver: `POST /v1/traces` and `POST /v1/logs`, protobuf or JSON, gzip/deflate
or none (spec 1.x).

It runs on whatever asyncio loop starts it (Textual's in the TUI, its own in `tracetui record`)
and hands each accepted request to a sink (see `ingest`). Status codes:

  200  accepted; body `ExportTraceServiceResponse` in the request's encoding, with
       `partial_success` when some spans were rejected (or a warning came up)
  400  undecodable body (`google.rpc.Status`)      401  missing or wrong bearer token (checked first)
  404  a path other than /v1/traces, /v1/logs      405  a method other than POST
  408  the body did not arrive within the body timeout
  413  body larger than the limit, counted AFTER decompression (streamed, so a gzip bomb stops
       at the limit)                               415  other content types or encodings
  503  the sink could not store the spans, too many requests are waiting, the bodies in flight
       would pass the memory budget, or every connection is busy (Retry-After: retryable)

Connections are watched by `guard` (header, idle timeouts; connection cap); bodies are read by
`body` (size limit, memory budget).
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsPartialSuccess,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTracePartialSuccess,
    ExportTraceServiceResponse,
)

from tracetui.sources.receiver.body import TooLarge, read_body
from tracetui.sources.receiver.config import DEFAULT_HTTP, Limits
from tracetui.sources.receiver.guard import BACKSTOP_S, ConnectionGuard, QuietLogs
from tracetui.sources.receiver.ingest import (
    JSON,
    LOGS,
    PROTOBUF,
    TRACES,
    Hold,
    Ingest,
    OverBudget,
    Received,
    SinkFailed,
    Undecodable,
)

TRACES_PATH = "/v1/traces"
LOGS_PATH = "/v1/logs"
SIGNAL_OF_PATH = {TRACES_PATH: TRACES, LOGS_PATH: LOGS}
# After an early answer (401, 408, 413, 503 before the whole body came), how long the rest of the
# body is read and thrown away so the client can read the answer, before the connection is closed.
LINGER_S = 2.0
CONTENT_TYPES = {
    "application/x-protobuf": PROTOBUF,
    "application/protobuf": PROTOBUF,
    "application/json": JSON,
}
CONTENT_TYPE_OUT = {PROTOBUF: "application/x-protobuf", JSON: "application/json"}

# google.rpc.Code values used in Status bodies.
INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, RESOURCE_EXHAUSTED = 3, 4, 5, 8
UNAUTHENTICATED, UNAVAILABLE, UNIMPLEMENTED = 16, 14, 12


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def status_body(code: int, message: str, encoding: str) -> bytes:
    """A `google.rpc.Status` (code, message) in protobuf or JSON, as the spec asks for errors."""
    if encoding == JSON:
        import orjson

        return orjson.dumps({"code": code, "message": message})
    m = message.encode()
    return b"\x08" + _varint(code) + b"\x12" + _varint(len(m)) + m


def response_body(rec: Received) -> bytes:
    """The `ExportTraceServiceResponse` (`ExportLogsServiceResponse` for logs), with
    `partial_success` when something was rejected or warned."""
    rejected, message = rec.rejected_spans, rec.error_message
    logs = rec.signal == LOGS
    if rec.encoding == JSON:
        import orjson

        if not (rejected or message):
            return b"{}"
        key = "rejectedLogRecords" if logs else "rejectedSpans"
        return orjson.dumps({"partialSuccess": {key: str(rejected), "errorMessage": message}})
    if logs:
        resp_logs = ExportLogsServiceResponse()
        if rejected or message:
            resp_logs.partial_success.CopyFrom(ExportLogsPartialSuccess(rejected_log_records=rejected,
                                                                        error_message=message))
        return resp_logs.SerializeToString()
    resp = ExportTraceServiceResponse()
    if rejected or message:
        resp.partial_success.CopyFrom(ExportTracePartialSuccess(rejected_spans=rejected, error_message=message))
    return resp.SerializeToString()


class OtlpHttpReceiver:
    """An aiohttp server for OTLP/HTTP traces, started on the running loop.

    >>> r = OtlpHttpReceiver(Ingest(sink), host="127.0.0.1", port=0)
    >>> await r.start(); r.port  # the bound port
    """

    def __init__(self, ingest: Ingest, host: str = DEFAULT_HTTP[0], port: int = DEFAULT_HTTP[1],
                 shutdown_timeout: float = 10.0, limits: Limits | None = None) -> None:
        self.ingest = ingest
        self.host = host
        self.port = port
        self.limits = limits or Limits()
        self._runner: web.AppRunner | None = None
        self._server: asyncio.AbstractServer | None = None
        self._shutdown_timeout = shutdown_timeout
        self.guard = ConnectionGuard(
            header_timeout=self.limits.header_timeout, idle_timeout=self.limits.idle_timeout,
            body_timeout=self.limits.body_timeout, max_connections=self.limits.connections,
            on_close=ingest.stats.rejected)
        self._logs = QuietLogs(ingest.stats.rejected)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{TRACES_PATH}"

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self.handle)
        return app

    async def start(self) -> None:
        """Bind and serve. Raises OSError when the address is taken or not allowed."""
        # auto_decompress=False: we decompress ourselves, with a cap (aiohttp's would be unbounded here).
        # aiohttp's keep-alive timer is a backstop only: the guard closes idle connections sooner.
        runner = web.AppRunner(self.make_app(), access_log=None, auto_decompress=False,
                               shutdown_timeout=self._shutdown_timeout,
                               keepalive_timeout=self.limits.idle_timeout + BACKSTOP_S,
                               lingering_time=LINGER_S)
        await runner.setup()
        loop = asyncio.get_running_loop()
        try:
            # Our own listening socket (not a TCPSite): every connection goes through the guard.
            self._server = await loop.create_server(self.guard.factory(runner.server), self.host, self.port,
                                                    reuse_address=True)
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = self._server.sockets[0].getsockname()[1]
        self.guard.start()
        self._logs.install()

    async def stop(self) -> None:
        """Stop listening; requests already in flight finish (and are answered) first."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            server, self._server = self._server, None
            if server is not None:
                server.close()
            try:
                await runner.cleanup()
            finally:
                self.guard.stop()
                self._logs.remove()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.guard.busy(request.transport)
        hold = Hold(self.ingest.in_flight)
        try:
            return await self._handle(request, hold)
        except ConnectionError:  # the client went away mid-body: nobody to answer, nothing to count
            return web.Response(status=400, headers={"Connection": "close"})
        except Exception as e:  # never a traceback on stderr (it is the TUI's screen): a counted 500
            detail = f"{type(e).__name__}: {e}"[:300]
            self.ingest.stats.rejected("500 internal error", detail)
            return web.Response(status=500, text=f"internal error: {detail}\n", headers={"Connection": "close"})
        finally:
            hold.release()
            self.guard.done(request.transport)

    async def _handle(self, request: web.Request, hold: Hold) -> web.StreamResponse:
        ingest = self.ingest
        stats = ingest.stats
        encoding = CONTENT_TYPES.get(request.content_type, PROTOBUF)

        def fail(status: int, code: int, reason: str, message: str, **headers: str) -> web.Response:
            stats.rejected(reason, message)
            return web.Response(status=status, body=status_body(code, message, encoding),
                                content_type=CONTENT_TYPE_OUT[encoding], headers=headers)

        # The token first: without it, a client learns nothing (not even which paths exist).
        if not ingest.authorized(request.headers.get("Authorization")):
            return fail(401, UNAUTHENTICATED, "401 unauthorized", "missing or wrong bearer token",
                        **{"WWW-Authenticate": 'Bearer realm="tracetui"'})
        signal = SIGNAL_OF_PATH.get(request.path)
        if signal is None:
            what = request.path if request.path == "/v1/metrics" else "path"
            where = "" if what == request.path else f"{request.path}: "  # the reason names it already
            return fail(404, NOT_FOUND, f"404 {what}", f"{where}not found; tracetui receives traces at "
                        f"{TRACES_PATH} and logs at {LOGS_PATH}")
        if request.method != "POST":
            return fail(405, UNIMPLEMENTED, "405 method", f"{request.method} not allowed; use POST", Allow="POST")
        if request.content_type not in CONTENT_TYPES:
            return fail(415, INVALID_ARGUMENT, "415 content type",
                        f"unsupported content type {request.content_type!r}; use application/x-protobuf or application/json")
        if ingest.busy():
            return fail(503, UNAVAILABLE, "503 busy", "too many requests waiting; retry later", **{"Retry-After": "1"})
        timeout = self.limits.body_timeout
        try:
            async with asyncio.timeout(timeout):
                body = await read_body(request, ingest.max_body, hold)
        except KeyError as e:
            return fail(415, INVALID_ARGUMENT, "415 content encoding", f"unsupported content encoding {e.args[0]!r}; use gzip, deflate or none")
        except TooLarge as e:
            return fail(413, RESOURCE_EXHAUSTED, "413 too large", f"request body over the limit of {ingest.max_body} bytes ({e})",
                        Connection="close")
        except OverBudget as e:
            hold.release()  # at once, not when the answer is written
            return fail(503, UNAVAILABLE, "503 memory budget", f"too much request data in memory; retry later ({e})",
                        Connection="close", **{"Retry-After": "1"})
        except TimeoutError:
            hold.release()
            return fail(408, DEADLINE_EXCEEDED, "408 slow body", f"request body not complete within {timeout:g} s",
                        Connection="close")
        except Undecodable as e:
            return fail(400, INVALID_ARGUMENT, "400 undecodable", str(e))
        peer = request.remote or ""
        try:
            rec = await ingest.accept(body, encoding, transport="http", peer=peer, signal=signal)
        except Undecodable as e:  # counted by ingest
            return web.Response(status=400, body=status_body(INVALID_ARGUMENT, str(e), encoding),
                                content_type=CONTENT_TYPE_OUT[encoding])
        except SinkFailed as e:  # counted by ingest
            what = "log records" if signal == LOGS else "spans"
            return web.Response(status=503, body=status_body(UNAVAILABLE, f"could not store the {what}: {e}", encoding),
                                content_type=CONTENT_TYPE_OUT[encoding], headers={"Retry-After": "1"})
        del body
        return web.Response(status=200, body=response_body(rec), content_type=CONTENT_TYPE_OUT[encoding])
