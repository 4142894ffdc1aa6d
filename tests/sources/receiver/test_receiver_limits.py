"""Connections and bodies that do not behave (issue 11): slow headers, slow bodies, idle
keep-alive connections, more connections than the cap, more body bytes in flight than the memory
budget. Bounded in count and time; loopback only. Short limits here; the defaults are in README."""

from __future__ import annotations

import gzip
import socket
import time
import tracemalloc

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from receiver_helpers import LiveReceiver

from tracetui.sources.receiver.config import Limits

PB = {"Content-Type": "application/x-protobuf"}
MiB = 1 << 20


def good_request() -> bytes:
    req = ExportTraceServiceRequest()
    sp = req.resource_spans.add().scope_spans.add().spans.add()
    sp.trace_id, sp.span_id, sp.name = bytes(range(1, 17)), bytes(range(1, 9)), "legit"
    return req.SerializeToString()


def connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def head(length: int, *, encoding: str = "") -> bytes:
    enc = f"Content-Encoding: {encoding}\r\n" if encoding else ""
    return (f"POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n{enc}"
            f"Content-Length: {length}\r\n\r\n").encode()


def closed_within(s: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether the server closed `s` within `seconds` (and what it sent before)."""
    s.settimeout(0.1)
    got = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            data = s.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return True, got
        if not data:
            return True, got
        got += data
    return False, got


def wait_until(cond, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def test_slow_headers_are_cut_off_and_counted():
    with LiveReceiver(limits=Limits(header_timeout=0.5, idle_timeout=5)) as r:
        s = connect(r.http.port)
        t = time.monotonic()
        s.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\n")
        for _ in range(5):  # a slow loris: a header byte now and then, never the end
            time.sleep(0.1)
            s.sendall(b"X")
        closed, _ = closed_within(s, 3.0)
        s.close()
        assert closed and time.monotonic() - t < 2.5
        assert wait_until(lambda: r.stats.reasons["408 slow headers"] == 1)
        assert r.post(good_request(), PB)[0] == 200


def test_idle_keep_alive_connections_are_closed():
    with LiveReceiver(limits=Limits(idle_timeout=0.5)) as r:
        s = connect(r.http.port)
        body = good_request()
        s.sendall(head(len(body)) + body)
        closed, answer = closed_within(s, 3.0)
        s.close()
        assert answer.startswith(b"HTTP/1.1 200") and closed
        s = connect(r.http.port)  # connected, never sends a byte
        closed, _ = closed_within(s, 3.0)
        s.close()
        assert closed
        assert r.stats.rejected_requests == 0  # closing idle connections is routine, not a rejection


def test_a_slow_body_gets_408_and_gives_its_memory_back():
    with LiveReceiver(limits=Limits(body_timeout=0.5)) as r:
        s = connect(r.http.port)
        s.sendall(head(1_000_000) + b"\x0a" * 100_000)  # a tenth of the body, then nothing
        assert wait_until(lambda: r.ingest.in_flight.used >= 100_000, 3)
        closed, answer = closed_within(s, 3.0)
        s.close()
        assert answer.startswith(b"HTTP/1.1 408") and closed
        assert r.stats.reasons["408 slow body"] == 1
        assert wait_until(lambda: r.ingest.in_flight.used == 0)


def test_a_client_that_leaves_mid_body_gives_its_memory_back():
    """The body read so far (here 30 MiB inflated from 30 KB of gzip) is freed when the client
    leaves, not kept alive by the connection's objects (it was: RSS stayed up after clients left)."""
    bomb = gzip.compress(bytes(30 * MiB), 9)
    with LiveReceiver() as r:
        tracemalloc.start()  # the receiver's thread is in this process: its allocations count
        try:
            s = connect(r.http.port)
            s.sendall(head(len(bomb) + 1000, encoding="gzip") + bomb)  # stalls before the end
            assert wait_until(lambda: r.ingest.in_flight.used == 30 * MiB, 5)
            assert tracemalloc.get_traced_memory()[0] > 30 * MiB
            s.close()
            assert wait_until(lambda: r.ingest.in_flight.used == 0)
            assert wait_until(lambda: tracemalloc.get_traced_memory()[0] < 5 * MiB), \
                f"{tracemalloc.get_traced_memory()[0] / MiB:.0f} MiB still held after the client left"
        finally:
            tracemalloc.stop()
        assert r.post(good_request(), PB)[0] == 200
        assert r.stats.rejected_requests == 0  # a client leaving is not a rejection (it was a counted 500)


def test_bodies_in_flight_stay_within_the_memory_budget():
    """Slow clients each send a little gzip that inflates to 6 MiB, then stall: past the budget
    (20 MiB here) they are refused with 503 + Retry-After at once, the others time out, and all
    the memory comes back."""
    bomb = gzip.compress(bytes(6 * MiB), 9)
    with LiveReceiver(max_body=8 * MiB, max_in_flight=20 * MiB, limits=Limits(body_timeout=2.0)) as r:
        socks = []
        for _ in range(8):
            s = connect(r.http.port)
            s.sendall(head(len(bomb) + 1000, encoding="gzip") + bomb)  # 1,000 bytes short: stalls
            socks.append(s)
        assert wait_until(lambda: r.stats.reasons["503 memory budget"] == 5, 5)
        assert r.ingest.in_flight.peak <= 20 * MiB and r.ingest.in_flight.used == 18 * MiB
        answers = []
        for s in socks:
            _, got = closed_within(s, 4.0)
            answers.append(got.split(b"\r\n", 1)[0])
            if b"503" in got:
                assert b"Retry-After: 1" in got
            s.close()
        assert sorted(answers) == [b"HTTP/1.1 408 Request Timeout"] * 3 + [b"HTTP/1.1 503 Service Unavailable"] * 5
        assert wait_until(lambda: r.ingest.in_flight.used == 0)
        assert r.post(good_request(), PB)[0] == 200


def test_at_the_connection_cap_waiting_connections_make_room_for_a_real_export():
    with LiveReceiver(limits=Limits(max_connections=5, header_timeout=30, idle_timeout=30)) as r:
        loris = [connect(r.http.port) for _ in range(12)]
        for s in loris:
            s.sendall(b"POST /v1/traces HTTP/1.1\r\n")  # headers begun, never finished
        assert wait_until(lambda: len(r.http.guard.open) <= 5)
        closed = sum(closed_within(s, 0.2)[0] for s in loris)
        assert closed >= 7  # the server let go of the ones past the cap
        for _ in range(3):
            assert r.post(good_request(), PB)[0] == 200
        assert len(r.http.guard.open) <= 5
        for s in loris:
            s.close()


def test_at_the_cap_with_every_connection_busy_a_new_one_is_told_to_retry():
    with LiveReceiver(limits=Limits(max_connections=3, body_timeout=5)) as r:
        busy = [connect(r.http.port) for _ in range(3)]
        for s in busy:
            s.sendall(head(1000) + b"\x0a")  # a request in progress on each
        assert wait_until(lambda: r.ingest.in_flight.used == 3)
        s = connect(r.http.port)
        closed, got = closed_within(s, 3.0)
        s.close()
        assert closed and got.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in got
        assert r.stats.reasons["503 connection cap"] == 1
        for b in busy:
            b.close()
