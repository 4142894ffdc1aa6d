"""What the HTTP receiver does about connections that do not behave: header and keep-alive idle
timeouts, and a cap on open connections.

aiohttp has no timeout for reading a request's headers (a slow-loris client sending a header byte
now and then keeps its connection, and a file descriptor, for good), and its keep-alive timeout
is an hour in recent versions. So every connection goes through a thin protocol wrapper that
knows what the connection is doing:

  idle      waiting for a request (since it connected, or since its last answer): closed after
            `idle_timeout` (the keep-alive idle timeout)
  headers   the first bytes of a request came: closed unless its headers are in within
            `header_timeout` (the request handler marks the connection `busy` when they are)
  busy      a request is being read or answered: the body's own timeout lives in the handler
            (`body_timeout`, answered 408); here only a backstop, `body_timeout` + 10 s

At the cap (`max_connections`) a new connection first takes the place of the longest-waiting
connection that is idle or still sending headers (a legitimate exporter's headers take
microseconds, so a flood of slow clients cannot starve it); when every connection is busy, the
new one is answered 503 with Retry-After and closed. One task checks the timeouts about four
times per shortest timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

IDLE, HEADERS, BUSY = "idle", "headers", "busy"
BACKSTOP_S = 10.0
REFUSED = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
           b"Content-Type: text/plain\r\nContent-Length: 30\r\n\r\ntoo many connections; retry.\r\n")


class Guarded(asyncio.Protocol):
    """One connection: forwards everything to aiohttp's protocol, keeps its state and deadline."""

    def __init__(self, guard: ConnectionGuard, inner: Any) -> None:
        self.guard = guard
        self.inner = inner
        self.transport: asyncio.Transport | None = None
        self.state = IDLE
        self.since = 0.0  # when the current state began (loop time)
        self.refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.since = self.guard.now()
        if not self.guard.admit(self):
            self.refused = True
            with contextlib.suppress(Exception):
                transport.write(REFUSED)  # type: ignore[attr-defined]
            transport.close()
            return
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if self.state == IDLE:
            self.state, self.since = HEADERS, self.guard.now()
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return None if self.refused else self.inner.eof_received()

    def connection_lost(self, exc: BaseException | None) -> None:
        self.guard.lost(self)
        if not self.refused:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if not self.refused:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if not self.refused:
            self.inner.resume_writing()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


class ConnectionGuard:
    """The open connections of one HTTP receiver, their timeouts and their cap.

    `on_close(reason, detail)` is told of every connection closed for misbehaving (counted as a
    rejection where the user sees counts); keep-alive idle closes are routine and not told.
    """

    def __init__(self, *, header_timeout: float, idle_timeout: float, body_timeout: float,
                 max_connections: int, on_close: Callable[[str, str], None]) -> None:
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self.body_timeout = body_timeout
        self.max_connections = max_connections
        self.on_close = on_close
        self.open: dict[Any, Guarded] = {}  # transport -> connection, in order of arrival
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def now(self) -> float:
        return self._loop.time() if self._loop is not None else asyncio.get_running_loop().time()

    def factory(self, inner_factory: Callable[[], Any]) -> Callable[[], Guarded]:
        return lambda: Guarded(self, inner_factory())

    def admit(self, conn: Guarded) -> bool:
        if len(self.open) >= self.max_connections:
            waiting = [c for c in self.open.values() if c.state != BUSY]
            if not waiting:
                self.on_close("503 connection cap", f"{len(self.open)} connections open, all busy")
                return False
            oldest = min(waiting, key=lambda c: c.since)
            self.open.pop(oldest.transport, None)
            if oldest.state == HEADERS:
                self.on_close("408 slow headers", f"closed at the cap of {self.max_connections} connections")
            oldest.close()
        self.open[conn.transport] = conn
        return True

    def lost(self, conn: Guarded) -> None:
        self.open.pop(conn.transport, None)

    def busy(self, transport: Any) -> None:
        """The request handler has the headers: the connection is working, not waiting."""
        conn = self.open.get(transport)
        if conn is not None:
            conn.state, conn.since = BUSY, self.now()

    def done(self, transport: Any) -> None:
        """The request was answered: the connection waits for the next one (keep-alive)."""
        conn = self.open.get(transport)
        if conn is not None:
            conn.state, conn.since = IDLE, self.now()

    def check(self) -> None:
        now = self.now()
        for conn in list(self.open.values()):
            age = now - conn.since
            if conn.state == IDLE and age > self.idle_timeout:
                conn.close()
            elif conn.state == HEADERS and age > self.header_timeout:
                self.on_close("408 slow headers", f"headers not complete within {self.header_timeout:g} s")
                conn.close()
            elif conn.state == BUSY and age > self.body_timeout + BACKSTOP_S:
                conn.close()

    async def _watch(self) -> None:
        period = max(0.05, min(1.0, self.header_timeout / 4, self.idle_timeout / 4))
        while True:
            await asyncio.sleep(period)
            self.check()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._watch())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None


class QuietLogs(logging.Handler):
    """While the receiver runs, what aiohttp would log (with a traceback) about a request it could
    not parse becomes a counted rejection instead: on a terminal the TUI draws, a traceback on
    stderr garbles the screen, and a flood of bad requests wrote megabytes of them. asyncio's
    `socket.accept() out of system resource` (no file descriptor left) is counted likewise."""

    LOGGERS = ("aiohttp.server", "aiohttp.web", "aiohttp.access")

    def __init__(self, on_close: Callable[[str, str], None]) -> None:
        super().__init__(logging.DEBUG)
        self.on_close = on_close
        self._saved: list[tuple[logging.Logger, bool]] = []
        self._filter = _AcceptErrors(on_close)

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.ERROR:
            return
        exc = record.exc_info[1] if record.exc_info else None
        detail = f"{type(exc).__name__}: {exc}" if exc is not None else record.getMessage()
        status = getattr(exc, "code", None) or getattr(exc, "status", None)
        reason = "400 bad HTTP" if isinstance(status, int) and 400 <= status < 500 else "500 internal error"
        self.on_close(reason, detail[:300])

    def install(self) -> None:
        for name in self.LOGGERS:
            logger = logging.getLogger(name)
            self._saved.append((logger, logger.propagate))
            logger.addHandler(self)
            logger.propagate = False
        logging.getLogger("asyncio").addFilter(self._filter)

    def remove(self) -> None:
        for logger, propagate in self._saved:
            logger.removeHandler(self)
            logger.propagate = propagate
        self._saved.clear()
        logging.getLogger("asyncio").removeFilter(self._filter)


class _AcceptErrors(logging.Filter):
    def __init__(self, on_close: Callable[[str, str], None]) -> None:
        super().__init__()
        self.on_close = on_close

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("socket.accept() out of system resource"):
            self.on_close("503 no file descriptors", "socket.accept() out of system resource")
            return False
        return True
