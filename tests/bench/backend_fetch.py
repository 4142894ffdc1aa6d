"""How long fetching one big trace from a backend takes, end to end (HTTP + decode + store).

    python tests/bench/backend_fetch.py [SPANS]

Serves one trace of SPANS spans (default 100k) from the fake Tempo server on loopback and
fetches it as OTLP JSON (base64 ids, enum names: Tempo's v2 answer) and as OTLP protobuf.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))

from backend_server import FakeBackend, Held  # noqa: E402

from tracetui.model import Resource, Span, TraceStore  # noqa: E402
from tracetui.sources.backends import load_trace, open_backend  # noqa: E402
from tracetui.sources.backends.config import from_url  # noqa: E402


def big_trace(n: int) -> list[Span]:
    tid = "deadbeefdeadbeefdeadbeefdeadbeef"
    res = [Resource(f"svc{i}", {"service.name": f"svc{i}"}) for i in range(8)]
    t0 = time.time_ns() - 60 * 10**9
    spans = []
    for i in range(n):
        parent = f"{(i - 1) // 4 + 1:016x}" if i else ""
        spans.append(Span(trace_id=tid, span_id=f"{i + 1:016x}", parent_id=parent, name=f"op {i % 50}",
                          kind=2, start_ns=t0 + i * 1000, end_ns=t0 + i * 1000 + 50_000, resource=res[i % 8],
                          raw_attributes={"http.method": "GET", "i": i}))
    return spans


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    server = FakeBackend("tempo")
    spans = big_trace(n)
    server.traces = {spans[0].trace_id: Held(spans[0].trace_id, spans=spans)}
    server.start()
    try:
        for fmt in ("json", "protobuf", "json", "protobuf"):  # the first two also render (server side)
            cfg = from_url(server.url, timeout=120, options={"format": fmt})
            b = open_backend(cfg)
            seen = []
            t = time.perf_counter()
            store = TraceStore()
            load_trace(b, spans[0].trace_id, store, progress=lambda done, total, seen=seen: seen.append(done))
            dt = time.perf_counter() - t
            print(f"{fmt:9s} {n:,} spans: {dt:.2f} s end to end, {seen[-1] / 1e6:.1f} MB in {len(seen)} chunks, "
                  f"{store.span_count:,} spans in the store")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
