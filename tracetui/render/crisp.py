"""`tracetui flame` without `--trace`: the CRISP profile of one window, as folded stacks, JSON or a
table (the JSON shape is a contract: README)."""

from __future__ import annotations

from tracetui.analysis.call_paths import NO_PATH, CallPaths
from tracetui.analysis.crisp import TOP_PERCENTILES, Crisp, mean_cp, window_name
from tracetui.model.text import clean
from tracetui.render.flame import folded_lines
from tracetui.render.units import fmt_duration


def preorder(paths: CallPaths, keep: set[int]) -> list[int]:
    """The paths in `keep` (with their ancestors in it), parents first, children as first seen."""
    out: list[int] = []
    stack = [p for p in reversed(paths.children(NO_PATH)) if p in keep]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(c for c in reversed(paths.children(p)) if c in keep)
    return out


def _with_ancestors(paths: CallPaths, ids) -> set[int]:
    keep: set[int] = set()
    for p in ids:
        while p != NO_PATH and p not in keep:
            keep.add(p)
            p = paths.parent[p]
    return keep


def crisp_folded(c: Crisp, win: tuple[float, float]) -> list[str]:
    """One folded line per call path on the critical path in the window: the mean per trace in µs."""
    mean = c.mean(win)
    order = preorder(c.paths, _with_ancestors(c.paths, mean))
    return folded_lines({c.paths.frames(p): mean[p] for p in order if p in mean})


def crisp_json(c: Crisp, win: tuple[float, float], top: int = 10) -> dict:
    """`tracetui flame --root … --window A-B --json` (README)."""
    group = c.window(win)
    mean = mean_cp(group)
    seen: dict[int, int] = {}
    for p in group:
        for pid, ns in p.cp.items():
            if ns:
                seen[pid] = seen.get(pid, 0) + 1
    keep = _with_ancestors(c.paths, mean)
    order = preorder(c.paths, keep)
    total = {p: mean.get(p, 0.0) for p in order}
    for p in reversed(order):
        parent = c.paths.parent[p]
        if parent != NO_PATH:
            total[parent] += total[p]
    return {
        "root": c.root,
        "window": list(win),
        "traces": len(c.profiles),
        "window_traces": len(group),
        "window_duration_ns": [group[0].duration_ns, group[-1].duration_ns] if group else None,
        "paths": [{
            "path": list(c.paths.frames(p)),
            "cp_self_ns": round(mean.get(p, 0.0)),
            "cp_ns": round(total[p]),
            "on_path_traces": seen.get(p, 0),
        } for p in order],
        "top": {f"p{pct}": [{"path": list(c.paths.frames(pid)), "cp_self_ns": ns} for pid, ns in c.top(pct, top)]
                for pct in TOP_PERCENTILES},
    }


def crisp_table(c: Crisp, win: tuple[float, float], top: int = 30) -> list[str]:
    """The call paths of the window as indented lines, then the top paths at P50, P95, P99."""
    doc = crisp_json(c, win, top=5)
    lines = [f"root {clean(c.root, 120)}  ·  {window_name(win)}: {doc['window_traces']:,} of "
             f"{doc['traces']:,} traces"
             + (f" ({fmt_duration(doc['window_duration_ns'][0])} – {fmt_duration(doc['window_duration_ns'][1])})"
                if doc["window_duration_ns"] else ""),
             "mean per trace on the critical path:",
             f"{'own':>9} {'with callees':>12} {'traces':>7}  call path"]
    rows = doc["paths"]
    for row in rows[:top]:
        depth = len(row["path"]) - 1
        indent = "  " * depth if depth <= 20 else "  " * 20 + f"[{depth}] "
        lines.append(f"{fmt_duration(row['cp_self_ns']):>9} {fmt_duration(row['cp_ns']):>12} "
                     f"{row['on_path_traces']:>7}  {indent}{clean(row['path'][-1], 120)}")
    if len(rows) > top:
        lines.append(f"… {len(rows) - top:,} more call paths; --top N shows more, --json all")
    lines.append("")
    lines.append("top call paths by critical-path time (nearest rank over all traces of the root):")
    for pct in TOP_PERCENTILES:
        lines.append(f"  P{pct}")
        for entry in doc["top"][f"p{pct}"]:
            lines.append(f"    {fmt_duration(entry['cp_self_ns']):>9}  {' › '.join(clean(f, 80) for f in entry['path'][-2:])}")
    return lines
