"""Self time: a span's duration minus the union of its children's intervals clipped to it.

Overlapping children count once; time a child runs past its parent is not the parent's. All
children count, asynchronous ones included (as Jaeger UI's Trace Statistics since 2025-12).
"""

from __future__ import annotations

from tracetui.model.trace import Trace


def self_times(trace: Trace) -> list[int]:
    """Self time in nanoseconds of every span, by position."""
    trace.ensure_built()
    spans, children = trace.spans, trace.children
    out = [0] * len(spans)
    for i, s in enumerate(spans):
        s0, s1 = s.start_ns, s.end_ns
        ch = children[i]
        if not ch:
            out[i] = s1 - s0
            continue
        covered = 0
        cur_a = cur_b = None
        # Children are sorted by start, so one sweep merges their clipped intervals.
        for c in ch:
            cs = spans[c]
            a, b = max(cs.start_ns, s0), min(cs.end_ns, s1)
            if b <= a:
                continue
            if cur_b is None or a > cur_b:
                if cur_b is not None:
                    covered += cur_b - cur_a
                cur_a, cur_b = a, b
            elif b > cur_b:
                cur_b = b
        if cur_b is not None:
            covered += cur_b - cur_a
        out[i] = (s1 - s0) - covered
    return out
