"""`tracetui flame` output: folded stacks (flamegraph.pl, inferno, speedscope), the one-trace JSON
document (the contract in the README) and the call-path table a person reads."""

from __future__ import annotations

import math
from collections.abc import Mapping

from tracetui.analysis.critical_path import critical_path
from tracetui.analysis.flame import CallPath, call_tree, critical_path_ns
from tracetui.analysis.summary import summarize
from tracetui.model.text import clean
from tracetui.model.trace import Trace
from tracetui.render.units import fmt_duration


def folded_frame(frame: str) -> str:
    """A frame as the folded format can carry it: cleaned (one line, nothing a terminal acts on)
    and `;` (the frame separator) written as `,`."""
    return clean(frame).replace(";", ",")


def round_to_us(ns_by_path: Mapping[CallPath, float]) -> dict[CallPath, int]:
    """Nanoseconds to whole microseconds so that the microseconds add up to the rounded total
    (largest remainder: the paths that lost most to rounding down get the microseconds left)."""
    floors: dict[CallPath, int] = {}
    rest: list[tuple[float, int, CallPath]] = []
    total = 0.0
    for k, (path, ns) in enumerate(ns_by_path.items()):
        us = ns / 1000
        total += us
        f = math.floor(us)
        floors[path] = f
        rest.append((us - f, -k, path))
    extra = round(total) - sum(floors.values())
    if extra > 0:
        rest.sort(reverse=True)
        for _, _, path in rest[:extra]:
            floors[path] += 1
    return floors


def folded_lines(ns_by_path: Mapping[CallPath, float]) -> list[str]:
    """One `FRAME;FRAME;… MICROSECONDS` line per call path, in the mapping's order; paths that
    round to 0 µs are left out (the lines still add up to the rounded total)."""
    return [";".join(map(folded_frame, path)) + f" {us}" for path, us in round_to_us(ns_by_path).items() if us > 0]


def trace_flame_json(trace: Trace) -> dict:
    """`tracetui flame --trace ID --json`: the trace's call paths in pre-order (see README)."""
    sections = critical_path(trace)
    t = call_tree(trace, sections)
    cp_total = t.totals(t.cp_self_ns)
    order = t.preorder()
    return {
        "trace_id": trace.trace_id,
        "duration_ns": trace.duration_ns,
        "critical_path_ns": critical_path_ns(sections),
        "paths": [
            {
                "path": list(t.path(n)),
                "count": t.count[n],
                "duration_ns": t.duration_ns[n],
                "self_ns": t.self_ns[n],
                "cp_self_ns": t.cp_self_ns[n],
                "cp_ns": cp_total[n],
            }
            for n in order
        ],
    }


def trace_flame_table(trace: Trace, top: int | None = None) -> list[str]:
    """The call tree as indented lines: critical path (self, with descendants), self time, count.
    `top` limits the lines (the deepest first to go: pre-order, cut at the end, one line says so)."""
    sections = critical_path(trace)
    t = call_tree(trace, sections)
    cp_total = t.totals(t.cp_self_ns)
    s = summarize(trace)
    head = (f"trace {trace.trace_id}  {clean(s.root_service)}: {clean(s.root_name)}  "
            f"duration {fmt_duration(trace.duration_ns)}  critical path {fmt_duration(critical_path_ns(sections))}")
    lines = [head, f"{'cp self':>9} {'cp':>9} {'self':>9} {'count':>6}  call path"]
    order = t.preorder()
    shown = order if top is None else order[:top]
    for n in shown:
        lines.append(f"{fmt_duration(t.cp_self_ns[n]):>9} {fmt_duration(cp_total[n]):>9} "
                     f"{fmt_duration(t.self_ns[n]):>9} {t.count[n]:>6}  {_indent(t.depth[n])}{clean(t.frame[n], 120)}")
    if len(shown) < len(order):
        lines.append(f"… {len(order) - len(shown):,} more call paths; --top N shows more, --json all")
    return lines


def _indent(depth: int) -> str:
    """Two spaces a level up to 20 levels; deeper, the depth as a number (a 100k-deep chain)."""
    return "  " * depth if depth <= 20 else "  " * 20 + f"[{depth}] "
