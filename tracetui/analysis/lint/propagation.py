"""Spans that lost their way: orphans, calls with no server span below them, traces that look
split in two. These need the whole data (a callee "instrumented elsewhere", a caller "in another
trace"), so they run over every trace at once.

- **Orphans**: spans whose parent id is not in the trace (spans a parent cycle cut loose are
  `parent_cycle`, not orphans). Grouped by the service whose spans are missing: when the orphan
  lies within a call of this trace that has no server span below it and names its callee (see
  `calls.py`), the callee's spans are the missing ones; otherwise the orphan's own service (a
  span's parent is almost always of its own service; for a server or consumer orphan, the parent
  is an unknown caller).
- **Calls without a server span**: a CLIENT span with no SERVER or CONSUMER child (nor any child
  of another service) although its callee has spans elsewhere in the data: the callee's spans
  were lost, or it did not pick up the propagated context. A client span whose child is another
  client span of its service (a wrapper over the real call) is left to that child.
- **Split traces**: a trace whose root is a SERVER span and whose caller is such a call in
  another trace: same service, the server span lies within the call (within 1 ms plus a tenth of
  the call's duration either side), and the same URL path where both say one. The context was
  not propagated and the request became two traces. Such a call is reported as the split, not
  also as a call without a server span.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from tracetui.analysis.lint.calls import Callees, url_path
from tracetui.analysis.lint.findings import ERROR, WARNING, Hit, in_traces, kind, plural
from tracetui.model.span import KIND_CLIENT, KIND_CONSUMER, KIND_SERVER
from tracetui.model.trace import Trace

_CALLEE_KINDS = (KIND_SERVER, KIND_CONSUMER)
MS = 1_000_000


@kind("orphan_spans", ERROR, "Orphans (parent not in the trace)", ("missing_service", "how"))
def _orphans(key, count, traces, cost, extra) -> str:
    service, how = key
    spans = in_traces(count, "span", traces)
    if how == "callee":
        return (f"{spans} have a parent that is not in the trace: spans of {service} are missing "
                f"(calls to {service} have no server span around them)")
    if how == "caller":
        return f"{spans} of {service} were called by a span that is not in the trace (the caller's spans are missing)"
    return f"{spans} of {service} have a parent that is not in the trace: spans of {service} are missing"


@kind("missing_server_span", WARNING, "Calls without a server span", ("service", "callee"))
def _missing_server(key, count, traces, cost, extra) -> str:
    service, callee = key
    return (f"{in_traces(count, 'call', traces)} from {service} to {callee} have no server span below them, "
            f"though {callee} is instrumented (its spans are in the data): lost spans or context not propagated")


@kind("split_trace", WARNING, "Split traces", ("service", "callee"))
def _split(key, count, traces, cost, extra) -> str:
    service, callee = key
    return (f"{plural(count, 'trace')} of {callee} start with a server span whose caller ({service}) is in another "
            f"trace: the trace context was not propagated")


def _tolerance(duration: int) -> int:
    return MS + duration // 10


def unserved_calls(trace: Trace, callees: Callees) -> list[tuple[int, str]]:
    """(position, callee) of the client spans with no server span below them whose callee is
    known and instrumented, and is another service."""
    spans, children = trace.spans, trace.children
    out = []
    for i, s in enumerate(spans):
        if s.kind != KIND_CLIENT:
            continue
        svc = s.resource.service
        kids = children[i]
        if any(spans[c].kind in _CALLEE_KINDS or spans[c].resource.service != svc for c in kids):
            continue
        if any(spans[c].kind == KIND_CLIENT for c in kids):
            continue  # a wrapper: its inner call is the one checked
        callee = callees.callee(s)
        if callee is None or callee == svc or not callees.instrumented(callee):
            continue
        out.append((i, callee))
    return out


def cycle_cut(trace: Trace) -> list[int]:
    """Spans the tree made top-level to break a parent cycle: their parent id *is* in the trace
    (`TraceTree.build` turns one span of each cycle into an orphan, so nothing is dropped)."""
    spans, index = trace.spans, trace.tree.index
    return [o for o in trace.orphans if spans[o].parent_id in index]


def _orphan_hits(trace: Trace, unserved: list[tuple[int, str]]) -> list[Hit]:
    spans, index = trace.spans, trace.tree.index
    groups: dict[tuple[str, str], list[str]] = {}
    calls = sorted(unserved, key=lambda c: spans[c[0]].start_ns)
    starts = [spans[c].start_ns for c, _ in calls]
    longest = max((spans[c].end_ns - spans[c].start_ns for c, _ in calls), default=0)
    reach = longest + _tolerance(longest)  # no call starting earlier than this before an orphan holds it
    for o in trace.orphans:
        s = spans[o]
        if s.parent_id in index:
            continue  # a cycle, not an orphan
        best = None
        for k in range(bisect_right(starts, s.start_ns + _tolerance(longest)) - 1, -1, -1):
            c, callee = calls[k]
            cs = spans[c]
            if cs.start_ns < s.start_ns - reach:
                break
            d = cs.end_ns - cs.start_ns
            tol = _tolerance(d)
            if cs.start_ns - tol <= s.start_ns and s.end_ns <= cs.end_ns + tol and (best is None or d < best[0]):
                best = (d, callee)
        if best is not None:
            key = (best[1], "callee")
        else:
            key = (s.resource.service, "caller" if s.kind in _CALLEE_KINDS else "own")
        groups.setdefault(key, []).append(s.span_id)
    return [Hit("orphan_spans", key, trace.trace_id, ids, len(ids)) for key, ids in groups.items()]


def propagation_hits(traces: Iterable[Trace], callees: Callees) -> list[Hit]:
    traces = list(traces)
    hits: list[Hit] = []
    # Calls without a server span, by callee, sorted by start (for matching split roots).
    calls: dict[str, list[tuple[int, int, Trace, int]]] = {}
    for t in traces:
        unserved = unserved_calls(t, callees)
        if t.orphan_count:
            hits.extend(_orphan_hits(t, unserved))
        for pos, callee in unserved:
            s = t.spans[pos]
            calls.setdefault(callee, []).append((s.start_ns, s.end_ns, t, pos))
    starts: dict[str, list[int]] = {}
    longest: dict[str, int] = {}
    for callee, lst in calls.items():
        lst.sort(key=lambda c: c[0])
        starts[callee] = [c[0] for c in lst]
        longest[callee] = max(e - s for s, e, _, _ in lst)
    matched: set[tuple[str, int]] = set()
    for t in traces:
        for r in t.roots:
            root = t.spans[r]
            svc = root.resource.service
            if root.kind != KIND_SERVER or svc not in calls:
                continue
            caller = _caller_of(root, t, calls[svc], starts[svc], longest[svc])
            if caller is None:
                continue
            ct, cpos = caller
            matched.add((ct.trace_id, cpos))
            key = (ct.spans[cpos].resource.service, svc)
            hits.append(Hit("split_trace", key, t.trace_id, [root.span_id], 1))
            hits.append(Hit("split_trace", key, ct.trace_id, [ct.spans[cpos].span_id], 0))
    for callee, lst in calls.items():
        for _, _, t, pos in lst:
            if (t.trace_id, pos) in matched:
                continue
            s = t.spans[pos]
            hits.append(Hit("missing_server_span", (s.resource.service, callee), t.trace_id, [s.span_id], 1))
    return hits


def _caller_of(root, trace: Trace, lst, starts: list[int], longest: int):
    """The tightest call in another trace that contains `root` (see the module's docstring)."""
    hi = bisect_right(starts, root.start_ns + _tolerance(longest))
    path = url_path(root.attributes)
    best = None
    for k in range(hi - 1, -1, -1):
        cs, ce, ct, cpos = lst[k]
        if cs < root.start_ns - longest - _tolerance(longest):
            break
        if ct is trace:
            continue
        d = ce - cs
        tol = _tolerance(d)
        if not (cs - tol <= root.start_ns and root.end_ns <= ce + tol):
            continue
        if path is not None:
            cpath = url_path(ct.spans[cpos].attributes)
            if cpath is not None and cpath != path:
                continue
        if best is None or d < best[0]:
            best = (d, (ct, cpos))
    return best[1] if best is not None else None
