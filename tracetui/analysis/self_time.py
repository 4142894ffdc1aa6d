"""Self time: a span's duration minus the union of its children's intervals clipped to it.

Overlapping children count once; time a child runs past its parent is not the parent's. All
children count, asynchronous ones included (as Jaeger UI's Trace Statistics since 2025-12).
"""

from __future__ import annotations

from itertools import compress
from operator import attrgetter, sub

from tracetui.model.trace import Trace

_START, _END = attrgetter("start_ns"), attrgetter("end_ns")


def self_times(trace: Trace) -> list[int]:
    """Self time in nanoseconds of every span, by position."""
    trace.ensure_built()
    spans, children = trace.spans, trace.children
    starts = list(map(_START, spans))
    ends = list(map(_END, spans))
    out = list(map(sub, ends, starts))  # leaves: their whole duration
    for i in compress(range(len(spans)), children):  # spans with children
        s0, s1 = starts[i], ends[i]
        covered = 0
        cur_a = cur_b = s0  # an empty interval at the start: the first child extends or follows it
        # Children are sorted by start, so one sweep merges their clipped intervals.
        for c in children[i]:
            a, b = starts[c], ends[c]
            if a < s0:
                a = s0
            if b > s1:
                b = s1
            if b <= a:
                continue
            if a > cur_b:
                covered += cur_b - cur_a
                cur_a, cur_b = a, b
            elif b > cur_b:
                cur_b = b
        out[i] -= covered + cur_b - cur_a
    return out
