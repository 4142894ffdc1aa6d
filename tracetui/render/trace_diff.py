"""`tracetui diff`: the union tree of two traces as JSON (a contract: README) or a table."""

from __future__ import annotations

from tracetui.analysis.trace_diff import TraceDiff
from tracetui.model.text import clean
from tracetui.model.trace import Trace
from tracetui.render.units import fmt_duration


def diff_json(d: TraceDiff) -> dict:
    """`{"nodes": [{"path", "count_a", "count_b", "duration_a_ns", "duration_b_ns", "cp_a_ns",
    "cp_b_ns"}, …]}` sorted by |cp_b_ns − cp_a_ns|, largest first (ties in tree order)."""
    return {"nodes": [{
        "path": list(d.frames(n)),
        "count_a": n.count_a, "count_b": n.count_b,
        "duration_a_ns": n.duration_a_ns, "duration_b_ns": n.duration_b_ns,
        "cp_a_ns": n.cp_a_ns, "cp_b_ns": n.cp_b_ns,
    } for n in d.by_cp_change()]}



def diff_table(d: TraceDiff, a: Trace, b: Trace) -> list[str]:
    """The union tree as a person reads it: what changed open, each unchanged subtree folded
    into its top line (`+N` nodes below), the change in critical-path time last (B − A)."""
    lines = []
    for label, t in (("A", a), ("B", b)):
        root = t.root
        name = f"{root.resource.service}: {root.name}" if root is not None else "?"
        lines.append(f"{label} {t.trace_id}  {clean(name, 80)}  {fmt_duration(t.duration_ns)}")
    lines.append(f"{'count':>7} {'dur A':>8} {'dur B':>8} {'crit A':>8} {'crit B':>8} {'Δ crit':>9}  call path")
    folded = d.unchanged()
    for k, depth in d.rows(folded):
        n = d.nodes[k]
        hidden = d.size_below(k) if k in folded else 0
        indent = "  " * depth if depth <= 20 else "  " * 20 + f"[{depth}] "
        only = f"  [{n.only_in} only]" if n.only_in else ""
        more = f"  (+{hidden} unchanged below)" if hidden else ""
        count = f"{n.count_a}→{n.count_b}" if n.count_a != n.count_b else str(n.count_a)
        delta = n.cp_delta_ns
        sign = "+" if delta > 0 else "−" if delta < 0 else ""
        lines.append(f"{count:>7} {fmt_duration(n.duration_a_ns) if n.count_a else '–':>8} "
                     f"{fmt_duration(n.duration_b_ns) if n.count_b else '–':>8} {fmt_duration(n.cp_a_ns):>8} "
                     f"{fmt_duration(n.cp_b_ns):>8} {sign + fmt_duration(abs(delta)) if delta else '0':>9}  "
                     f"{indent}{clean(n.frame, 120)}{only}{more}")
    return lines
