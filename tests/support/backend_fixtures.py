"""pytest fixtures for backend tests: real loopback servers (tests/support/backend_server.py)."""

from __future__ import annotations

import pytest
from backend_server import DripServer, FakeBackend

from tracetui.model import TraceStore
from tracetui.render.summary import summary_json


@pytest.fixture
def serve():
    """`serve(kind, **options)` starts a fake backend; all are stopped after the test."""
    started: list[FakeBackend] = []

    def start(kind: str, **kw) -> FakeBackend:
        s = FakeBackend(kind, **kw).start()
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture
def drip():
    """`drip(**options)` starts a server that answers a byte at a time (DripServer)."""
    started: list[DripServer] = []

    def start(**kw) -> DripServer:
        s = DripServer(**kw)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def expected_summary(held) -> dict:
    """The `summary --json` document for these held traces, computed from the spans directly."""
    store = TraceStore()
    for h in held:
        store.add(h.spans)
    return summary_json(store)


def with_service(server: FakeBackend, service: str) -> list:
    return [h for h in server.traces.values() if any(v[0] == service for v in h.views)]


async def until(pilot, cond, timeout: float = 15.0) -> None:
    """Let the app run until `cond()` holds (workers and timers need real time)."""
    for _ in range(int(timeout / 0.05)):
        if cond():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out waiting")
