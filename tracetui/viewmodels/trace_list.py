"""The trace list as an index: one summary per trace, sorted and filtered, no widgets.

The trace list screen draws rows from `TraceIndex.rows`; the index is updated incrementally as
spans arrive: only the traces that changed are summarized again, and a few changed traces are
moved in the sorted order by bisection instead of sorting everything again, so a live list of
100k traces stays cheap to keep current.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol, overload

from tracetui.analysis.summary import TraceSummary, summarize
from tracetui.model.filter_index import FilterIndex
from tracetui.model.query import Query
from tracetui.model.store import TraceStore
from tracetui.model.trace import Trace

SORT_KEYS = ("start", "duration", "spans", "errors")

_KEY: dict[str, Callable[[TraceSummary], tuple]] = {
    "start": lambda s: (s.start_unix_nano, s.trace_id),
    "duration": lambda s: (s.duration_ns, s.start_unix_nano, s.trace_id),
    "spans": lambda s: (s.span_count, s.start_unix_nano, s.trace_id),
    "errors": lambda s: (s.error_count, s.orphan_count, s.start_unix_nano, s.trace_id),
}

# Above this share of changed traces, sorting everything again is cheaper than moving each one.
_RESORT_SHARE = 0.02


class TraceQuery(Protocol):
    def match_trace(self, trace: Trace) -> bool: ...


class TraceIdFilter:
    """A trace-list filter that keeps the traces of a set: those of one exception group, or of
    the service map's selected edge. `text` says which, where the typed filter would show."""

    __slots__ = ("trace_ids", "text")

    def __init__(self, trace_ids: Iterable[str], text: str) -> None:
        self.trace_ids = frozenset(trace_ids)
        self.text = text

    @property
    def is_empty(self) -> bool:
        return False

    def match_trace(self, trace: Trace) -> bool:
        return trace.trace_id in self.trace_ids


class Rows(Sequence[TraceSummary]):
    """The visible rows in display order: a view over the index's sorted keys (no copy)."""

    __slots__ = ("_index",)

    def __init__(self, index: TraceIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index._view)

    @overload
    def __getitem__(self, i: int) -> TraceSummary: ...
    @overload
    def __getitem__(self, i: slice) -> list[TraceSummary]: ...

    def __getitem__(self, i):
        view, summaries = self._index._view, self._index.summaries
        n = len(view)
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(n))]
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        if self._index.descending:
            i = n - 1 - i
        return summaries[view[i][-1]]

    def __iter__(self) -> Iterator[TraceSummary]:
        summaries = self._index.summaries
        view = reversed(self._index._view) if self._index.descending else self._index._view
        for key in view:
            yield summaries[key[-1]]


class TraceIndex:
    """Summaries of every trace in a store and the sorted, filtered view of them.

    `rows` is the current view (a sequence in display order); `total` the number of traces
    known; `max_duration_ns` the slowest trace of all (the list scales its duration bars to it).
    Every sort key ends with the trace id, so the order is total and `key[-1]` is the id.
    """

    def __init__(self, sort: str = "start", descending: bool = True) -> None:
        self.summaries: dict[str, TraceSummary] = {}
        self.sort = sort
        self.descending = descending
        self.query: TraceQuery | None = None
        # The filter index of the traces loaded (built in the background once a load is done):
        # a query is answered from it where it is sure; None until it is ready.
        self.filter_index: FilterIndex | None = None
        self._matches: set[str] | None = None
        self._keys: dict[str, tuple] = {}  # trace id -> its key in _view (visible traces only)
        self._view: list[tuple] = []  # keys of the visible traces, ascending
        self._pending: list[str] = []  # summarized, not yet moved to their place in _view
        self.rows = Rows(self)
        self.max_duration_ns = 0
        self.min_duration_ns = 0  # the fastest trace with a duration above zero (log-scale bars)
        self.version = 0

    @property
    def total(self) -> int:
        return len(self.summaries)

    def update(self, store: TraceStore, trace_ids: Iterable[str], reorder: bool = True) -> set[str]:
        """Summarize the traces that changed; return the ids seen for the first time.

        With `reorder=False` the rows keep their order until `reorder()` (a caller summarizing a
        big load slice by slice sorts once at the end); traces that left the store always
        reorder at once, so no row points at a summary that is gone.
        """
        new: set[str] = set()
        changed = self._pending
        summaries = self.summaries
        gone = shrunk = False
        for tid in trace_ids:
            trace = store.get(tid)
            if trace is None:
                gone = gone or tid in summaries
                summaries.pop(tid, None)
                changed.append(tid)
                continue
            old = summaries.get(tid)
            if old is None:
                new.add(tid)
            s = summaries[tid] = summarize(trace)
            changed.append(tid)
            if s.duration_ns > self.max_duration_ns:
                self.max_duration_ns = s.duration_ns
            elif old is not None and old.duration_ns == self.max_duration_ns > s.duration_ns:
                shrunk = True  # the slowest trace got shorter (clock skew adjusted): find the new slowest
            if s.duration_ns > 0 and (s.duration_ns < self.min_duration_ns or not self.min_duration_ns):
                self.min_duration_ns = s.duration_ns
            elif old is not None and old.duration_ns == self.min_duration_ns < s.duration_ns:
                shrunk = True  # the fastest trace got longer (times as read): find the new fastest
            if self._matches is not None and self.query is not None:
                if self.query.match_trace(trace):
                    self._matches.add(tid)
                else:
                    self._matches.discard(tid)
        if len(summaries) > len(store):  # the store evicted old traces (live retention)
            for tid in [t for t in summaries if store.get(t) is None]:
                del summaries[tid]
                changed.append(tid)
                gone = True
        if gone or shrunk:
            self.max_duration_ns = max((s.duration_ns for s in summaries.values()), default=0)
            self.min_duration_ns = min((s.duration_ns for s in summaries.values() if s.duration_ns > 0), default=0)
            if self._matches is not None:
                self._matches &= summaries.keys()
        if reorder or gone:
            self.reorder()
        return new

    def reorder(self) -> None:
        """Put the traces summarized since the last reorder in their places."""
        changed, self._pending = self._pending, []
        if len(changed) > max(64, _RESORT_SHARE * len(self._view)):
            self._merge(changed)
        elif changed:
            self._move(changed)

    def set_query(self, store: TraceStore, query: TraceQuery | None) -> None:
        """Filter by a trace-level query (None shows every trace)."""
        self.query = query
        if query is None:
            self._matches = None
        elif self.filter_index is not None and isinstance(query, Query):
            self._matches = self.filter_index.matching(store, query, self.summaries)
        else:
            self._matches = {tid for tid in self.summaries
                             if (t := store.get(tid)) is not None and query.match_trace(t)}
        self._rebuild()

    def set_sort(self, key: str, descending: bool | None = None) -> None:
        if key not in _KEY:
            raise ValueError(f"unknown sort key {key!r}")
        if descending is None:
            # Choosing the current key again flips the direction; a new key starts descending
            # (slowest, biggest, most errors, newest first).
            descending = not self.descending if key == self.sort else True
        resort = key != self.sort
        self.sort, self.descending = key, descending
        if resort:
            self._rebuild()
        else:
            self.version += 1

    def index_of(self, trace_id: str) -> int | None:
        """Display position of a trace, or None when it is not shown."""
        key = self._keys.get(trace_id)
        if key is None:
            return None
        i = bisect_left(self._view, key)
        return len(self._view) - 1 - i if self.descending else i

    def _visible(self, tid: str) -> bool:
        return tid in self.summaries and (self._matches is None or tid in self._matches)

    def _move(self, changed: list[str]) -> None:
        """Re-place only the changed traces in the sorted view."""
        keyfunc, view, keys = _KEY[self.sort], self._view, self._keys
        for tid in changed:
            old = keys.pop(tid, None)
            if old is not None:
                i = bisect_left(view, old)
                if i < len(view) and view[i] == old:
                    del view[i]
            if self._visible(tid):
                k = keys[tid] = keyfunc(self.summaries[tid])
                insort(view, k)
        self.version += 1

    def _merge(self, changed: list[str]) -> None:
        """Re-place many changed traces: drop their old keys, sort the new ones, merge the two
        sorted runs (Timsort finds the runs: about linear, where sorting all keys again took
        ~100 ms for 100k traces)."""
        keyfunc, keys, summaries = _KEY[self.sort], self._keys, self.summaries
        moved = set(changed)
        kept = [k for k in self._view if k[-1] not in moved]
        fresh = []
        for tid in moved:
            if self._visible(tid):
                k = keys[tid] = keyfunc(summaries[tid])
                fresh.append(k)
            else:
                keys.pop(tid, None)
        fresh.sort()
        kept.extend(fresh)
        kept.sort()
        self._view = kept
        self.version += 1

    def _rebuild(self) -> None:
        keyfunc, summaries = _KEY[self.sort], self.summaries
        if self._matches is None:
            ids: Iterable[str] = summaries
        else:
            ids = [t for t in self._matches if t in summaries]
        self._pending = []
        self._keys = {tid: keyfunc(summaries[tid]) for tid in ids}
        self._view = sorted(self._keys.values())
        self.version += 1


def duration_fraction(duration_ns: int, low_ns: int, high_ns: int, log: bool) -> float:
    """How much of the list's duration bar a trace fills: linear against the slowest trace, or
    on a logarithmic scale from the fastest (a sliver) to the slowest (full), so one 30 s
    outlier does not flatten every other bar to a single eighth."""
    if high_ns <= 0:
        return 0.0
    if not log:
        return duration_ns / high_ns
    if duration_ns <= 0:
        return 0.0
    low = max(1, min(low_ns or high_ns, high_ns))
    if high_ns <= low:
        return 1.0
    return 0.05 + 0.95 * math.log(max(duration_ns, low) / low) / math.log(high_ns / low)
