"""Starting and stopping the receivers of one `LiveConfig` on the running loop (shared by
`tracetui --listen` and `tracetui record`)."""

from __future__ import annotations

import os

from tracetui.sources.receiver.config import LiveConfig
from tracetui.sources.receiver.http import OtlpHttpReceiver
from tracetui.sources.receiver.ingest import Ingest


class LiveServers:
    """The receivers of one `LiveConfig`, sharing one `Ingest` (one set of counts)."""

    def __init__(self, config: LiveConfig, ingest: Ingest, *, grace: float = 10.0) -> None:
        """`grace`: how long requests in flight may take to finish when stopping."""
        self.config = config
        self.ingest = ingest
        self.grace = grace
        self.http = OtlpHttpReceiver(ingest, *config.http, shutdown_timeout=grace, limits=config.limits)
        self.grpc = None
        if config.grpc is not None:
            from tracetui.sources.receiver.grpc import OtlpGrpcReceiver  # raises GrpcMissing

            self.grpc = OtlpGrpcReceiver(ingest, *config.grpc, limits=config.limits)

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
