"""Selection against baseline over a list of traces: the operations and attributes tables.

    comparer = Comparer(traces)                       # cheap: facts are computed when needed
    result = comparer.compare(Selection.slowest(10))  # any split, as often as wanted
    result.operations[0]                              # where the extra time went
    result.attributes[0]                              # what the selection has more of

Each trace's facts (per operation: critical-path time, self time, durations, errors; the pair
ids of its attributes) are computed once, the first time a comparison needs them, and kept.
A group of more than `SAMPLE` traces is compared through a sample of `SAMPLE` of them: the same
traces every time (those whose trace id hashes lowest), so moving the split reuses the facts
already computed. Counts of traces (`selection_count`, an operation's `selection_traces`) are
of the whole group, estimated from the sample when one is used; `selection_sampled` says how
many traces the tables come from. `compare(traces, …)` does it all in one call (the headless command).

Each step of the work can also be taken in small steps (`compare_steps`, see steps.py): the
comparison screen computes on the app's event loop, a few milliseconds at a time.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tracetui.analysis.compare.attributes import SPAN, TRACE, AttributeRow, AttributeUniverse
from tracetui.analysis.compare.facts import AttributeCache, Op, TraceFacts, pair_union, trace_facts_steps
from tracetui.analysis.compare.operations import OperationRow, operation_rows_steps
from tracetui.analysis.compare.snapshot import TraceSnapshot
from tracetui.analysis.compare.split import (
    SLOWEST,
    Selection,
    select_by_columns,
    selection_query,
    slowest_threshold,
)
from tracetui.analysis.compare.steps import Steps, T, run
from tracetui.model.query import Query, parse_query
from tracetui.model.span import Span
from tracetui.model.trace import Trace

SAMPLE = 500  # traces of a group whose facts are used (above it: a sample)
Progress = Callable[[int, int], None]  # (done, to do)


@dataclass(slots=True)
class Comparison:
    selection: Selection
    selection_query: str  # the selection in the filter language
    baseline_query: str | None  # None: every listed trace not selected
    in_selection: list[bool]
    in_baseline: list[bool]
    selection_count: int
    baseline_count: int
    operations: list[OperationRow]
    attributes: list[AttributeRow]
    scope_op: Op | None = None  # the operation of span scope; None: trace scope
    threshold_ns: int | None = None  # the slowest selection: the duration at or above which a trace is in it
    selection_sampled: int = 0  # traces of each group the tables come from (= the counts unless sampled)
    baseline_sampled: int = 0

    @property
    def sampled(self) -> bool:
        return self.selection_sampled < self.selection_count or self.baseline_sampled < self.baseline_count

    def to_json(self) -> dict:
        ops = sorted((r.to_json() for r in self.operations), key=lambda o: -o["delta_cp_ns"])
        return {
            "selection": {"query": self.selection_query, "traces": self.selection_count},
            "baseline": {"query": self.baseline_query, "traces": self.baseline_count},
            "operations": ops,
            "attributes": [r.to_json() for r in self.attributes],
        }


class Comparer:
    """The traces to compare (kept in the order given) and the facts computed so far.

    `traces` may be a `TraceSnapshot` (the screen's: traces built only when their facts are
    needed). Every method has a `…_steps` twin that does the same in small steps (steps.py)."""

    def __init__(self, traces: Sequence[Trace], sample: int = SAMPLE) -> None:
        if isinstance(traces, TraceSnapshot):
            self.traces: Sequence[Trace] = traces
            self.trace_ids, self.durations, self.error_counts = traces.trace_ids, traces.durations, traces.error_counts
        else:
            self.traces = list(traces)
            self.trace_ids = [t.trace_id for t in self.traces]
            self.durations = [t.duration_ns for t in self.traces]
            self.error_counts = [t.error_count for t in self.traces]
        self._snapshot = traces if isinstance(traces, TraceSnapshot) else None
        self.sample = sample
        self.cache = AttributeCache()
        self.facts: list[TraceFacts | None] = [None] * len(self.traces)
        # The order samples are drawn in: by a hash of the trace id (stable across runs and splits).
        self._rank = [zlib.crc32(i.encode()) for i in self.trace_ids]

    def facts_of(self, indices: Sequence[int], progress: Progress | None = None, every: int = 128) -> list[TraceFacts]:
        """The facts of these traces, computing those not yet known; `progress(done, todo)`."""
        return run(_reporting(self.facts_steps(indices), progress, every))

    def facts_steps(self, indices: Sequence[int]) -> Steps[list[TraceFacts]]:
        facts, traces, cache = self.facts, self.traces, self.cache
        todo = [i for i in indices if facts[i] is None]
        for n, i in enumerate(todo, 1):
            trace = traces[i]  # a snapshot's trace is built here
            yield None
            facts[i] = yield from trace_facts_steps(trace, cache)
            if self._snapshot is not None:
                self._snapshot.release(i)
            yield ("analysing", n, len(todo))
        return [facts[i] for i in indices]  # type: ignore[misc]

    def _sample(self, indices: list[int]) -> list[int]:
        if len(indices) <= self.sample:
            return indices
        rank = self._rank
        return sorted(sorted(indices, key=lambda i: (rank[i], i))[: self.sample])

    def masks_steps(self, selection: Selection, baseline: str | None = None) -> Steps[tuple[list[bool], list[bool]]]:
        """(in selection, in baseline) for each trace, as `split.masks`."""
        chosen = select_by_columns(self.durations, self.error_counts, selection)
        n = len(self.traces)
        if chosen is None:
            q = parse_query(selection.query)
            chosen = []
            for i in range(n):
                chosen.append(self._matches(q, i))
                yield ("selecting", i + 1, n)
        if baseline is not None and baseline.strip():
            q = parse_query(baseline)
            rest = []
            for i, c in enumerate(chosen):
                rest.append(not c and self._matches(q, i))
                yield ("selecting the baseline", i + 1, n)
        else:
            rest = [not c for c in chosen]
        return chosen, rest

    def _matches(self, query: Query, i: int) -> bool:
        snapshot = self._snapshot
        if snapshot is None or snapshot.is_built(i):
            return query.match_trace(self.traces[i])
        hit = query.match_trace(snapshot[i])
        snapshot.release(i)  # built for the query only
        return hit

    def _spans(self, i: int) -> Sequence[Span]:
        return self._snapshot.spans_of(i) if self._snapshot is not None else self.traces[i].spans

    def compare(self, selection: Selection | None = None, baseline: str | None = None,
                scope_op: Op | None = None, progress: Progress | None = None) -> Comparison:
        """Compare the selection with the baseline (the rest, or the traces not selected that
        match the query `baseline`). Raises `QueryError` for a query that cannot be read."""
        return run(_reporting(self.compare_steps(selection, baseline, scope_op), progress))

    def compare_steps(self, selection: Selection | None = None, baseline: str | None = None,
                      scope_op: Op | None = None) -> Steps[Comparison]:
        selection = selection or Selection.slowest()
        in_sel, in_base = yield from self.masks_steps(selection, baseline)
        return (yield from self.compare_masks_steps(selection, in_sel, in_base, baseline, scope_op))

    def compare_masks(self, selection: Selection, in_sel: list[bool], in_base: list[bool],
                      baseline: str | None = None, scope_op: Op | None = None,
                      progress: Progress | None = None) -> Comparison:
        return run(_reporting(self.compare_masks_steps(selection, in_sel, in_base, baseline, scope_op), progress))

    def compare_masks_steps(self, selection: Selection, in_sel: list[bool], in_base: list[bool],
                            baseline: str | None = None, scope_op: Op | None = None) -> Steps[Comparison]:
        sel_all = [i for i, s in enumerate(in_sel) if s]
        base_all = [i for i, b in enumerate(in_base) if b]
        sel_idx, base_idx = self._sample(sel_all), self._sample(base_all)
        wanted = sorted(set(sel_idx) | set(base_idx))
        yield from self.facts_steps(wanted)
        facts = self.facts
        sel = [facts[i] for i in sel_idx]
        base = [facts[i] for i in base_idx]
        operations = yield from operation_rows_steps(sel, base)  # type: ignore[arg-type]
        if len(sel_idx) < len(sel_all) or len(base_idx) < len(base_all):
            for r in operations:  # counts of the whole groups, estimated from the samples
                r.selection_traces = round(r.selection_traces * len(sel_all) / max(1, len(sel_idx)))
                r.baseline_traces = round(r.baseline_traces * len(base_all) / max(1, len(base_idx)))
        universe, owners = yield from self._universe_steps(sel_idx + base_idx, scope_op)
        chosen = set(sel_idx)
        attributes = yield from universe.rows_steps([o in chosen for o in owners], [o not in chosen for o in owners])
        durations = self.durations
        return Comparison(
            selection=selection,
            selection_query=selection_query(durations, selection),
            baseline_query=baseline if baseline and baseline.strip() else None,
            in_selection=in_sel, in_baseline=in_base,
            selection_count=len(sel_all), baseline_count=len(base_all),
            operations=operations,
            attributes=attributes,
            scope_op=scope_op,
            threshold_ns=slowest_threshold(durations, selection.percent) if selection.kind == SLOWEST else None,
            selection_sampled=len(sel_idx), baseline_sampled=len(base_idx),
        )

    def _universe_steps(self, indices: list[int], scope_op: Op | None
                        ) -> Steps[tuple[AttributeUniverse, list[int]]]:
        """The attribute units of these traces (each trace, or each span of `scope_op` in them),
        and the trace of each unit."""
        facts = self.facts
        if scope_op is None:
            universe = yield from AttributeUniverse.build_steps(
                [facts[i].pairs for i in indices], self.cache.table, TRACE)  # type: ignore[union-attr]
            return universe, indices
        service, name = scope_op
        cache = self.cache
        units, owners = [], []
        for i in indices:
            f = facts[i]
            yield None
            if f is None or scope_op not in f.ops:
                continue
            for s in self._spans(i):
                if s.name == name and s.resource.service == service:
                    units.append(pair_union((cache.of_span(s), cache.of_resource(s))))
                    owners.append(i)
        universe = yield from AttributeUniverse.build_steps(units, cache.table, SPAN)
        return universe, owners

    def traces_with(self, row: AttributeRow | OperationRow, scope_op: Op | None = None,
                    progress: Progress | None = None) -> list[str]:
        """Ids of the traces (of all given, sampled or not) that have a row's value (an attribute
        row) or operation. Computes the facts of every trace."""
        return run(_reporting(self.traces_with_steps(row, scope_op), progress))

    def traces_with_steps(self, row: AttributeRow | OperationRow, scope_op: Op | None = None) -> Steps[list[str]]:
        everything = list(range(len(self.traces)))
        all_facts = yield from self.facts_steps(everything)
        if isinstance(row, OperationRow):
            op = row.op
            return [f.trace_id for f in all_facts if op in f.ops]
        universe, owners = yield from self._universe_steps(everything, scope_op)
        hit = {owners[i] for i, p in enumerate(universe.units) if row.held_by(p)}
        return [all_facts[i].trace_id for i in sorted(hit)]


def _reporting(steps: Steps[T], progress: Progress | None, every: int = 128) -> Steps[T]:
    """The steps, calling `progress(done, total)` on every `every`-th progress step (and the last)."""
    if progress is None:
        return (yield from steps)
    while True:
        try:
            step = next(steps)
        except StopIteration as done:
            return done.value
        if step is not None:
            _, n, total = step
            if n % every == 0 or n == total:
                progress(n, total)
        yield step


def compare(traces: Sequence[Trace], selection: Selection | None = None, baseline: str | None = None,
            scope_op: Op | None = None) -> Comparison:
    """Facts and comparison in one call (see `Comparer`)."""
    return Comparer(traces).compare(selection, baseline, scope_op)
