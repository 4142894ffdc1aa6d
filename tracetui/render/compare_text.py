"""How the comparison's figures read, the same in `tracetui compare` and the comparison screen."""

from __future__ import annotations

from typing import Any

from tracetui.analysis.compare import AttributeRow, Comparison
from tracetui.model.text import clean
from tracetui.render.units import fmt_duration


def fmt_share(share: float) -> str:
    """A share as a percentage: 100%, 42%, 3.5%, 0.4%, 0%."""
    pct = 100.0 * share
    if pct == 0 or pct >= 99.95:
        return f"{pct:.0f}%"
    return f"{pct:.0f}%" if pct >= 9.95 else f"{pct:.1f}%"


def fmt_points(delta: float) -> str:
    """A difference of shares in points, signed: +38.2, -4.0."""
    return f"{100.0 * delta:+.1f}"


def fmt_p(p: float) -> str:
    """A p- or q-value: 0.032, 4.1e-07, <1e-300, 1."""
    if p >= 0.9995:
        return "1"
    if p >= 0.001:
        return f"{p:.3f}"
    if p <= 1e-300:
        return "<1e-300"
    return f"{p:.1e}"


def fmt_delta_ns(ns: float) -> str:
    return ("+" if ns > 0 else "") + fmt_duration(ns) if ns else "0"


def value_text(row: AttributeRow, max_len: int | None = None) -> str:
    """The value cell: the value as text (cleaned), `(absent)`, `(other: …)`, or for a numeric key
    its medians (`median 120 → 3400`)."""
    if row.kind == "numeric":
        return f"median {_num(row.selection_median)} vs {_num(row.baseline_median)}"
    v: Any = row.value
    if isinstance(v, bool):
        v = "true" if v else "false"
    text = clean(v, max_len)
    return f'"{text}"' if isinstance(row.value, str) and row.kind == "value" and text == "" else text


def _num(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:,.0f}" if v == int(v) else f"{v:,.3g}"


def groups_lines(c: Comparison) -> tuple[str, str]:
    """`selection: slowest 10% (duration ≥ 385ms) · 17 traces`, `baseline: the rest · 143 traces`."""
    sel = c.selection.label()
    if c.threshold_ns is not None:
        sel += f" (duration ≥ {fmt_duration(c.threshold_ns)})"
    elif c.selection_query and c.selection_query != sel:
        sel += f" ({c.selection_query})"
    base = c.baseline_query or "the rest"
    return (f"selection: {clean(sel)} · {c.selection_count:,} traces",
            f"baseline:  {clean(base)} · {c.baseline_count:,} traces")
