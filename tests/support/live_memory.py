"""Memory a live session keeps per span: SDK-made OTLP requests (protobuf, and the same spans as
OTLP JSON) decoded by the receiver's own decoder and added to a `TraceStore` as live mode does,
measured with tracemalloc once the requests are gone (what retention keeps, nothing in flight).

Used by tests/sources/receiver/test_live_memory.py and tests/bench/run.py (the "live" section).
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

SPANS_PER_REQUEST = 512  # the SDK's BatchSpanProcessor default max_export_batch_size
SPANS_PER_TRACE = 10
_METHODS = ("GET", "GET", "GET", "POST", "PUT")
_ROUTES = ("/api/items/{id}", "/api/cart", "/api/checkout", "/api/users/{id}", "/health")


def sdk_requests(spans: int, per_request: int = SPANS_PER_REQUEST) -> list[bytes]:
    """OTLP protobuf requests made by the OpenTelemetry SDK (its own encoder), `per_request` spans
    each in the order they end, as its BatchSpanProcessor sends them, one exporter per service:
    traces of ten spans over three services, every span with ten attributes (HTTP semantic conventions: most values from a
    few, a path and a request id of their own), an event on every fourth span, an error in 50."""
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind, Status, StatusCode

    exporters = []
    tracers = []
    for i, svc in enumerate(("frontend", "checkout", "inventory")):
        provider = TracerProvider(resource=Resource.create({"service.name": svc, "service.version": "1.4.2",
                                                            "host.name": f"node-{i}"}))
        exporters.append(InMemorySpanExporter())
        provider.add_span_processor(SimpleSpanProcessor(exporters[-1]))
        tracers.append((provider, provider.get_tracer("opentelemetry.instrumentation.flask", "0.48b0")))
    n = 0
    t0 = 1_700_000_000_000_000_000
    while n < spans:
        _, root_tracer = tracers[0]
        start = t0 + n * 1_000_000
        with root_tracer.start_as_current_span("GET /api/items/{id}", kind=SpanKind.SERVER, start_time=start,
                                               end_on_exit=False) as root:
            children = []
            for c in range(min(SPANS_PER_TRACE, spans - n) - 1):
                _, tracer = tracers[1 + c % 2]
                s = tracer.start_span(f"{_METHODS[c % 5]} {_ROUTES[c % 5]}", kind=SpanKind.CLIENT,
                                      start_time=start + (c + 1) * 10_000)
                children.append(s)
            for k, s in enumerate([root, *children]):
                m = n + k
                s.set_attributes({
                    "http.request.method": _METHODS[m % 5],
                    "http.route": _ROUTES[m % 5],
                    "url.path": f"/api/items/{m * 7919 % 100_003}",
                    "http.response.status_code": 500 if m % 50 == 0 else 200,
                    "server.address": f"inventory-{m % 4}.shop.svc",
                    "server.port": 8080,
                    "network.protocol.version": "1.1",
                    "client.address": f"10.0.{m % 7}.{m % 251}",
                    "user_agent.original": "python-requests/2.32.3",
                    "app.request.id": f"{m * 2654435761 % 2**64:016x}",
                })
                if m % 4 == 0:
                    s.add_event("cache.miss", {"cache.key": f"item:{m % 1000}"}, timestamp=start + 5_000)
                if m % 50 == 0:
                    s.set_status(Status(StatusCode.ERROR, "upstream timeout"))
            for k, s in enumerate(reversed(children)):
                s.end(end_time=start + 900_000 - k * 10_000)
            root.end(end_time=start + 1_000_000)
        n += len(children) + 1
    for provider, _ in tracers:
        provider.shutdown()
    # Each service exports its own spans (one process, one exporter each): a trace comes in
    # several requests, as it does from real services. Requests in the order they would be sent.
    requests = []
    for exporter in exporters:
        finished = list(exporter.get_finished_spans())
        requests += [(finished[min(i + per_request, len(finished)) - 1].end_time,
                      encode_spans(finished[i:i + per_request]).SerializeToString())
                     for i in range(0, len(finished), per_request)]
    return [body for _, body in sorted(requests, key=lambda r: r[0])]


def as_json(requests: list[bytes]) -> list[bytes]:
    """The same requests as OTLP JSON (hex ids, as `record` and the Collector write it)."""
    from tracetui.loaders.otlp_proto import parse_request
    from tracetui.render.otlp_json_out import dumps

    return [dumps(parse_request(body)) for body in requests]


def retained(requests: list[bytes], encoding: str, snapshot: bool = False,
             max_spans: int = 1_000_000) -> dict[str, Any]:
    """Feed the requests through the receiver's ingest (`Ingest.accept`: decoded in its worker
    thread, handed to live mode's `StoreFeed`) into a TraceStore with retention `max_spans`, the
    trace list's index kept current as the app keeps it; return the bytes tracemalloc sees held
    once every request is gone (`bytes`, `per_span`), and with `snapshot` the top allocation
    sites (`top`: (file:line, bytes, objects))."""
    import asyncio

    from tracetui.model import TraceStore
    from tracetui.sources.receiver.feed import StoreFeed
    from tracetui.sources.receiver.ingest import Ingest
    from tracetui.viewmodels.trace_list import TraceIndex

    store = TraceStore(max_spans=max_spans)
    index = TraceIndex()

    async def feed() -> None:
        sink = StoreFeed(store, lambda ids, problems: index.update(store, ids))
        ingest = Ingest(sink)
        try:
            for body in requests:
                # A fresh copy, as each request's body is (bytes(b) would be b itself).
                await ingest.accept(bytes(memoryview(body)), encoding)
            sink.flush()
        finally:
            ingest.close()

    gc.collect()
    tracemalloc.start(1)
    try:
        before = tracemalloc.get_traced_memory()[0]
        base = tracemalloc.take_snapshot() if snapshot else None
        asyncio.run(feed())
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        top = []
        if base is not None:
            diff = tracemalloc.take_snapshot().compare_to(base, "lineno")
            top = [(str(d.traceback), d.size_diff, d.count_diff) for d in diff[:25]]
    finally:
        tracemalloc.stop()
    spans = store.span_count
    return {"spans": spans, "bytes": held, "per_span": held / spans, "top": top, "store": store, "index": index}
