"""The OTLP/HTTP receiver: `POST /v1/traces`, protobuf or JSON, gzip/deflate or none (spec 1.x).

It runs on whatever asyncio loop starts it (Textual's in the TUI, its own in `tracetui record`)
and hands each accepted request to a sink (see `ingest`). Status codes:

  200  accepted; body `ExportTraceServiceResponse` in the request's encoding, with
       `partial_success` when some spans were rejected (or a warning came up)
  400  undecodable body (`google.rpc.Status`)      401  missing or wrong bearer token
  404  a path other than /v1/traces                405  a method other than POST
  413  body larger than the limit, counted AFTER decompression (streamed, so a gzip bomb stops
       at the limit)                               415  other content types or encodings
  503  the sink could not store the spans, or too many requests are waiting (retryable)
"""

from __future__ import annotations

import zlib

from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTracePartialSuccess,
    ExportTraceServiceResponse,
)

from tracetui.sources.receiver.config import DEFAULT_HTTP
from tracetui.sources.receiver.ingest import (
    JSON,
    PROTOBUF,
    Ingest,
    Received,
    SinkFailed,
    Undecodable,
)

TRACES_PATH = "/v1/traces"
CONTENT_TYPES = {
    "application/x-protobuf": PROTOBUF,
    "application/protobuf": PROTOBUF,
    "application/json": JSON,
}
CONTENT_TYPE_OUT = {PROTOBUF: "application/x-protobuf", JSON: "application/json"}
CHUNK = 64 * 1024

# google.rpc.Code values used in Status bodies.
INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED, UNAUTHENTICATED, UNAVAILABLE, UNIMPLEMENTED = 3, 5, 8, 16, 14, 12


class TooLarge(Exception):
    pass


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
    """The `ExportTraceServiceResponse`, with `partial_success` when something was rejected or warned."""
    rejected, message = rec.rejected_spans, rec.error_message
    if rec.encoding == JSON:
        import orjson

        if not (rejected or message):
            return b"{}"
        return orjson.dumps({"partialSuccess": {"rejectedSpans": str(rejected), "errorMessage": message}})
    resp = ExportTraceServiceResponse()
    if rejected or message:
        resp.partial_success.CopyFrom(ExportTracePartialSuccess(rejected_spans=rejected, error_message=message))
    return resp.SerializeToString()


class Inflater:
    """Stream decompression that stops at `limit` output bytes (a gzip bomb costs at most that).

    gzip may hold several members back to back (RFC 1952); deflate comes zlib-wrapped (RFC 9110)
    or raw from some clients, told apart by the first two bytes.
    """

    def __init__(self, encoding: str, limit: int) -> None:
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise KeyError(encoding)
        self.gzip = encoding != "deflate"
        self.limit = limit
        self.out = bytearray()
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS) if self.gzip else None

    def feed(self, data: bytes) -> None:
        if self._d is None:
            zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._d = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        out, limit = self.out, self.limit
        while data:
            d = self._d
            out += d.decompress(data, limit + 1 - len(out))
            if len(out) > limit:
                raise TooLarge(f"more than {limit} bytes after decompression")
            data = d.unconsumed_tail
            if d.eof and d.unused_data:
                if not self.gzip:
                    break  # trailing bytes after a deflate stream: ignored, as zlib does
                data = d.unused_data
                self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def finish(self) -> bytes:
        if self._d is None:
            return bytes(self.out)  # empty body
        self.out += self._d.flush()
        if len(self.out) > self.limit:
            raise TooLarge(f"more than {self.limit} bytes after decompression")
        if not self._d.eof:
            raise Undecodable("compressed body is truncated")
        return bytes(self.out)


async def read_body(request: web.Request, limit: int) -> bytes:
    """The request body, decompressed, never holding more than `limit` + one chunk in memory.

    Raises `TooLarge` past the limit (counted after decompression), `Undecodable` for a damaged
    stream, KeyError for an unsupported Content-Encoding.
    """
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    inflater = None if encoding in ("", "identity") else Inflater(encoding, limit)
    if inflater is None and request.content_length is not None and request.content_length > limit:
        raise TooLarge(f"{request.content_length} bytes")
    out = bytearray()
    received = 0
    try:
        async for chunk in request.content.iter_chunked(CHUNK):
            received += len(chunk)
            if received > limit:  # even compressed, a body this big is over the limit
                raise TooLarge(f"more than {limit} bytes")
            if inflater is None:
                out += chunk
            else:
                inflater.feed(chunk)
        return bytes(out) if inflater is None else inflater.finish()
    except zlib.error as e:
        raise Undecodable(f"body is not valid {encoding} ({e})") from None


class OtlpHttpReceiver:
    """An aiohttp server for OTLP/HTTP traces, started on the running loop.

    >>> r = OtlpHttpReceiver(Ingest(sink), host="127.0.0.1", port=0)
    >>> await r.start(); r.port  # the bound port
    """

    def __init__(self, ingest: Ingest, host: str = DEFAULT_HTTP[0], port: int = DEFAULT_HTTP[1],
                 shutdown_timeout: float = 10.0) -> None:
        self.ingest = ingest
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._shutdown_timeout = shutdown_timeout

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
        runner = web.AppRunner(self.make_app(), access_log=None, auto_decompress=False,
                               shutdown_timeout=self._shutdown_timeout)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        addr = runner.addresses[0]
        self.port = addr[1]

    async def stop(self) -> None:
        """Stop listening; requests already in flight finish (and are answered) first."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ingest = self.ingest
        stats = ingest.stats
        encoding = CONTENT_TYPES.get(request.content_type, PROTOBUF)

        def fail(status: int, code: int, reason: str, message: str, **headers: str) -> web.Response:
            stats.rejected(reason, message)
            return web.Response(status=status, body=status_body(code, message, encoding),
                                content_type=CONTENT_TYPE_OUT[encoding], headers=headers)

        if request.path != TRACES_PATH:
            what = request.path if request.path in ("/v1/logs", "/v1/metrics") else "path"
            return fail(404, NOT_FOUND, f"404 {what}", f"{request.path}: not found; tracetui receives traces at {TRACES_PATH}")
        if request.method != "POST":
            return fail(405, UNIMPLEMENTED, "405 method", f"{request.method} not allowed; use POST", Allow="POST")
        if not ingest.authorized(request.headers.get("Authorization")):
            return fail(401, UNAUTHENTICATED, "401 unauthorized", "missing or wrong bearer token",
                        **{"WWW-Authenticate": 'Bearer realm="tracetui"'})
        if request.content_type not in CONTENT_TYPES:
            return fail(415, INVALID_ARGUMENT, "415 content type",
                        f"unsupported content type {request.content_type!r}; use application/x-protobuf or application/json")
        if ingest.busy():
            return fail(503, UNAVAILABLE, "503 busy", "too many requests waiting; retry later", **{"Retry-After": "1"})
        try:
            body = await read_body(request, ingest.max_body)
        except KeyError as e:
            return fail(415, INVALID_ARGUMENT, "415 content encoding", f"unsupported content encoding {e.args[0]!r}; use gzip, deflate or none")
        except TooLarge as e:
            return fail(413, RESOURCE_EXHAUSTED, "413 too large", f"request body over the limit of {ingest.max_body} bytes ({e})",
                        Connection="close")
        except Undecodable as e:
            return fail(400, INVALID_ARGUMENT, "400 undecodable", str(e))
        peer = request.remote or ""
        try:
            rec = await ingest.accept(body, encoding, transport="http", peer=peer)
        except Undecodable as e:  # counted by ingest
            return web.Response(status=400, body=status_body(INVALID_ARGUMENT, str(e), encoding),
                                content_type=CONTENT_TYPE_OUT[encoding])
        except SinkFailed as e:  # counted by ingest
            return web.Response(status=503, body=status_body(UNAVAILABLE, f"could not store the spans: {e}", encoding),
                                content_type=CONTENT_TYPE_OUT[encoding], headers={"Retry-After": "1"})
        return web.Response(status=200, body=response_body(rec), content_type=CONTENT_TYPE_OUT[encoding])
