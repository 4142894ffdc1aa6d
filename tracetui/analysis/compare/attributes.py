"""The attributes table: which (key, value) pairs the selection has more (or less) often than
the baseline.

Units are traces (trace scope: the value on any span or resource of the trace) or spans (span
scope: spans of one chosen operation). For each key:

- every value is a row, with "(absent)" for the units without the key; only the 50 values held
  by the most units, and held by two units at least, stay rows of their own (a key with only
  one or two values keeps them), the rest are one row "(other: N values)": ids, URLs and
  timestamps would otherwise flood the table;
- a key whose values are all numbers, with more than 20 distinct ones, is compared as a
  distribution instead (one row, value "(numeric)"): Mann–Whitney U over the values the units of
  each group hold (a unit counts each distinct value it holds once). Its `delta` is the rank-
  biserial difference P(selection value > baseline value) − P(<), from −1 to 1 like a share
  difference; its shares are the shares of units that have the key. Few distinct numbers (status
  codes, ports) stay categories.

Each row has a p-value (`significance.proportion_p`: Fisher's exact test when counts are small,
else the two-proportion z test; Mann–Whitney for numeric keys) and a q-value (Benjamini–Hochberg
over every row tested). Rows are ranked: those with q ≤ 0.05 first, by delta, largest first
(what the selection has more of on top, what it lacks at the end of them); then the rest, by
delta too. Rows whose value every unit of both groups has (or none has) say nothing and are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracetui.analysis.compare.facts import PRESENT, PairIds, PairTable
from tracetui.analysis.compare.significance import benjamini_hochberg, mann_whitney, proportion_p
from tracetui.analysis.compare.steps import Steps, run

TOP_VALUES = 50
NUMERIC_MIN_DISTINCT = 20
Q_PASS = 0.05
TRACE, SPAN = "trace", "span"
ABSENT, NUMERIC = "(absent)", "(numeric)"
VALUE, ABSENT_KIND, OTHER_KIND, NUMERIC_KIND = "value", "absent", "other", "numeric"


class _Other:
    __slots__ = ()

    def __repr__(self) -> str:
        return "OTHER"


OTHER = _Other()  # the value of the pair standing for a key's grouped values


@dataclass(slots=True)
class AttributeRow:
    key: str
    value: Any  # the attribute's value, or "(absent)", "(other: N values)", "(numeric)"
    kind: str  # value | absent | other | numeric
    scope: str
    selection_count: int
    selection_total: int
    baseline_count: int
    baseline_total: int
    delta: float
    p_value: float
    q_value: float = 1.0
    selection_median: float | None = None  # numeric rows
    baseline_median: float | None = None
    unit_id: int = -1  # the pair id a unit's (grouped) pair ids hold when it has this row's value (absent: the key)

    @property
    def selection_share(self) -> float:
        return self.selection_count / self.selection_total if self.selection_total else 0.0

    @property
    def baseline_share(self) -> float:
        return self.baseline_count / self.baseline_total if self.baseline_total else 0.0

    @property
    def passes(self) -> bool:
        return self.q_value <= Q_PASS

    def held_by(self, unit_ids: PairIds) -> bool:
        """Whether a unit with these (grouped) pair ids has this row's value."""
        return (self.unit_id in unit_ids) != (self.kind == ABSENT_KIND)

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "value": self.value,
            "scope": self.scope,
            "selection_share": self.selection_share,
            "baseline_share": self.baseline_share,
            "delta": self.delta,
            "p_value": self.p_value,
            "q_value": self.q_value,
        }


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


class AttributeUniverse:
    """The units of one comparison (every listed trace, or every span of one operation) and what
    is decided over all of them: which keys are numeric, which values are grouped. Built once;
    `rows(in_selection, in_baseline)` then compares any split of the units. A unit is the distinct
    pair ids of `table` it holds (`PairIds`)."""

    def __init__(self, unit_pairs: Sequence[PairIds], table: PairTable, scope: str = TRACE) -> None:
        run(self._build(unit_pairs, table, scope))

    @classmethod
    def build_steps(cls, unit_pairs: Sequence[PairIds], table: PairTable, scope: str = TRACE
                    ) -> Steps[AttributeUniverse]:
        """The universe, built in steps (see steps.py)."""
        self = cls.__new__(cls)
        yield from self._build(unit_pairs, table, scope)
        return self

    def _build(self, unit_pairs: Sequence[PairIds], table: PairTable, scope: str) -> Steps[None]:
        self.scope = scope
        self.table = table
        total: Counter[int] = Counter()
        for p in unit_pairs:
            total.update(p)
            yield None
        pairs = table.pairs
        values: dict[str, list[tuple[int, Any, int]]] = {}  # key -> (units, value, id)
        self.present: dict[str, int] = {}  # key -> id of (key, PRESENT)
        for n, (i, c) in enumerate(total.items()):
            if n % 1024 == 0:
                yield None
            k, v = pairs[i]
            if v is PRESENT:
                self.present[k] = i
            else:
                values.setdefault(k, []).append((c, v, i))
        self.numeric: dict[str, list[tuple[Any, int]]] = {}  # key -> (value, id)
        self.kept: dict[str, list[tuple[Any, int]]] = {}
        self.other: dict[str, tuple[int, int]] = {}  # key -> (how many values are grouped, the group's id)
        overflow: dict[int, int] = {}  # pair id -> the id of its key's group
        for k, cv in values.items():
            yield None
            if len(cv) > NUMERIC_MIN_DISTINCT and all(_is_number(v) for _, v, _ in cv):
                self.numeric[k] = [(v, i) for _, v, i in cv]
                continue
            cv.sort(key=lambda t: (-t[0], str(t[1])))
            keep = min(TOP_VALUES, len(cv))
            if len(cv) > 2:  # values held by one unit only are grouped too, unless the key has two at most
                while keep and cv[keep - 1][0] < 2:
                    keep -= 1
            self.kept[k] = [(v, i) for _, v, i in cv[:keep]]
            if len(cv) > keep:
                group = table.id_of((k, OTHER))
                self.other[k] = (len(cv) - keep, group)
                for _, _, i in cv[keep:]:
                    overflow[i] = group
        grouped = frozenset(overflow)
        if not overflow:
            self.units = list(unit_pairs)
            return
        self.units = []
        for p in unit_pairs:
            self.units.append(self._group(p, overflow, grouped))
            yield None

    @staticmethod
    def _group(pairs: PairIds, overflow: dict[int, int], grouped: frozenset[int]) -> PairIds:
        hit = grouped.intersection(pairs)
        if not hit:
            return pairs
        return tuple(frozenset(pairs).difference(hit).union(map(overflow.__getitem__, hit)))

    def rows(self, in_selection: Sequence[bool], in_baseline: Sequence[bool]) -> list[AttributeRow]:
        """Rows for a split of the units (`in_selection[i]`, `in_baseline[i]`: where unit i is)."""
        return run(self.rows_steps(in_selection, in_baseline))

    def rows_steps(self, in_selection: Sequence[bool], in_baseline: Sequence[bool]) -> Steps[list[AttributeRow]]:
        """`rows`, in steps (see steps.py)."""
        sel: Counter[int] = Counter()
        base: Counter[int] = Counter()
        n_sel = n_base = 0
        for p, s, b in zip(self.units, in_selection, in_baseline, strict=True):
            if s:
                sel.update(p)
                n_sel += 1
            elif b:
                base.update(p)
                n_base += 1
            yield None
        rows: list[AttributeRow] = []
        scope = self.scope

        def add(key: str, value: Any, kind: str, x1: int, x2: int, unit_id: int) -> None:
            if (x1 == n_sel and x2 == n_base) or (x1 == 0 and x2 == 0):
                return  # every unit has it, or none: nothing to compare
            delta = (x1 / n_sel if n_sel else 0.0) - (x2 / n_base if n_base else 0.0)
            rows.append(AttributeRow(key, value, kind, scope, x1, n_sel, x2, n_base, delta,
                                     proportion_p(x1, n_sel, x2, n_base), unit_id=unit_id))

        for k, vals in self.kept.items():
            for v, i in vals:
                add(k, v, VALUE, sel[i], base[i], i)
                yield None
            if k in self.other:
                count, group = self.other[k]
                add(k, f"(other: {count:,} values)", OTHER_KIND, sel[group], base[group], group)
        for k, vals in self.numeric.items():
            yield None
            xs = {v: c for v, i in vals if (c := sel[i])}
            ys = {v: c for v, i in vals if (c := base[i])}
            present = self.present[k]
            if not xs or not ys:
                continue
            u, p = mann_whitney(xs, ys)
            n1, n2 = sum(xs.values()), sum(ys.values())
            rows.append(AttributeRow(k, NUMERIC, NUMERIC_KIND, scope, sel[present], n_sel, base[present], n_base,
                                     2.0 * u / (n1 * n2) - 1.0, p,
                                     selection_median=_median(xs), baseline_median=_median(ys), unit_id=present))
        for k in list(self.kept) + list(self.numeric):
            present = self.present[k]
            add(k, ABSENT, ABSENT_KIND, n_sel - sel[present], n_base - base[present], present)
            yield None
        if rows:
            for r, q in zip(rows, benjamini_hochberg([r.p_value for r in rows]), strict=True):
                r.q_value = q
        rows.sort(key=lambda r: (not r.passes, -r.delta, r.q_value, r.key, str(r.value)))
        return rows


def _median(counts: dict[Any, int]) -> float:
    n = sum(counts.values())
    seen = 0
    for v in sorted(counts):
        seen += counts[v]
        if seen * 2 >= n:
            return float(v)
    return 0.0
