"""Where a span's duration stands among the loaded spans of the same operation (service, span
name): "p97 of 412 (p50 6.10ms)".

The durations of every loaded span are sorted once per operation (`SpanDurations`), then a
span's standing is two bisections. `durations_of(store)` keeps one index per store and builds it
again only when the store changed, and while spans keep arriving (live) at most every
`REBUILD_SECONDS`: showing a span (a keypress) never sorts a million durations.
"""

from __future__ import annotations

import math
import time
import weakref
from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import NamedTuple

from tracetui.model.store import TraceStore
from tracetui.model.trace import Trace

REBUILD_SECONDS = 5.0


class Standing(NamedTuple):
    """`percentile`: the share (0..100, rounded down) of the operation's spans that took at most as
    long as this one; `count`: how many spans the operation has; `p50_ns`: their median (nearest rank)."""

    percentile: int
    count: int
    p50_ns: int


class SpanDurations:
    """Sorted durations per (service, span name) of the traces given."""

    __slots__ = ("by_operation",)

    def __init__(self, traces: Iterable[Trace]) -> None:
        by: dict[tuple[str, str], list[int]] = {}
        for t in traces:
            for s in t.spans:
                key = (s.resource.service, s.name)
                lst = by.get(key)
                if lst is None:
                    by[key] = [s.end_ns - s.start_ns]
                else:
                    lst.append(s.end_ns - s.start_ns)
        for lst in by.values():
            lst.sort()
        self.by_operation = by

    def standing(self, service: str, name: str, duration_ns: int) -> Standing | None:
        """Where `duration_ns` stands among the operation's spans (None: the operation is unknown)."""
        lst = self.by_operation.get((service, name))
        if not lst:
            return None
        n = len(lst)
        at_most = bisect_right(lst, duration_ns)
        return Standing(at_most * 100 // n, n, nearest_rank(lst, 50))


def nearest_rank(sorted_values: list[int], pct: float) -> int:
    """The nearest-rank percentile of sorted values (p50 of 4 values: the 2nd)."""
    k = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[k - 1]


class _Cached:
    __slots__ = ("version", "spans", "built_at", "durations")

    def __init__(self, version: int, spans: int, built_at: float, durations: SpanDurations) -> None:
        self.version, self.spans, self.built_at, self.durations = version, spans, built_at, durations


_CACHE: weakref.WeakKeyDictionary[TraceStore, _Cached] = weakref.WeakKeyDictionary()


def durations_of(store: TraceStore, clock: Callable[[], float] = time.monotonic) -> SpanDurations:
    """The store's `SpanDurations`, built once per store version. While spans keep arriving it is
    built at most every REBUILD_SECONDS (meanwhile the index a few seconds old answers); any
    other change (times adjusted for clock skew, or not) builds it again at once."""
    hit = _CACHE.get(store)
    now = clock()
    if hit is not None and (hit.version == store.version or (
            hit.spans != store.span_count and now - hit.built_at < REBUILD_SECONDS)):
        return hit.durations
    durations = SpanDurations(store)
    _CACHE[store] = _Cached(store.version, store.span_count, now, durations)
    return durations
