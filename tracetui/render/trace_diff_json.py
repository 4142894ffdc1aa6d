"""The `tracetui diff --json` contract (README): every node of the union tree of two traces."""

from __future__ import annotations

from tracetui.analysis.trace_diff import TraceDiff


def diff_json(d: TraceDiff) -> dict:
    """`{"nodes": [{"path", "count_a", "count_b", "duration_a_ns", "duration_b_ns", "cp_a_ns",
    "cp_b_ns"}, …]}` sorted by |cp_b_ns − cp_a_ns|, largest first (ties in tree order)."""
    return {"nodes": [{
        "path": list(d.frames(n)),
        "count_a": n.count_a, "count_b": n.count_b,
        "duration_a_ns": n.duration_a_ns, "duration_b_ns": n.duration_b_ns,
        "cp_a_ns": n.cp_a_ns, "cp_b_ns": n.cp_b_ns,
    } for n in d.by_cp_change()]}
