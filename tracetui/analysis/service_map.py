"""The service map: which service calls which, how often, how fast, how often failing.

An **edge** caller → callee is a parent → child pair of spans in one trace whose services
differ: the parent's service calls the child's. That covers a CLIENT span in A whose child SERVER
span is in B, a PRODUCER in A whose CONSUMER child is in B, and a change of service between
spans without kinds (or with other kinds: whatever crosses a service boundary in the tree is a
call). A span whose parent is missing (an orphan) makes no edge: its caller is unknown; a CLIENT
span without a child (a call to something untraced) makes none either: its callee is unknown.

Per edge:

- `calls`: the number of such pairs; `errors`: the calls where the call failed: the callee's
  span is ERROR, or the caller's span is a CLIENT span with status ERROR;
- latency of one call: what the caller waited: the caller's span when it is a CLIENT span
  (network included), else the callee's span (a consumer's processing, a span without kinds);
  `p50_ns`, `p99_ns` are nearest-rank percentiles of those;
- `critical_ns`: the time the call spends on its trace's critical path (the latency span and
  everything under it), summed over calls; `critical_share` divides it by the critical-path time
  of all traces mapped. Nested calls count in each edge they are under (A→B contains B→C).
- `trace_ids`: the traces with at least one such call (what selecting an edge filters to).

Focal mode (`focus=SERVICE`, Jaeger's deep dependency graph): only the calls on paths through
that service: calls made by it or by anything it called (downstream), and calls above it, whose
callee's subtree reaches it (upstream). Everything is one pass per trace over its tree, in loops
(no recursion: 100k-deep traces).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from tracetui.analysis.critical_path import time_on_path
from tracetui.model.span import KIND_CLIENT, STATUS_ERROR
from tracetui.model.trace import NO_PARENT, Trace


@dataclass
class Edge:
    caller: str
    callee: str
    calls: int = 0
    errors: int = 0
    latencies: list[int] = field(default_factory=list, repr=False)
    critical_ns: int = 0
    trace_ids: set[str] = field(default_factory=set, repr=False)
    p50_ns: int = 0
    p99_ns: int = 0
    critical_share: float = 0.0

    @property
    def error_rate(self) -> float:
        return self.errors / self.calls if self.calls else 0.0

    @property
    def key(self) -> tuple[str, str]:
        return (self.caller, self.callee)

    def to_json(self) -> dict:
        """The `map --json` contract: exactly these keys."""
        return {"caller": self.caller, "callee": self.callee, "calls": self.calls, "errors": self.errors,
                "p50_ns": self.p50_ns, "p99_ns": self.p99_ns}


@dataclass
class ServiceMap:
    edges: list[Edge]
    services: list[str]
    traces: int
    critical_ns: int
    focus: str | None = None

    def to_json(self) -> dict:
        return {"edges": [e.to_json() for e in self.edges]}

    def edge(self, caller: str, callee: str) -> Edge | None:
        for e in self.edges:
            if e.caller == caller and e.callee == callee:
                return e
        return None


def percentile(sorted_values: list[int], q: float) -> int:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    if not sorted_values:
        return 0
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def service_map(traces: Iterable[Trace], focus: str | None = None) -> ServiceMap:
    """The edges of all `traces`, sorted by caller then callee; with `focus`, only the paths through it."""
    edges: dict[tuple[str, str], Edge] = {}
    services: set[str] = set()
    total_critical = 0
    n_traces = 0
    for trace in traces:
        n_traces += 1
        total_critical += _add_trace(trace, edges, services, focus)
    out = sorted(edges.values(), key=lambda e: (e.caller, e.callee))
    for e in out:
        lat = sorted(e.latencies)
        e.p50_ns, e.p99_ns = percentile(lat, 0.5), percentile(lat, 0.99)
        e.critical_share = e.critical_ns / total_critical if total_critical else 0.0
    if focus is not None:
        services = {s for e in out for s in e.key} | ({focus} & services)
    return ServiceMap(out, sorted(services), n_traces, total_critical, focus)


def _add_trace(trace: Trace, edges: dict[tuple[str, str], Edge], services: set[str], focus: str | None) -> int:
    """Add one trace's calls to `edges`; return its critical-path time."""
    spans = trace.spans
    if not spans:
        return 0
    trace.ensure_built()
    parent, order = trace.parent, trace.order
    n = len(spans)
    svc = [s.resource.service for s in spans]
    services.update(svc)
    pairs = [i for i in range(n) if parent[i] != NO_PARENT and svc[parent[i]] != svc[i]]
    on_path = time_on_path(trace)
    total = sum(on_path.values())
    if not pairs:
        return total
    # Time on the critical path of each span's subtree, children before parents (reverse pre-order).
    incl = [0] * n
    for i, t in on_path.items():
        incl[i] = t
    for i in reversed(order):
        p = parent[i]
        if p != NO_PARENT:
            incl[p] += incl[i]
    keep = _through(spans, svc, parent, order, focus) if focus is not None else None
    tid = trace.trace_id
    for c in pairs:
        if keep is not None and not keep[c]:
            continue
        p = parent[c]
        key = (svc[p], svc[c])
        e = edges.get(key)
        if e is None:
            e = edges[key] = Edge(*key)
        caller, callee = spans[p], spans[c]
        client = caller.kind == KIND_CLIENT
        e.calls += 1
        if callee.status == STATUS_ERROR or (client and caller.status == STATUS_ERROR):
            e.errors += 1
        timed = p if client else c
        span = spans[timed]
        e.latencies.append(span.end_ns - span.start_ns)
        e.critical_ns += incl[timed]
        e.trace_ids.add(tid)
    return total


def _through(spans, svc: list[str], parent: list[int], order: list[int], focus: str) -> bytearray:
    """For each span as a callee: whether its call lies on a path through `focus` (the service is
    at or above it, or in its subtree)."""
    n = len(spans)
    above = bytearray(n)
    for i in order:  # parents before children
        p = parent[i]
        above[i] = svc[i] == focus or (p != NO_PARENT and above[p])
    below = bytearray(n)
    for i in reversed(order):  # children before parents
        if svc[i] == focus:
            below[i] = 1
        if below[i]:
            p = parent[i]
            if p != NO_PARENT:
                below[p] = 1
    return bytearray(a | b for a, b in zip(above, below, strict=True))
