"""The trace list as an index: one summary per trace, sorted and filtered, no widgets.

The trace list screen draws rows from `TraceIndex.rows`; the index is updated incrementally as
spans arrive (only the traces that changed are summarized again), so a list of 100k traces stays
cheap to keep current.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from tracetui.analysis.summary import TraceSummary, summarize
from tracetui.model.store import TraceStore
from tracetui.model.trace import Trace

SORT_KEYS = ("start", "duration", "spans", "errors")
SORT_LABELS = {"start": "start", "duration": "duration", "spans": "spans", "errors": "errors"}

_KEY: dict[str, Callable[[TraceSummary], tuple]] = {
    "start": lambda s: (s.start_unix_nano, s.trace_id),
    "duration": lambda s: (s.duration_ns, s.start_unix_nano, s.trace_id),
    "spans": lambda s: (s.span_count, s.start_unix_nano, s.trace_id),
    "errors": lambda s: (s.error_count, s.orphan_count, s.start_unix_nano, s.trace_id),
}


class TraceQuery(Protocol):
    def match_trace(self, trace: Trace) -> bool: ...


class TraceIndex:
    """Summaries of every trace in a store and the sorted, filtered view of them.

    `rows` is the current view; `total` the number of traces known; `max_duration_ns` the
    slowest trace of all (the list scales its duration bars to it).
    """

    def __init__(self, sort: str = "start", descending: bool = True) -> None:
        self.summaries: dict[str, TraceSummary] = {}
        self.sort = sort
        self.descending = descending
        self.query: TraceQuery | None = None
        self._matches: set[str] | None = None
        self.rows: list[TraceSummary] = []
        self.max_duration_ns = 0
        self.version = 0

    @property
    def total(self) -> int:
        return len(self.summaries)

    def update(self, store: TraceStore, trace_ids: Iterable[str]) -> set[str]:
        """Summarize the traces that changed; return the ids seen for the first time."""
        new: set[str] = set()
        summaries = self.summaries
        for tid in trace_ids:
            trace = store.get(tid)
            if trace is None:
                summaries.pop(tid, None)
                if self._matches is not None:
                    self._matches.discard(tid)
                continue
            if tid not in summaries:
                new.add(tid)
            summaries[tid] = summarize(trace)
            if self._matches is not None and self.query is not None:
                if self.query.match_trace(trace):
                    self._matches.add(tid)
                else:
                    self._matches.discard(tid)
        if len(summaries) > len(store):  # the store evicted old traces (live retention)
            for tid in [t for t in summaries if store.get(t) is None]:
                del summaries[tid]
                if self._matches is not None:
                    self._matches.discard(tid)
        self._rebuild()
        return new

    def set_query(self, store: TraceStore, query: TraceQuery | None) -> None:
        """Filter by a trace-level query (None shows every trace)."""
        self.query = query
        if query is None:
            self._matches = None
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
        self.sort, self.descending = key, descending
        self._rebuild()

    def index_of(self, trace_id: str) -> int | None:
        for i, s in enumerate(self.rows):
            if s.trace_id == trace_id:
                return i
        return None

    def _rebuild(self) -> None:
        summaries = self.summaries
        if self._matches is None:
            rows = list(summaries.values())
        else:
            rows = [summaries[t] for t in self._matches if t in summaries]
        rows.sort(key=_KEY[self.sort], reverse=self.descending)
        self.rows = rows
        self.max_duration_ns = max((s.duration_ns for s in summaries.values()), default=0)
        self.version += 1
