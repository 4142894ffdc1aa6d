"""CRISP: the critical path of many traces of one root operation, cut by latency percentile.

For the traces of one root operation (the root span's `service: operation`) sorted by duration,
each trace's critical path is cut into call paths (`call_paths.py`): how long each path spends
on the critical path itself. A *window* of percentiles (P0–50, P95–100, …) picks a stretch of
the sorted traces; the profile of a window is the mean per trace of each path's time, a trace
without the path counting 0 (Uber's CRISP, USENIX ATC '22; DESIGN.md "Across traces").

Which traces a window holds: of n traces sorted by duration (ties by trace id), those ranked
from ⌊n·A/100⌋ to ⌈n·B/100⌉ (0-based, end excluded), at least one: P0–50 of 10 traces is the 5
fastest, P95–100 of 20 the slowest one, P0–100 all of them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from tracetui.analysis.call_paths import CallPaths
from tracetui.analysis.flame import call_tree, frame_of
from tracetui.model.trace import Trace

PRESET_WINDOWS: tuple[tuple[float, float], ...] = ((0, 50), (0, 95), (0, 99), (0, 100))
TAIL_WINDOW = (95.0, 100.0)
BODY_WINDOW = (0.0, 50.0)
TOP_PERCENTILES = (50, 95, 99)

_WINDOW = re.compile(r"^\s*[pP]?\s*(\d+(?:\.\d+)?)\s*[-–—:]\s*[pP]?\s*(\d+(?:\.\d+)?)\s*$")


class WindowError(ValueError):
    """A window of percentiles that cannot be read (the message is one line)."""


def parse_window(text: str) -> tuple[float, float]:
    """`"0-50"`, `"P95-100"`, `"p0–99"` → (A, B) with 0 ≤ A < B ≤ 100."""
    m = _WINDOW.match(text)
    if m is None:
        raise WindowError(f"window {text!r}: expected A-B in percent, e.g. 0-50 or 95-100")
    lo, hi = float(m.group(1)), float(m.group(2))
    if not 0 <= lo < hi <= 100:
        raise WindowError(f"window {text!r}: needs 0 ≤ A < B ≤ 100")
    return lo, hi


def window_name(window: tuple[float, float]) -> str:
    """(0, 50) → "P0–50"."""
    return "P" + "–".join(f"{v:g}" for v in window)


def window_slice(n: int, window: tuple[float, float]) -> slice:
    """The ranks of the traces a window holds, of n sorted by duration (see the module doc)."""
    lo = min(n - 1, math.floor(n * window[0] / 100)) if n else 0
    hi = max(lo + 1, math.ceil(n * window[1] / 100)) if n else 0
    return slice(max(0, lo), min(n, hi))


def root_frame(trace: Trace) -> str | None:
    """The trace's root operation as a frame ("service: name"), None for an empty trace."""
    root = trace.root
    return frame_of(root) if root is not None else None


def root_operations(traces: Iterable[Trace]) -> list[tuple[str, int]]:
    """Every root operation with its number of traces, the most frequent first (ties by name)."""
    counts = Counter(f for f in map(root_frame, traces) if f is not None)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def critical_path_by_call_path(trace: Trace, paths: CallPaths) -> dict[int, int]:
    """Nanoseconds each call path of `trace` spends on the critical path itself (the call tree's
    `cp_self_ns`, its nodes interned in `paths`)."""
    tree = call_tree(trace, self_time=False)
    cp = tree.cp_self_ns
    return {pid: cp[n] for n, pid in enumerate(paths.of_tree(tree)) if cp[n]}


@dataclass(frozen=True, slots=True)
class TraceProfile:
    """One trace's critical path by call path."""

    trace_id: str
    duration_ns: int
    cp: dict[int, int]


def profiles(traces: Sequence[Trace], paths: CallPaths,
             progress: Callable[[int, int], None] | None = None) -> list[TraceProfile]:
    """The profile of every trace, sorted by duration (ties by trace id). `progress(done, total)`
    is called every 64 traces and at the end."""
    out = []
    total = len(traces)
    for k, t in enumerate(traces, 1):
        out.append(TraceProfile(t.trace_id, t.duration_ns, critical_path_by_call_path(t, paths)))
        if progress is not None and (k % 64 == 0 or k == total):
            progress(k, total)
    out.sort(key=lambda p: (p.duration_ns, p.trace_id))
    return out


def window(sorted_profiles: Sequence[TraceProfile], win: tuple[float, float]) -> Sequence[TraceProfile]:
    """The profiles a window of percentiles holds (`sorted_profiles` sorted by duration)."""
    return sorted_profiles[window_slice(len(sorted_profiles), win)]


def mean_cp(group: Sequence[TraceProfile]) -> dict[int, float]:
    """Mean per trace of each call path's critical-path time (a trace without it counts 0)."""
    total: dict[int, int] = {}
    get = total.get
    for p in group:
        for pid, ns in p.cp.items():
            total[pid] = get(pid, 0) + ns
    n = len(group) or 1
    return {pid: ns / n for pid, ns in total.items()}


def percentile_ns(values: Sequence[int], missing: int, pct: float) -> int:
    """The nearest-rank percentile of `values` plus `missing` zeros."""
    n = len(values) + missing
    if not n:
        return 0
    rank = max(1, math.ceil(pct / 100 * n))
    if rank <= missing:
        return 0
    return sorted(values)[rank - missing - 1]


def top_paths(group: Sequence[TraceProfile], pct: float, limit: int = 10) -> list[tuple[int, int]]:
    """The call paths with the most critical-path time at percentile `pct` over the traces of
    `group` (nearest rank, a trace without the path counting 0): [(path, ns)], largest first."""
    values: dict[int, list[int]] = {}
    for p in group:
        for pid, ns in p.cp.items():
            if ns:
                values.setdefault(pid, []).append(ns)
    n = len(group)
    ranked = [(pid, percentile_ns(v, n - len(v), pct)) for pid, v in values.items()]
    ranked = [(pid, ns) for pid, ns in ranked if ns > 0]
    ranked.sort(key=lambda x: (-x[1], x[0]))
    return ranked[:limit]


@dataclass(frozen=True, slots=True)
class PathDelta:
    """One call path in two groups: the mean per trace of its critical-path time in each."""

    path: int
    a_ns: float
    b_ns: float

    @property
    def delta_ns(self) -> float:
        return self.b_ns - self.a_ns


def diff(a: dict[int, float], b: dict[int, float]) -> list[PathDelta]:
    """Every call path of either profile, the largest change (|b − a|) first."""
    out = [PathDelta(pid, a.get(pid, 0.0), b.get(pid, 0.0)) for pid in a.keys() | b.keys()]
    out.sort(key=lambda d: (-abs(d.delta_ns), d.path))
    return out


@dataclass
class Crisp:
    """The traces of one root operation, profiled: what every screen and command cuts from."""

    paths: CallPaths
    root: str
    profiles: list[TraceProfile]

    def window(self, win: tuple[float, float]) -> Sequence[TraceProfile]:
        return window(self.profiles, win)

    def mean(self, win: tuple[float, float]) -> dict[int, float]:
        return mean_cp(self.window(win))

    def top(self, pct: float, limit: int = 10) -> list[tuple[int, int]]:
        return top_paths(self.profiles, pct, limit)


def traces_of_root(traces: Iterable[Trace], root: str | None = None) -> tuple[str | None, list[Trace]]:
    """The traces whose root operation is `root` (default: the most frequent root operation)."""
    traces = list(traces)
    if root is None:
        ops = root_operations(traces)
        if not ops:
            return None, []
        root = ops[0][0]
    return root, [t for t in traces if root_frame(t) == root]


def crisp(traces: Iterable[Trace], root: str | None = None, paths: CallPaths | None = None,
          progress: Callable[[int, int], None] | None = None) -> Crisp | None:
    """Profile the traces of `root` (default: the most frequent root operation); None when no
    trace has that root."""
    root, group = traces_of_root(traces, root)
    if root is None or not group:
        return None
    paths = CallPaths() if paths is None else paths
    return Crisp(paths, root, profiles(group, paths, progress))
