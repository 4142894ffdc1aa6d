"""Many traces, filled batch by batch (files, backends, the live receiver)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from operator import attrgetter

from tracetui.model.gcpause import gc_paused
from tracetui.model.log import LogRecord, log_key
from tracetui.model.span import Span
from tracetui.model.trace import Trace, remember

_SPAN_ID = attrgetter("span_id")


class DistinctSpans(list):
    """Spans whose ids a reader has already seen to be all different (it hashed them anyway, while
    they were in the cache): the store need not look for repeats inside the batch. `groups`: the
    same spans by trace id, in order, as the reader grouped them on the way."""

    __slots__ = ("groups",)

    def __init__(self, spans: Iterable[Span], groups: dict[str, list[Span]]) -> None:
        super().__init__(spans)
        self.groups = groups


def _without_repeats(spans: list[Span]) -> list[Span]:
    """The spans, each once (by the test `Trace.add` uses for spans that arrive again)."""
    seen: dict = {}
    return [s for s in spans if remember(seen, s)]


class TraceStore:
    """Traces by id, in arrival order. Spans of one trace that arrive in different batches join.

    `max_spans` bounds retention (live mode): spans and log records together. When exceeded,
    the oldest records shown under no trace go first (of traces whose spans never came, then of
    no trace), then whole oldest traces with their logs, never half a trace;
    `evicted_traces`/`evicted_spans`/`evicted_logs` count them. A span that arrives again (an exporter's retry, a dump loaded
    twice) is counted in `duplicate_spans`, not stored twice (log records likewise in
    `duplicate_logs`). `version` changes on every change so views can tell when to redraw.

    Log records (`add_logs`) join their trace (`Trace.logs`); those of a trace whose spans have
    not come yet wait in `pending_logs` and join it when it does; those that name no trace are
    kept in `traceless_logs`, never dropped unseen. `log_count` counts them all.
    """

    def __init__(self, max_spans: int | None = None, adjust_skew: bool = True) -> None:
        self.traces: dict[str, Trace] = {}
        self.adjust_skew = adjust_skew  # clock skew adjusted (see Trace); set_adjust_skew changes it
        # trace id -> the input its first spans came from (a path as named), when the feeder said
        self.source_of: dict[str, str] = {}
        self.max_spans = max_spans
        self.span_count = 0
        self.version = 0
        self.evicted_traces = 0
        self.evicted_spans = 0
        self.duplicate_spans = 0
        self.log_count = 0
        self.pending_logs: dict[str, list[LogRecord]] = {}
        self.traceless_logs: list[LogRecord] = []
        self.evicted_logs = 0
        self.duplicate_logs = 0

    def __len__(self) -> int:
        return len(self.traces)

    def __iter__(self) -> Iterator[Trace]:
        return iter(self.traces.values())

    def get(self, trace_id: str) -> Trace | None:
        return self.traces.get(trace_id)

    def add(self, spans: Iterable[Span], source: str = "") -> set[str]:
        """Add a batch of spans; return the ids of the traces that changed. `source`: the input
        they were read from (a path as named), remembered for traces seen for the first time
        (`source_of`, `traces_from`: "before" against "after" a deploy).

        The store is not frozen out of the collector here: whoever finishes a bulk load does
        that once (`sources.files.load_paths`, the app's `_finish_load`, `record`), because a
        freeze on every live batch also froze open screens for good (see `sources/receiver/feed.py`).
        """
        with gc_paused():
            return self._add(spans, source)

    def _add(self, spans: Iterable[Span], source: str = "") -> set[str]:
        groups = spans.groups if type(spans) is DistinctSpans else None
        # Vouched for only while the reader's groups still hold the whole batch.
        check = groups is None or sum(map(len, groups.values())) != len(spans)
        if check:
            groups = {}
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
                # A span twice in one batch is a repeat as much as one in a later batch: where
                # the batches split must not change the count (a cheap test of the ids first).
                if check and len(group) > 1 and len(set(map(_SPAN_ID, group))) < len(group):
                    unique = _without_repeats(group)
                    self.duplicate_spans += len(group) - len(unique)
                    group = unique
                t = traces[tid] = Trace(tid, group, self.adjust_skew)
                self.span_count += len(group)
                if source:
                    self.source_of[tid] = source
                waiting = self.pending_logs.pop(tid, None) if self.pending_logs else None
                if waiting is not None:
                    t.add_logs(waiting)  # (counted in log_count already)
            else:
                added = t.add(group)
                self.span_count += added
                self.duplicate_spans += len(group) - added
        if groups:
            self.version += 1
        if self.max_spans is not None and self.span_count + self.log_count > self.max_spans:
            self._evict(keep=set(groups))
            return {tid for tid in groups if tid in traces}  # (not set(traces): all of them, every batch)
        return set(groups)  # every one is in the store

    def add_logs(self, records: Iterable[LogRecord]) -> set[str]:
        """Add log records; return the ids of the traces (with spans) whose logs changed."""
        with gc_paused():
            groups: dict[str, list[LogRecord]] = {}
            traceless = []
            for r in records:
                tid = r.trace_id
                if not tid:
                    traceless.append(r)
                elif (g := groups.get(tid)) is None:
                    groups[tid] = [r]
                else:
                    g.append(r)
            changed = set()
            added = 0
            for tid, group in groups.items():
                t = self.traces.get(tid)
                if t is not None:
                    n = t.add_logs(group)
                    if n:
                        changed.add(tid)
                else:
                    waiting = self.pending_logs.setdefault(tid, [])
                    seen = set(map(log_key, waiting))
                    n = 0
                    for r in group:
                        if (k := log_key(r)) not in seen:
                            seen.add(k)
                            waiting.append(r)
                            n += 1
                self.duplicate_logs += len(group) - n
                added += n
            if traceless:
                self.traceless_logs.extend(traceless)
                added += len(traceless)
            self.log_count += added
            if added:
                self.version += 1
            if self.max_spans is not None and self.span_count + self.log_count > self.max_spans:
                self._evict(keep=changed)
            return {tid for tid in changed if tid in self.traces}

    def _over(self) -> bool:
        return self.span_count + self.log_count > self.max_spans

    def _evict(self, keep: set[str]) -> None:
        # Records under no trace first: the oldest of traces whose spans never came, then of no trace.
        pending = self.pending_logs
        while pending and self._over():
            gone = pending.pop(next(iter(pending)))
            self.log_count -= len(gone)
            self.evicted_logs += len(gone)
        if self.traceless_logs and self._over():
            n = min(len(self.traceless_logs), self.span_count + self.log_count - self.max_spans)
            del self.traceless_logs[:n]
            self.log_count -= n
            self.evicted_logs += n
        traces = self.traces
        for tid in list(traces):
            if not self._over():
                break
            if tid in keep and len(traces) > len(keep):
                continue
            t = traces.pop(tid)
            self.source_of.pop(tid, None)
            self.span_count -= len(t.spans)
            self.log_count -= len(t.logs)
            self.evicted_traces += 1
            self.evicted_spans += len(t.spans)
            self.evicted_logs += len(t.logs)

    def set_adjust_skew(self, on: bool) -> set[str]:
        """Show every trace adjusted for clock skew or as read; return the ids of traces whose
        spans moved (those with skew: the others are not touched)."""
        if on != self.adjust_skew:
            self.version += 1
        self.adjust_skew = on
        return {t.trace_id for t in self.traces.values() if t.set_adjust_skew(on)}

    def clear(self) -> None:
        self.traces.clear()
        self.source_of.clear()
        self.span_count = 0
        self.pending_logs.clear()
        self.traceless_logs.clear()
        self.log_count = 0
        self.version += 1

    def sources(self) -> list[str]:
        """The inputs traces were read from, in the order first seen."""
        return list(dict.fromkeys(self.source_of.values()))

    def traces_from(self, source: str) -> list[Trace]:
        """The traces whose first spans came from `source`."""
        return [t for tid, t in self.traces.items() if self.source_of.get(tid) == source]

    def sorted_by_start(self) -> list[Trace]:
        return sorted(self.traces.values(), key=lambda t: t.start_ns)
