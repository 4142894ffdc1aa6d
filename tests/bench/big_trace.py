"""A deterministic, realistically shaped big trace built in memory (no file), for the UI benches."""

from __future__ import annotations

import random

from tracetui.model import Resource, Span, Trace
from tracetui.model.span import Event

_OPS = ["GET /api/cart", "SELECT orders", "redis GET", "POST /checkout", "grpc Payment/Charge",
        "kafka send", "render template", "auth check", "HTTP GET", "cache lookup"]


def make_trace(n: int = 100_000, seed: int = 7, services: int = 24, deep_chain: int = 0) -> Trace:
    """`n` spans in one trace: a wide, moderately deep tree (fan-out 1..8), errors on ~1%,
    events on ~5%; with `deep_chain` > 0 the first that many spans form one parent chain."""
    rnd = random.Random(seed)
    res = [Resource(f"service-{k:02d}", {"service.name": f"service-{k:02d}"}) for k in range(services)]
    spans: list[Span] = []
    tid = "0af7651916cd43dd8448eb211c80319c"
    total = 10_000_000_000
    spans.append(Span(tid, "s0", "", "root request", 2, 0, total, resource=res[0]))
    frontier = [(0, 0, total)]
    i = 1
    while i < n:
        if deep_chain and i < deep_chain:
            p, ps, pe = i - 1, spans[i - 1].start_ns, spans[i - 1].end_ns
            s, e = ps + 1, pe - 1 if pe - 1 > ps + 1 else ps + 2
        else:
            p, ps, pe = frontier[rnd.randrange(len(frontier))] if frontier else (0, 0, total)
            width = max(2, pe - ps)
            s = ps + rnd.randrange(width // 2 + 1)
            e = min(pe, s + 1 + rnd.randrange(max(1, (pe - s)))) if rnd.random() < 0.97 else pe + rnd.randrange(1000)
        status = 2 if rnd.random() < 0.01 else 0
        events = None
        if rnd.random() < 0.05:
            events = [Event(time_ns=s + (e - s) // 2, name="exception" if status == 2 else "cache.miss")]
        spans.append(Span(tid, f"s{i}", spans[p].span_id, rnd.choice(_OPS), rnd.randrange(1, 5), s, e,
                          status=status, resource=res[rnd.randrange(services)], raw_events=events,
                          raw_attributes={"http.status_code": 500 if status else 200, "k": i}))
        frontier.append((i, s, e))
        if len(frontier) > 2000:
            frontier.pop(rnd.randrange(len(frontier)))
        i += 1
    return Trace(tid, spans)
