"""Where errors start: an error span is an *origin* when no span below it failed.

Errors propagate upwards (a failed call fails its callers), so the spans that report an error
without any failed descendant are where to look first for "what failed and why".
"""

from __future__ import annotations

from tracetui.model.span import STATUS_ERROR
from tracetui.model.trace import NO_PARENT, Trace


def error_origins(trace: Trace) -> list[int]:
    """Positions of error spans with no error in their subtree, by start time (loop, no recursion)."""
    trace.ensure_built()
    spans, parent = trace.spans, trace.parent
    below = bytearray(len(spans))  # 1 when some descendant failed
    for i in reversed(trace.order):  # children come after their parent in pre-order
        p = parent[i]
        if p != NO_PARENT and (below[i] or spans[i].status == STATUS_ERROR):
            below[p] = 1
    out = [i for i in trace.order if spans[i].status == STATUS_ERROR and not below[i]]
    out.sort(key=lambda i: spans[i].start_ns)
    return out
