"""Clock skew between services: which spans to shift, and by how much.

Each service is taken to have its own clock (Jaeger keys clocks by host ip; OTLP resources carry
no dependable host key, and a trace is read per service everywhere else). Where a span of one
service is called by a span of another, the callee must sit inside the caller; when it does not,
the callee's clock is off and its subtree (the spans of its service below it) is shifted, as
Jaeger's `ClockSkewAdjuster` does:

- a SERVER child of a span of another service: when it fits inside its parent, nothing; when it
  lasted longer than its parent (an async call, or a caller that timed out), it can only be made
  not to start before its parent; otherwise it is centred in the parent, the difference of the
  two durations split evenly between request and response (network latency);
- a CONSUMER child (or a FOLLOWS_FROM one, or any child of a PRODUCER): it runs after its parent
  started, possibly long after it ended; only a start before the parent's start is skew, and it
  is moved to the parent's start.

A shift carries down to the descendants of the same service; a descendant of another service is
compared with its (already shifted) parent afresh. Spans of another service that are neither
servers nor consumers are not compared (nothing says where they must lie) and start unshifted.
Walks are loops over the tree's pre-order (100k-deep chains).

This module is the mechanics the model needs to keep adjusted times (see `Trace`); the findings
for people (per pair of services, the offset, the spans) are `tracetui.analysis.clock_skew`.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracetui.model.span import KIND_CONSUMER, KIND_PRODUCER, KIND_SERVER, Span

CALLEES = frozenset((KIND_SERVER, KIND_CONSUMER))


class ClockShifts:
    """The shifts of one trace's spans (on its times as read).

      shift    position -> nanoseconds added to its start and end (non-zero entries only)
      origins  positions where a shift was measured (a callee that did not fit its caller), with
               `parent_of[pos]` its caller; every other shifted span inherits its ancestor's
      moved_by origin -> how many spans its shift moves (itself and the spans inheriting it)
    """

    __slots__ = ("shift", "origins", "parent_of", "moved_by")

    def __init__(self, shift: dict[int, int], origins: list[int], parent_of: dict[int, int],
                 moved_by: dict[int, int]) -> None:
        self.shift, self.origins, self.parent_of, self.moved_by = shift, origins, parent_of, moved_by

    def __bool__(self) -> bool:
        return bool(self.shift)

    def __len__(self) -> int:
        return len(self.shift)


NO_SHIFTS = ClockShifts({}, [], {}, {})


def callee_shift(child: Span, p_start: int, p_end: int, parent_kind: int) -> int:
    """How much `child` (a span of another service than its parent) must move to lie where its
    parent (times `p_start`..`p_end`, kind `parent_kind`) says it ran; 0 when it does."""
    kind = child.kind
    if kind not in CALLEES:
        return 0
    c_start, c_end = child.start_ns, child.end_ns
    if kind == KIND_CONSUMER or child.follows_from or parent_kind == KIND_PRODUCER:
        return p_start - c_start if c_start < p_start else 0
    if c_start >= p_start and c_end <= p_end:
        return 0
    c_dur, p_dur = c_end - c_start, p_end - p_start
    if c_dur > p_dur:  # cannot fit: async, or the caller gave up; only keep it from starting early
        return p_start - c_start if c_start < p_start else 0
    return p_start + (p_dur - c_dur) // 2 - c_start


def compute_shifts(spans: Sequence[Span], order: Sequence[int], parent: Sequence[int]) -> ClockShifts:
    """The shifts of a trace's spans from its tree (pre-order `order`, `parent` by position; -1 for none)."""
    n = len(spans)
    delta = [0] * n
    shift: dict[int, int] = {}
    origins: list[int] = []
    parent_of: dict[int, int] = {}
    origin_of: dict[int, int] = {}  # shifted position -> the origin whose shift it carries
    moved_by: dict[int, int] = {}
    for i in order:
        p = parent[i]
        if p < 0:
            continue
        s, ps = spans[i], spans[p]
        if s.resource.service == ps.resource.service:
            d = delta[p]
            if not d:
                continue
            o = origin_of[p]
        else:
            dp = delta[p]
            d = callee_shift(s, ps.start_ns + dp, ps.end_ns + dp, ps.kind)
            if not d:
                continue
            origins.append(i)
            parent_of[i] = p
            o = i
        delta[i] = shift[i] = d
        origin_of[i] = o
        moved_by[o] = moved_by.get(o, 0) + 1
    if not shift:
        return NO_SHIFTS
    return ClockShifts(shift, origins, parent_of, moved_by)
