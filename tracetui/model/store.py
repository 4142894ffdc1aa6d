"""Many traces, filled batch by batch (files, backends, the live receiver)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator

from tracetui.model.gcpause import gc_paused
from tracetui.model.span import Span
from tracetui.model.trace import Trace

FREEZE_FROM_SPANS = 100_000


class TraceStore:
    """Traces by id, in arrival order. Spans of one trace that arrive in different batches join.

    `max_spans` bounds retention (live mode): when exceeded, whole oldest traces are evicted,
    never half a trace; `evicted_traces`/`evicted_spans` count them. A span that arrives again
    (an exporter's retry, a dump loaded twice) is counted in `duplicate_spans`, not stored twice. `version` changes on
    every change so views can tell when to redraw.
    """

    def __init__(self, max_spans: int | None = None) -> None:
        self.traces: dict[str, Trace] = {}
        self.max_spans = max_spans
        self.span_count = 0
        self.version = 0
        self.evicted_traces = 0
        self.evicted_spans = 0
        self.duplicate_spans = 0

    def __len__(self) -> int:
        return len(self.traces)

    def __iter__(self) -> Iterator[Trace]:
        return iter(self.traces.values())

    def get(self, trace_id: str) -> Trace | None:
        return self.traces.get(trace_id)

    def add(self, spans: Iterable[Span]) -> set[str]:
        """Add a batch of spans; return the ids of the traces that changed.

        A big store is then frozen out of the cyclic collector (`gc.freeze`): with a million
        spans, every full collection walked the store's lists for 40-90 ms, a pause the UI's
        key handling felt. The store makes no reference cycles; the cost is that objects alive
        at a freeze are only freed by reference counting (`gc.unfreeze()` undoes it).
        """
        with gc_paused():
            changed = self._add(spans)
        if self.span_count >= FREEZE_FROM_SPANS:
            gc.freeze()
        return changed

    def _add(self, spans: Iterable[Span]) -> set[str]:
        groups: dict[str, list[Span]] = {}
        for s in spans:
            g = groups.get(s.trace_id)
            if g is None:
                groups[s.trace_id] = [s]
            else:
                g.append(s)
        traces = self.traces
        for tid, group in groups.items():
            t = traces.get(tid)
            if t is None:
                traces[tid] = Trace(tid, group)
                self.span_count += len(group)
            else:
                added = t.add(group)
                self.span_count += added
                self.duplicate_spans += len(group) - added
        if groups:
            self.version += 1
        if self.max_spans is not None and self.span_count > self.max_spans:
            self._evict(keep=set(groups))
        return set(groups) & set(traces)

    def _evict(self, keep: set[str]) -> None:
        traces = self.traces
        for tid in list(traces):
            if self.span_count <= self.max_spans:
                break
            if tid in keep and len(traces) > len(keep):
                continue
            t = traces.pop(tid)
            self.span_count -= len(t.spans)
            self.evicted_traces += 1
            self.evicted_spans += len(t.spans)

    def clear(self) -> None:
        self.traces.clear()
        self.span_count = 0
        self.version += 1

    def sorted_by_start(self) -> list[Trace]:
        return sorted(self.traces.values(), key=lambda t: t.start_ns)
