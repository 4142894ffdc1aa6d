"""Selection against baseline over a list of traces: the operations and attributes tables.

    comparer = Comparer(traces)                       # per-trace facts: the costly part, once
    result = comparer.compare(Selection.slowest(10))  # any split, cheaply, as often as wanted
    result.operations[0]                              # where the extra time went
    result.attributes[0]                              # what the selection has more of

`compare(traces, …)` does both at once (the headless command).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tracetui.analysis.compare.attributes import SPAN, TRACE, AttributeRow, AttributeUniverse
from tracetui.analysis.compare.facts import AttributeCache, Op, TraceFacts, facts_of
from tracetui.analysis.compare.operations import OperationRow, operation_rows
from tracetui.analysis.compare.split import SLOWEST, Selection, masks, selection_query, slowest_threshold
from tracetui.model.gcpause import gc_paused
from tracetui.model.trace import Trace


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

    def to_json(self) -> dict:
        ops = sorted((r.to_json() for r in self.operations), key=lambda o: -o["delta_cp_ns"])
        return {
            "selection": {"query": self.selection_query, "traces": self.selection_count},
            "baseline": {"query": self.baseline_query, "traces": self.baseline_count},
            "operations": ops,
            "attributes": [r.to_json() for r in self.attributes],
        }


class Comparer:
    """The traces to compare (kept in the order given) and their facts."""

    def __init__(self, traces: Sequence[Trace], progress: Callable[[int, int], None] | None = None) -> None:
        self.traces = list(traces)
        n = len(self.traces)
        self.facts: list[TraceFacts] = facts_of(self.traces, None if progress is None else lambda i: progress(i, n))
        self._universes: dict[Op | None, tuple[AttributeUniverse, list[int]]] = {}

    def universe(self, scope_op: Op | None = None) -> tuple[AttributeUniverse, list[int]]:
        """The attribute units of a scope, and the trace (by position) of each unit."""
        got = self._universes.get(scope_op)
        if got is None:
            got = self._universes[scope_op] = self._build_universe(scope_op)
        return got

    @gc_paused
    def _build_universe(self, scope_op: Op | None) -> tuple[AttributeUniverse, list[int]]:
        if scope_op is None:
            return AttributeUniverse([f.pairs for f in self.facts], TRACE), list(range(len(self.facts)))
        service, name = scope_op
        cache = AttributeCache()
        units, owners = [], []
        for i, (t, f) in enumerate(zip(self.traces, self.facts, strict=True)):
            if scope_op not in f.ops:
                continue
            for s in t.spans:
                if s.name == name and s.resource.service == service:
                    units.append(cache.of_span(s) | cache.of_resource(s))
                    owners.append(i)
        return AttributeUniverse(units, SPAN), owners

    def compare(self, selection: Selection | None = None, baseline: str | None = None,
                scope_op: Op | None = None) -> Comparison:
        """Compare the selection with the baseline (the rest, or the traces not selected that
        match the query `baseline`). Raises `QueryError` for a query that cannot be read."""
        selection = selection or Selection.slowest()
        in_sel, in_base = masks(self.traces, selection, baseline)
        return self.compare_masks(selection, in_sel, in_base, baseline, scope_op)

    @gc_paused
    def compare_masks(self, selection: Selection, in_sel: list[bool], in_base: list[bool],
                      baseline: str | None = None, scope_op: Op | None = None) -> Comparison:
        facts = self.facts
        sel = [f for f, s in zip(facts, in_sel, strict=True) if s]
        base = [f for f, b in zip(facts, in_base, strict=True) if b]
        universe, owners = self.universe(scope_op)
        attributes = universe.rows([in_sel[i] for i in owners], [in_base[i] for i in owners])
        return Comparison(
            selection=selection,
            selection_query=selection_query(self.traces, selection),
            baseline_query=baseline if baseline and baseline.strip() else None,
            in_selection=in_sel, in_baseline=in_base,
            selection_count=len(sel), baseline_count=len(base),
            operations=operation_rows(sel, base),
            attributes=attributes,
            scope_op=scope_op,
            threshold_ns=slowest_threshold([f.duration_ns for f in facts], selection.percent)
            if selection.kind == SLOWEST else None,
        )

    def traces_with(self, row: AttributeRow | OperationRow, scope_op: Op | None = None) -> list[str]:
        """Ids of the traces that have a row's value (an attribute row) or operation."""
        if isinstance(row, OperationRow):
            op = row.op
            return [f.trace_id for f in self.facts if op in f.ops]
        universe, owners = self.universe(scope_op)
        hit = {owners[i] for i, p in enumerate(universe.units) if row.held_by(p)}
        return [self.facts[i].trace_id for i in sorted(hit)]


def compare(traces: Sequence[Trace], selection: Selection | None = None, baseline: str | None = None,
            scope_op: Op | None = None) -> Comparison:
    """Facts and comparison in one call (see `Comparer`)."""
    return Comparer(traces).compare(selection, baseline, scope_op)
