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
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tracetui.analysis.compare.attributes import SPAN, TRACE, AttributeRow, AttributeUniverse
from tracetui.analysis.compare.facts import AttributeCache, Op, TraceFacts, trace_facts
from tracetui.analysis.compare.operations import OperationRow, operation_rows
from tracetui.analysis.compare.split import SLOWEST, Selection, masks, selection_query, slowest_threshold
from tracetui.model.gcpause import gc_paused
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
    """The traces to compare (kept in the order given) and the facts computed so far."""

    def __init__(self, traces: Sequence[Trace], sample: int = SAMPLE) -> None:
        self.traces = list(traces)
        self.sample = sample
        self.cache = AttributeCache()
        self.facts: list[TraceFacts | None] = [None] * len(self.traces)
        # The order samples are drawn in: by a hash of the trace id (stable across runs and splits).
        self._rank = [zlib.crc32(t.trace_id.encode()) for t in self.traces]

    @gc_paused
    def facts_of(self, indices: Sequence[int], progress: Progress | None = None, every: int = 128) -> list[TraceFacts]:
        """The facts of these traces, computing those not yet known; `progress(done, todo)`."""
        facts, traces, cache = self.facts, self.traces, self.cache
        todo = [i for i in indices if facts[i] is None]
        for n, i in enumerate(todo, 1):
            facts[i] = trace_facts(traces[i], cache)
            if progress is not None and (n % every == 0 or n == len(todo)):
                progress(n, len(todo))
        return [facts[i] for i in indices]  # type: ignore[misc]

    def _sample(self, indices: list[int]) -> list[int]:
        if len(indices) <= self.sample:
            return indices
        rank = self._rank
        return sorted(sorted(indices, key=lambda i: (rank[i], i))[: self.sample])

    def compare(self, selection: Selection | None = None, baseline: str | None = None,
                scope_op: Op | None = None, progress: Progress | None = None) -> Comparison:
        """Compare the selection with the baseline (the rest, or the traces not selected that
        match the query `baseline`). Raises `QueryError` for a query that cannot be read."""
        selection = selection or Selection.slowest()
        in_sel, in_base = masks(self.traces, selection, baseline)
        return self.compare_masks(selection, in_sel, in_base, baseline, scope_op, progress)

    @gc_paused
    def compare_masks(self, selection: Selection, in_sel: list[bool], in_base: list[bool],
                      baseline: str | None = None, scope_op: Op | None = None,
                      progress: Progress | None = None) -> Comparison:
        sel_all = [i for i, s in enumerate(in_sel) if s]
        base_all = [i for i, b in enumerate(in_base) if b]
        sel_idx, base_idx = self._sample(sel_all), self._sample(base_all)
        wanted = sorted(set(sel_idx) | set(base_idx))
        self.facts_of(wanted, progress)
        facts = self.facts
        sel = [facts[i] for i in sel_idx]
        base = [facts[i] for i in base_idx]
        operations = operation_rows(sel, base)  # type: ignore[arg-type]
        if len(sel_idx) < len(sel_all) or len(base_idx) < len(base_all):
            for r in operations:  # counts of the whole groups, estimated from the samples
                r.selection_traces = round(r.selection_traces * len(sel_all) / max(1, len(sel_idx)))
                r.baseline_traces = round(r.baseline_traces * len(base_all) / max(1, len(base_idx)))
        universe, owners = self._universe(sel_idx + base_idx, scope_op)
        chosen = set(sel_idx)
        attributes = universe.rows([o in chosen for o in owners], [o not in chosen for o in owners])
        durations = [t.duration_ns for t in self.traces]
        return Comparison(
            selection=selection,
            selection_query=selection_query(self.traces, selection),
            baseline_query=baseline if baseline and baseline.strip() else None,
            in_selection=in_sel, in_baseline=in_base,
            selection_count=len(sel_all), baseline_count=len(base_all),
            operations=operations,
            attributes=attributes,
            scope_op=scope_op,
            threshold_ns=slowest_threshold(durations, selection.percent) if selection.kind == SLOWEST else None,
            selection_sampled=len(sel_idx), baseline_sampled=len(base_idx),
        )

    def _universe(self, indices: list[int], scope_op: Op | None) -> tuple[AttributeUniverse, list[int]]:
        """The attribute units of these traces (each trace, or each span of `scope_op` in them),
        and the trace of each unit."""
        facts = self.facts
        if scope_op is None:
            return AttributeUniverse([facts[i].pairs for i in indices], self.cache.table, TRACE), indices  # type: ignore[union-attr]
        service, name = scope_op
        cache = self.cache
        units, owners = [], []
        for i in indices:
            f = facts[i]
            if f is None or scope_op not in f.ops:
                continue
            for s in self.traces[i].spans:
                if s.name == name and s.resource.service == service:
                    units.append(cache.of_span(s) | cache.of_resource(s))
                    owners.append(i)
        return AttributeUniverse(units, cache.table, SPAN), owners

    def traces_with(self, row: AttributeRow | OperationRow, scope_op: Op | None = None,
                    progress: Progress | None = None) -> list[str]:
        """Ids of the traces (of all given, sampled or not) that have a row's value (an attribute
        row) or operation. Computes the facts of every trace."""
        everything = list(range(len(self.traces)))
        all_facts = self.facts_of(everything, progress)
        if isinstance(row, OperationRow):
            op = row.op
            return [f.trace_id for f in all_facts if op in f.ops]
        universe, owners = self._universe(everything, scope_op)
        hit = {owners[i] for i, p in enumerate(universe.units) if row.held_by(p)}
        return [all_facts[i].trace_id for i in sorted(hit)]


def compare(traces: Sequence[Trace], selection: Selection | None = None, baseline: str | None = None,
            scope_op: Op | None = None) -> Comparison:
    """Facts and comparison in one call (see `Comparer`)."""
    return Comparer(traces).compare(selection, baseline, scope_op)
