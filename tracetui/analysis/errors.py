"""Where errors start: an error span is an *origin* when no span below it failed.

Errors propagate upwards (a failed call fails its callers), so the spans that report an error
without any failed descendant are where to look first for "what failed and why".
"""

from __future__ import annotations

from tracetui.model.span import STATUS_ERROR
from tracetui.model.trace import NO_PARENT, Trace


def error_origins(trace: Trace) -> list[int]:
    """Positions of error spans with no error in their subtree, by start time (loops, no recursion).

    Walks up from each error span only, stopping at an ancestor already marked: cheap when
    errors are few, whatever the size of the trace.
    """
    trace.ensure_built()
    spans, parent = trace.spans, trace.parent
    errors = [i for i, s in enumerate(spans) if s.status == STATUS_ERROR]
    below: set[int] = set()  # spans with a failed descendant
    for i in errors:
        p = parent[i]
        while p != NO_PARENT and p not in below:
            below.add(p)
            p = parent[p]
    out = [i for i in errors if i not in below]
    out.sort(key=lambda i: (spans[i].start_ns, i))
    return out
