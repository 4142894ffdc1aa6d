"""The listed traces as the comparison screen opened on them, cheap to take.

Splitting needs only each trace's duration and error count, which the trace list's summaries
already hold; a `Trace` of its own (tree, critical path, attributes) is needed only for the
traces whose facts are computed (a sample of a few hundred per group), or for a query. So the
snapshot keeps the columns and a reference to each listed trace, and builds its own `Trace` the
first time one is asked for, from the spans the listed trace holds then (clock skew already
adjusted there, so not adjusted again). Copying every span list when the screen opens cost
160 ms of the event loop at 1M spans; the price: a trace that receives spans after the screen
opened (live) is read as it is when its facts are computed, and its duration and error count
stay those of the list.

Everything here runs on the app's thread (the store's rule): the screen computes in slices on
its event loop, not in a thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from tracetui.model.span import Span
from tracetui.model.trace import Trace


class TraceSnapshot(Sequence[Trace]):
    """`trace_ids`, `durations` and `error_counts` at once; `snapshot[i]` builds trace i once."""

    def __init__(self, traces: Sequence[Trace], durations: Sequence[int], error_counts: Sequence[int]) -> None:
        if not len(traces) == len(durations) == len(error_counts):
            raise ValueError("a snapshot needs as many traces, durations and error counts")
        self.trace_ids = [t.trace_id for t in traces]
        self.durations = list(durations)
        self.error_counts = list(error_counts)
        self._sources = list(traces)
        self._traces: list[Trace | None] = [None] * len(self.trace_ids)

    @classmethod
    def of(cls, traces: Sequence[Trace]) -> TraceSnapshot:
        """A snapshot of these traces (their figures read now)."""
        return cls(traces, [t.duration_ns for t in traces], [t.error_count for t in traces])

    def __len__(self) -> int:
        return len(self.trace_ids)

    @overload
    def __getitem__(self, i: int) -> Trace: ...
    @overload
    def __getitem__(self, i: slice) -> list[Trace]: ...
    def __getitem__(self, i: int | slice) -> Trace | list[Trace]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        t = self._traces[i]
        if t is None:
            source = self._sources[i]
            t = self._traces[i] = Trace(source.trace_id, source.spans, adjust_skew=False)  # spans copied
        return t

    def is_built(self, i: int) -> bool:
        return self._traces[i] is not None

    def release(self, i: int) -> None:
        """Forget trace i's `Trace` (its facts are known): its tree would be ~100 lists per
        trace kept for nothing, and walked by every full collection."""
        self._traces[i] = None

    def spans_of(self, i: int) -> list[Span]:
        """Trace i's spans, without building it."""
        t = self._traces[i]
        return (t if t is not None else self._sources[i]).spans

    @property
    def built(self) -> int:
        """How many traces are built now."""
        return sum(t is not None for t in self._traces)
