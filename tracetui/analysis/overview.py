"""Everything the trace view needs to know about one trace, computed once when it opens."""

from __future__ import annotations

from tracetui.analysis.critical_path import RootPath, Section, root_paths
from tracetui.analysis.self_time import self_times
from tracetui.model.gcpause import gc_paused
from tracetui.model.span import STATUS_ERROR
from tracetui.model.trace import Trace


class TraceAnalysis:
    """Critical path, self times, errors and services of one trace.

    `on_path[pos]` is the time span `pos` spends on the critical path; `critical_order` lists the
    spans on the path once each, in the time order of their first stretch on it (what a user
    steps through when following the path). A trace with orphans has several trees: their paths
    overlap in time, so `main_path_ns` is the path of the request's root alone and `other_paths`
    the other trees' (top span, path length); `critical_path_ns` is the main path too.
    """

    __slots__ = (
        "trace", "sections", "on_path", "on_path_set", "critical_order", "critical_path_ns",
        "self_times", "error_positions", "services", "service_order", "max_depth", "path_sections",
        "critical_starts", "main_path_ns", "other_paths",
    )

    def __init__(self, trace: Trace) -> None:
        trace.ensure_built()
        self.trace = trace
        self._compute(trace)

    @gc_paused  # hundreds of thousands of small objects: the collector would dominate
    def _compute(self, trace: Trace) -> None:
        paths: list[RootPath] = root_paths(trace)
        self.sections: list[Section] = [s for p in paths for s in p.sections]
        self.main_path_ns: int = paths[0].duration_ns if paths else 0
        self.other_paths: list[tuple[int, int]] = [(p.top, p.duration_ns) for p in paths[1:]]
        path_sections: dict[int, list[tuple[int, int]]] = {}
        get = path_sections.get
        for s in self.sections:
            lst = get(s.pos)
            if lst is None:
                path_sections[s.pos] = [(s.start_ns, s.end_ns)]
            else:
                lst.append((s.start_ns, s.end_ns))
        self.path_sections = path_sections
        self.on_path: dict[int, int] = {p: sum(b - a for a, b in lst) for p, lst in path_sections.items()}
        self.on_path_set: frozenset[int] = frozenset(path_sections)
        first = {p: min(a for a, _ in lst) for p, lst in path_sections.items()}
        # Time order; a parent and the child that starts with it: parent first (tree order).
        depth = trace.depth
        self.critical_order: list[int] = sorted(first, key=lambda p: (first[p], depth[p]))
        self.critical_starts: list[int] = [first[p] for p in self.critical_order]
        self.critical_path_ns: int = self.main_path_ns
        self.self_times: list[int] = self_times(trace)
        spans = trace.spans
        self.error_positions: list[int] = [p for p in trace.order if spans[p].status == STATUS_ERROR]
        counts: dict[str, int] = {}
        for s in spans:
            name = s.resource.service
            counts[name] = counts.get(name, 0) + 1
        self.services: list[tuple[str, int]] = sorted(counts.items())
        # In order of appearance (tree pre-order: the root's service first), for colours.
        seen: dict[int, None] = {}
        resources = []
        for p in trace.order:
            r = spans[p].resource
            if id(r) not in seen:
                seen[id(r)] = None
                resources.append(r)
        self.service_order: list[str] = list(dict.fromkeys([*(r.service for r in resources), *counts]))
        self.max_depth: int = trace.max_depth
