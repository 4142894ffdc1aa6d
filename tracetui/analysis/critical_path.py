"""The critical path: the chain of work that decided when the trace ended.

Computed as Jaeger UI does (components/TracePage/CriticalPath): for each top-level span, drop
non-blocking children (FOLLOWS_FROM, producer→consumer) with their subtrees, clip children to
their parent (dropping those wholly outside), then walk back from the span's end: take the child
that finished last before the current point, recurse into it, and continue from its start; time
not covered by a child belongs to the span itself. Loops with explicit stacks, never recursion.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracetui.model.trace import NO_PARENT, Trace


@dataclass(frozen=True, slots=True)
class Section:
    """Span `pos` is on the critical path from `start_ns` to `end_ns`."""

    pos: int
    start_ns: int
    end_ns: int

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns


def critical_path(trace: Trace) -> list[Section]:
    """Sections in the order Jaeger emits them: from the end backwards, top-level span by span."""
    trace.ensure_built()
    out: list[Section] = []
    for top in trace.top:
        out.extend(_for_tree(trace, top))
    return out


def _for_tree(trace: Trace, top: int) -> list[Section]:
    spans, children = trace.spans, trace.children
    # Clipped times and surviving children, parents before children (pre-order).
    start: dict[int, int] = {top: spans[top].start_ns}
    end: dict[int, int] = {top: spans[top].end_ns}
    kids: dict[int, list[int]] = {}
    stack = [top]
    while stack:
        p = stack.pop()
        ps, pe = start[p], end[p]
        keep = []
        for c in children[p]:
            if not trace.is_blocking(c):
                continue
            cs, ce = spans[c].start_ns, spans[c].end_ns
            if cs >= ps:
                if cs >= pe:
                    continue  # starts after the parent ended: not on the parent's path
                ce = min(ce, pe)
            else:
                if ce <= ps:
                    continue
                cs, ce = ps, min(ce, pe)
            start[c], end[c] = cs, ce
            keep.append(c)
        kids[p] = keep
        stack.extend(keep)

    sections: list[Section] = []
    parent = trace.parent
    cur, barrier = top, None
    while True:
        lfc, best = None, -1
        for c in kids[cur]:
            ce = end[c]
            if (barrier is None or ce < barrier) and ce > best:
                best, lfc = ce, c
        section_end = barrier if barrier is not None else end[cur]
        if lfc is not None:
            if best != section_end:
                sections.append(Section(cur, best, section_end))
            cur, barrier = lfc, None
            continue
        if start[cur] != section_end:
            sections.append(Section(cur, start[cur], section_end))
        if cur == top:
            break
        p = parent[cur]
        if p == NO_PARENT:
            break
        cur, barrier = p, start[cur]
    return sections


def time_on_path(trace: Trace, sections: list[Section] | None = None) -> dict[int, int]:
    """Nanoseconds each span spends on the critical path."""
    out: dict[int, int] = {}
    for s in sections if sections is not None else critical_path(trace):
        out[s.pos] = out.get(s.pos, 0) + s.duration_ns
    return out
