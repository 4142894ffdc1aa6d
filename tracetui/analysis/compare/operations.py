"""The operations table: per (service, span name), how the selection and the baseline differ in
critical-path time, self time, span durations and errors."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

from tracetui.analysis.compare.facts import Op, TraceFacts, as_ints
from tracetui.analysis.compare.significance import percentile
from tracetui.analysis.compare.steps import Steps, run


class _Group:
    __slots__ = ("traces", "cp_ns", "self_ns", "spans", "errors", "durations")

    def __init__(self) -> None:
        self.traces = 0
        self.cp_ns = 0
        self.self_ns = 0
        self.spans = 0
        self.errors = 0
        self.durations: list[bytes] = []  # each trace's, see facts.OpFacts


class OperationRow:
    """One operation. `*_cp_ns` and `*_self_ns` are means per trace of the group (a trace without
    the operation counts 0); percentiles (nearest rank) and error rates are over its spans."""

    __slots__ = ("service", "name", "selection_traces", "baseline_traces", "selection_cp_ns", "baseline_cp_ns",
                 "selection_self_ns", "baseline_self_ns", "selection_spans", "baseline_spans",
                 "selection_errors", "baseline_errors", "_durations", "_percentiles")

    def __init__(self, op: Op, sel: _Group, base: _Group, n_sel: int, n_base: int) -> None:
        self.service, self.name = op
        self.selection_traces, self.baseline_traces = sel.traces, base.traces
        self.selection_cp_ns = sel.cp_ns / n_sel if n_sel else 0.0
        self.baseline_cp_ns = base.cp_ns / n_base if n_base else 0.0
        self.selection_self_ns = sel.self_ns / n_sel if n_sel else 0.0
        self.baseline_self_ns = base.self_ns / n_base if n_base else 0.0
        self.selection_spans, self.baseline_spans = sel.spans, base.spans
        self.selection_errors, self.baseline_errors = sel.errors, base.errors
        self._durations = (sel.durations, base.durations)
        self._percentiles: tuple[int, int, int, int] | None = None

    @property
    def op(self) -> Op:
        return (self.service, self.name)

    @property
    def delta_cp_ns(self) -> float:
        return self.selection_cp_ns - self.baseline_cp_ns

    @property
    def delta_self_ns(self) -> float:
        return self.selection_self_ns - self.baseline_self_ns

    @property
    def selection_error_rate(self) -> float:
        return self.selection_errors / self.selection_spans if self.selection_spans else 0.0

    @property
    def baseline_error_rate(self) -> float:
        return self.baseline_errors / self.baseline_spans if self.baseline_spans else 0.0

    def percentiles(self) -> tuple[int, int, int, int]:
        """(selection p50, selection p99, baseline p50, baseline p99) of the span durations;
        computed on first use (the JSON does not need them)."""
        if self._percentiles is None:
            out: list[int] = []
            for lists in self._durations:
                values = sorted(chain.from_iterable(map(as_ints, lists)))
                out += [percentile(values, 50), percentile(values, 99)]
            self._percentiles = (out[0], out[1], out[2], out[3])
        return self._percentiles

    def to_json(self) -> dict:
        return {
            "service": self.service,
            "name": self.name,
            "selection_traces": self.selection_traces,
            "baseline_traces": self.baseline_traces,
            "selection_cp_ns": round(self.selection_cp_ns),
            "baseline_cp_ns": round(self.baseline_cp_ns),
            "delta_cp_ns": round(self.selection_cp_ns) - round(self.baseline_cp_ns),
            "selection_self_ns": round(self.selection_self_ns),
            "baseline_self_ns": round(self.baseline_self_ns),
        }


def _add(groups: dict[Op, _Group], facts: Sequence[TraceFacts]) -> Steps[None]:
    get = groups.get
    for f in facts:
        for op, of in f.ops.items():
            g = get(op)
            if g is None:
                g = groups[op] = _Group()
            g.traces += 1
            g.cp_ns += of.cp_ns
            g.self_ns += of.self_ns
            g.spans += of.spans
            g.errors += of.errors
            g.durations.append(of.durations)  # type: ignore[arg-type]
        yield None


def operation_rows_steps(selection: Sequence[TraceFacts], baseline: Sequence[TraceFacts]
                         ) -> Steps[list[OperationRow]]:
    """One row per operation seen in either group, the largest critical-path difference first
    (ties: the largest self-time difference, then by service and name). In steps: see steps.py."""
    sel: dict[Op, _Group] = {}
    base: dict[Op, _Group] = {}
    yield from _add(sel, selection)
    yield from _add(base, baseline)
    empty = _Group()
    rows = [OperationRow(op, sel.get(op, empty), base.get(op, empty), len(selection), len(baseline))
            for op in sel.keys() | base.keys()]
    rows.sort(key=lambda r: (-r.delta_cp_ns, -r.delta_self_ns, r.service, r.name))
    return rows


def operation_rows(selection: Sequence[TraceFacts], baseline: Sequence[TraceFacts]) -> list[OperationRow]:
    """`operation_rows_steps` at once."""
    return run(operation_rows_steps(selection, baseline))
