"""The lint panel as rows: findings grouped by kind, each with the spans it is about.

    ✗ Orphans (parent not in the trace)            a group: one kind of finding (space folds it)
        6 spans in 2 traces have a parent …        a finding: Enter jumps to its first span
          d0ead03c  inventory  SELECT stock        a span: Enter jumps to it
          … 12 more                                the rest listed (Enter: the finding's first span)

`LintPanelModel(report, store, trace_id)` shows the findings over every trace, or those of one
trace (`trace_id`); `target(row)` is where Enter goes: (trace id, span id), or None for a group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tracetui.analysis.lint import KINDS, Finding, LintReport
from tracetui.model import TraceStore

SPANS_SHOWN = 10  # span rows under a finding; one more row counts the rest
GROUP, FINDING, SPAN, MORE = "group", "finding", "span", "more"


@dataclass(frozen=True, slots=True)
class LintRow:
    """One line of the panel. `text` is data (not cleaned: the widget cleans what it draws)."""

    level: str
    severity: str
    text: str
    kind: str
    target: tuple[str, str] | None = None
    service: str = ""
    count: int = 0
    cost_ns: int | None = None


class LintPanelModel:
    def __init__(self, report: LintReport, store: TraceStore, trace_id: str | None = None) -> None:
        self.trace_id = trace_id
        self.findings: list[Finding] = report.findings(trace_id)
        self._label = _span_labeller(store)
        self.folded: set[str] = set()
        self.rows: list[LintRow] = []
        self._build()

    @property
    def is_clean(self) -> bool:
        return not self.findings

    def _build(self) -> None:
        rows: list[LintRow] = []
        by_kind: dict[str, list[Finding]] = {}
        for f in self.findings:
            by_kind.setdefault(f.kind, []).append(f)
        for name, group in by_kind.items():
            k = KINDS[name]
            count = sum(f.count for f in group)
            costs = [f.cost_ns for f in group if f.cost_ns is not None]
            rows.append(LintRow(GROUP, k.severity, k.title, name, count=count,
                                cost_ns=sum(costs) if costs else None))
            if name in self.folded:
                continue
            for f in group:
                first = f.spans[0] if f.spans else None
                rows.append(LintRow(FINDING, f.severity, f.message, name, first, count=f.count, cost_ns=f.cost_ns))
                for tid, sid in f.spans[:SPANS_SHOWN]:
                    service, text = self._label(tid, sid)
                    rows.append(LintRow(SPAN, f.severity, text, name, (tid, sid), service=service))
                if len(f.spans) > SPANS_SHOWN:
                    rows.append(LintRow(MORE, f.severity, f"… {len(f.spans) - SPANS_SHOWN:,} more", name, first))
        self.rows = rows

    def target(self, row: int) -> tuple[str, str] | None:
        """Where Enter on `row` goes: (trace id, span id), None for a group row."""
        if 0 <= row < len(self.rows):
            return self.rows[row].target
        return None

    def message(self, row: int) -> str:
        """The whole message of the finding `row` belongs to (a group: its title and count), for
        the line under the panel (rows are cut to the width)."""
        for i in range(min(row, len(self.rows) - 1), -1, -1):
            r = self.rows[i]
            if r.level == FINDING:
                return r.text
            if r.level == GROUP:
                n = sum(1 for f in self.findings if f.kind == r.kind)
                return f"{r.text}: {n:,} finding{'s' if n != 1 else ''}"
        return ""

    def toggle(self, row: int) -> int:
        """Fold or unfold the group of `row`; returns the row of that group afterwards."""
        if not 0 <= row < len(self.rows):
            return row
        kind = self.rows[row].kind
        self.folded ^= {kind}
        self._build()
        return next(i for i, r in enumerate(self.rows) if r.level == GROUP and r.kind == kind)

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        if not counts:
            return "no findings"
        return ", ".join(f"{n:,} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items())


def _span_labeller(store: TraceStore) -> Callable[[str, str], tuple[str, str]]:
    """(service, "trace-prefix  name") of a span by ids."""

    def label(trace_id: str, span_id: str) -> tuple[str, str]:
        trace = store.get(trace_id)
        pos = trace.position(span_id) if trace is not None else None
        if trace is None or pos is None:
            return "", f"{trace_id[:8]}  span {span_id}"
        s = trace.spans[pos]
        return s.resource.service, f"{trace_id[:8]}  {s.resource.service}  {s.name}"

    return label
