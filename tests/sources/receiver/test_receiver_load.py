"""Load: several sender processes for a bounded time, loopback only. Nothing acknowledged may be
missing, and keys must still be handled while spans pour in. Marked `load` (runs by default and
in CI, ~20 s in all; `-m "not load"` skips them)."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench.receiver_bench import bench  # tests/bench: run by hand too
from sources.receiver.test_receiver_limits import MiB, good_request, head

pytestmark = pytest.mark.load
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("mode", ["store", "record"])
def test_every_acknowledged_span_arrives_under_load(mode, capsys):
    r = bench(4.0, senders=3, mode=mode)
    with capsys.disabled():
        print(f"\nlive ingest ({mode}): {r['spans_per_s']:,} spans/s accepted; "
              f"loop lag p99 {r['loop_lag_p99_ms']} ms, max {r['loop_lag_max_ms']} ms; {r}")
    assert r["spans_acked"] > 0 and r["failed_requests"] == 0
    assert r["spans_arrived"] == r["spans_acked"]
    # A floor far below the goal (20,000/s), to catch a collapse without failing on a busy machine.
    assert r["spans_per_s"] > 3_000
    assert r["loop_lag_median_ms"] < 50


def test_keys_are_answered_while_the_tui_receives(capsys):
    """The real app, headless, receiving from 3 senders while j/k are pressed every 100 ms."""
    r = bench(4.0, senders=3, mode="tui")
    with capsys.disabled():
        print(f"\nlive ingest (tui): {r['spans_per_s']:,} spans/s accepted; keys: median {r['key_median_ms']} ms, "
              f"p99 {r['key_p99_ms']} ms, max {r['key_max_ms']} ms; {r}")
    assert r["spans_arrived"] == r["spans_acked"] > 0 and r["failed_requests"] == 0
    assert r["keys"] >= 10 and r["key_missed"] == 0
    # The goal is 50 ms at 20,000 spans/s (issue 7); here the senders go flat out on a shared
    # machine, so only the typical key is held to it.
    assert r["key_median_ms"] < 50


# -- hostile clients against `tracetui record` (a real process; resident memory read from /proc) --

def _status_mib(pid: int, key: str) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    raise KeyError(key)


class _Record:
    """`tracetui record` on a free loopback port, optionally with a low open-file limit."""

    def __init__(self, out: Path, nofile: int | None = None) -> None:
        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tracetui", "record", "--listen", "127.0.0.1:0", "-o", str(out)],
            stderr=subprocess.PIPE, cwd=ROOT, preexec_fn=limit if nofile else None)
        self.port = 0
        deadline = time.monotonic() + 30
        while not self.port and time.monotonic() < deadline:
            m = re.search(rb"http://127\.0\.0\.1:(\d+)/v1/traces", self.proc.stderr.readline())
            self.port = int(m.group(1)) if m else 0
        assert self.port

    def stop(self) -> tuple[int, bytes]:
        self.proc.send_signal(signal.SIGINT)
        err = self.proc.stderr.read()
        return self.proc.wait(30), err


def _export(port: int) -> int:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("POST", "/v1/traces", good_request(), {"Content-Type": "application/x-protobuf"})
        status = c.getresponse().status
        c.close()
        return status
    except OSError:
        return 0


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads resident memory from /proc")
def test_slow_bodies_stay_within_the_memory_budget_and_memory_comes_back(tmp_path, capsys):
    """Issue 11: 20 connections sending ~61 KB of gzip that inflates to 60 MiB, then stalling,
    held 1.26 GB; 40 more reached 3.66 GB, not given back when the clients left."""
    bomb = gzip.compress(bytes(60 * MiB), 9)
    rec = _Record(tmp_path / "capture.jsonl")
    socks = []
    try:
        time.sleep(0.3)
        base = _status_mib(rec.proc.pid, "VmRSS")
        peaks = []
        for n in (20, 40):
            for _ in range(n):
                s = socket.create_connection(("127.0.0.1", rec.port), timeout=10)
                s.sendall(head(len(bomb) + 1000, encoding="gzip") + bomb)  # 1,000 bytes short: stalls
                socks.append(s)
            time.sleep(2.0)
            peaks.append(_status_mib(rec.proc.pid, "VmHWM"))
        assert _export(rec.port) == 200  # a real (small) export still fits beside the 4 stalled bodies
        for s in socks:
            s.close()
        socks.clear()
        deadline = time.monotonic() + 10
        while _status_mib(rec.proc.pid, "VmRSS") > base + 64 and time.monotonic() < deadline:
            time.sleep(0.2)
        after = _status_mib(rec.proc.pid, "VmRSS")
        assert _export(rec.port) == 200
    finally:
        for s in socks:
            s.close()
        status, err = rec.stop()
    with capsys.disabled():
        print(f"\nslow bodies: resident {base:.0f} MiB at start, peak {peaks[0]:.0f} MiB after 20 clients, "
              f"{peaks[1]:.0f} MiB after 60, {after:.0f} MiB once they left")
    assert status == 0 and b"Traceback" not in err
    budget = 4 * 64  # MiB: the default budget of bodies in flight (4 x --max-request-size)
    assert peaks[1] < base + budget + 128, peaks
    assert after < base + 64
    assert b"503 memory budget" in err


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_NOFILE"), reason="needs setrlimit")
def test_slow_loris_with_few_file_descriptors_leaves_room_for_real_exports(tmp_path, capsys):
    """Issue 11: 200 slow-loris connections stayed open 60 s; with a 128-file limit, legitimate
    exports timed out and 43.6 MB of tracebacks went to stderr."""
    rec = _Record(tmp_path / "capture.jsonl", nofile=128)
    loris: list[socket.socket] = []
    statuses = []
    try:
        for _ in range(200):
            try:
                s = socket.create_connection(("127.0.0.1", rec.port), timeout=5)
                s.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\n")
                loris.append(s)
            except OSError:
                break
        t0 = time.monotonic()
        while time.monotonic() - t0 < 4:
            for s in loris:
                with contextlib.suppress(OSError):
                    s.sendall(b"X")  # one more header byte now and then
            statuses.append(_export(rec.port))
            time.sleep(0.25)
        # Within the header timeout (10 s) every slow loris is let go.
        deadline = time.monotonic() + 14
        open_ = loris
        while open_ and time.monotonic() < deadline:
            time.sleep(0.5)
            still = []
            for s in open_:
                try:
                    s.sendall(b"X")
                    still.append(s)
                except OSError:
                    pass
            open_ = still
    finally:
        for s in loris:
            s.close()
        status, err = rec.stop()
    with capsys.disabled():
        print(f"\nslow loris: {statuses.count(200)}/{len(statuses)} real exports answered 200; "
              f"{len(open_)} of {len(loris)} slow connections left open; stderr {len(err):,} bytes")
    assert status == 0
    assert statuses and all(s == 200 for s in statuses), statuses
    assert not open_
    assert b"Traceback" not in err and len(err) < 20_000
