"""OTLP/gRPC traces (`TraceService/Export`) and logs (`LogsService/Export`), the optional extra
`tracetui[grpc]`.

Many SDKs export gRPC to port 4317 by default. The server is grpcio's asyncio server on the
running loop, with a generic handler that takes the request as bytes, so decoding goes through the
same worker thread (and the same counts) as OTLP/HTTP. Status codes: UNAUTHENTICATED without the
token, INVALID_ARGUMENT for an undecodable request, RESOURCE_EXHAUSTED above the size limit or
the number of calls at once (grpcio refuses those before they reach us), UNAVAILABLE when the
spans could not be stored or the memory budget of requests in flight is full.

Limits: see `options()`; grpcio has no connection cap and no timeout on one slow message, which
is why connections are aged out (`MAX_AGE_S`).
"""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsPartialSuccess,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTracePartialSuccess,
    ExportTraceServiceResponse,
)

from tracetui.sources.receiver.config import DEFAULT_GRPC, Limits
from tracetui.sources.receiver.ingest import (
    LOGS,
    PROTOBUF,
    TRACES,
    Hold,
    Ingest,
    OverBudget,
    SinkFailed,
    Undecodable,
)

SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService"
LOGS_SERVICE = "opentelemetry.proto.collector.logs.v1.LogsService"
MAX_AGE_S = 300.0
MISSING = "gRPC needs grpcio, an optional extra: pip install 'tracetui[grpc]'"


class GrpcMissing(RuntimeError):
    """grpcio is not installed; the message says how to get it."""


def _grpc() -> Any:
    try:
        import grpc
        import grpc.aio  # noqa: F401
    except ImportError:
        raise GrpcMissing(MISSING) from None
    return grpc


class OtlpGrpcReceiver:
    """`TraceService/Export` on HOST:PORT; `start()` on the running loop, `stop()` to end."""

    def __init__(self, ingest: Ingest, host: str = DEFAULT_GRPC[0], port: int = DEFAULT_GRPC[1],
                 limits: Limits | None = None) -> None:
        self.grpc = _grpc()
        self.ingest = ingest
        self.limits = limits or Limits()
        self.host = host
        self.port = port
        self._server: Any = None

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def calls_at_once(self) -> int:
        """Calls served at once: as many largest requests as the memory budget holds (grpcio reads
        a call's message only once the call is admitted, so this bounds what it holds too)."""
        return max(2, self.ingest.in_flight.budget // self.ingest.max_body)

    def options(self) -> list[tuple[str, Any]]:
        """The limits of OTLP/HTTP, as far as grpcio has a setting for them (README says which)."""
        lim = self.limits
        return [
            ("grpc.max_receive_message_length", self.ingest.max_body),
            ("grpc.max_concurrent_streams", self.calls_at_once),  # per connection
            ("grpc.server_handshake_timeout_ms", int(lim.header_timeout * 1000)),
            ("grpc.max_connection_idle_ms", int(lim.idle_timeout * 1000)),
            # A connection is asked to go away after MAX_AGE_S; calls still running then get
            # body_timeout to finish: the only bound grpcio offers on a call that sends slowly.
            ("grpc.max_connection_age_ms", int(MAX_AGE_S * 1000)),
            ("grpc.max_connection_age_grace_ms", int(lim.body_timeout * 1000)),
            ("grpc.so_reuseport", 0),  # a second tracetui on the same port must fail, not share it
        ]

    async def start(self) -> None:
        grpc = self.grpc
        server = grpc.aio.server(options=self.options(), maximum_concurrent_rpcs=self.calls_at_once)
        handler = grpc.method_handlers_generic_handler(
            SERVICE, {"Export": grpc.unary_unary_rpc_method_handler(self._export)})  # bytes in, bytes out
        logs_handler = grpc.method_handlers_generic_handler(
            LOGS_SERVICE, {"Export": grpc.unary_unary_rpc_method_handler(self._export_logs)})
        server.add_generic_rpc_handlers((handler, logs_handler))
        try:
            port = server.add_insecure_port(self.address)
        except RuntimeError as e:
            raise OSError(f"cannot listen for gRPC on {self.address}: {e}") from None
        if not port:
            raise OSError(f"cannot listen for gRPC on {self.address}")
        self.port = port
        await server.start()
        self._server = server

    async def stop(self, grace: float = 5.0) -> None:
        """Stop taking calls; calls in flight get `grace` seconds to finish."""
        if self._server is not None:
            server, self._server = self._server, None
            await server.stop(grace)

    async def _export_logs(self, request: bytes, context: Any) -> bytes:
        return await self._export(request, context, LOGS)

    async def _export(self, request: bytes, context: Any, signal: str = TRACES) -> bytes:
        grpc, ingest = self.grpc, self.ingest
        metadata = {k.lower(): v for k, v in (context.invocation_metadata() or ())}
        if not ingest.authorized(metadata.get("authorization")):
            ingest.stats.rejected("401 unauthorized", "gRPC call without the bearer token")
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong bearer token")
        if ingest.busy():
            ingest.stats.rejected("503 busy", "too many requests waiting")
            await context.abort(grpc.StatusCode.UNAVAILABLE, "too many requests waiting; retry later")
        hold = Hold(ingest.in_flight)  # the message counts in the budget HTTP bodies share
        try:
            hold.take(len(request))
        except OverBudget as e:
            ingest.stats.rejected("503 memory budget", str(e))
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"too much request data in memory; retry later ({e})")
        try:
            rec = await ingest.accept(request, PROTOBUF, transport="grpc", peer=context.peer() or "", signal=signal)
        except Undecodable as e:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
        except SinkFailed as e:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"could not store the spans: {e}")
        finally:
            hold.release()
        if signal == LOGS:
            resp_logs = ExportLogsServiceResponse()
            if rec.rejected_spans or rec.error_message:
                resp_logs.partial_success.CopyFrom(
                    ExportLogsPartialSuccess(rejected_log_records=rec.rejected_spans, error_message=rec.error_message))
            return resp_logs.SerializeToString()
        resp = ExportTraceServiceResponse()
        if rec.rejected_spans or rec.error_message:
            resp.partial_success.CopyFrom(
                ExportTracePartialSuccess(rejected_spans=rec.rejected_spans, error_message=rec.error_message))
        return resp.SerializeToString()
