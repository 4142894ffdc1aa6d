"""Call paths of one trace: the tree of `service: operation` chains from the root, with the time
each spends on the critical path itself. The flame graphs (one trace's "left heavy" view, CRISP
over many traces), the folded stacks of `tracetui flame` and the diffs are built on it.

A **call path** is the chain of frames `"SERVICE: NAME"` from a top-level span (a root, or an
orphan: its chain starts at it) down to a span; spans of one trace with the same call path are
merged into one node of the `CallTree`. For each node:

  count       spans with this path
  duration_ns sum of their durations
  self_ns     sum of their self times (analysis/self_time.py): what the node's width is in the
              "left heavy" view, as a profiler's self weight (a node's total = self + its
              children's totals, so children always fit inside their parent)
  cp_self_ns  time the path's spans are on the critical path themselves (sections of the path,
              analysis/critical_path.py): over all nodes, these add up to the critical path

Built by walking the trace's pre-order (a loop, any depth). A 100k-deep chain has 100k nodes;
the node is a number and its path is only spelled out on request (`path(node)`: O(depth)).
"""

from __future__ import annotations

from tracetui.analysis.critical_path import Section, critical_path
from tracetui.analysis.self_time import self_times
from tracetui.model.gcpause import gc_paused
from tracetui.model.span import Span
from tracetui.model.trace import NO_PARENT, Trace

NO_NODE = -1

CallPath = tuple[str, ...]


def frame_of(span: Span) -> str:
    """The frame of a span in a call path: `SERVICE: NAME` (the text as read; shown cleaned)."""
    return f"{span.resource.service}: {span.name}"


class CallTree:
    """The merged call paths of one trace; nodes are numbered in pre-order, children in the order
    their first span starts (so node 0 is the first top-level path when there is one).

      frame[n], parent[n] (NO_NODE for a top), children[n] (node numbers), depth[n]
      spans[n]                positions of the spans merged into n, in the trace's pre-order
      count[n], duration_ns[n], self_ns[n], cp_self_ns[n]   (see the module)
      node_of[i]              the node of span position i
    """

    __slots__ = ("frame", "parent", "children", "depth", "_spans", "_order", "count", "duration_ns", "self_ns",
                 "cp_self_ns", "node_of", "tops")

    def __init__(self) -> None:
        self.frame: list[str] = []
        self.parent: list[int] = []
        self.children: list[list[int]] = []
        self.depth: list[int] = []
        self._spans: list[list[int]] | None = None
        self._order: list[int] = []  # the trace's pre-order
        self.count: list[int] = []
        self.duration_ns: list[int] = []
        self.self_ns: list[int] = []
        self.cp_self_ns: list[int] = []
        self.node_of: list[int] = []
        self.tops: list[int] = []

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def spans(self) -> list[list[int]]:
        """Positions of the spans merged into each node, in the trace's pre-order (grouped on
        first use: the graph needs them only for the frames a user selects)."""
        if self._spans is None:
            groups: list[list[int]] = [[] for _ in self.frame]
            appends = [g.append for g in groups]
            node_of = self.node_of
            for i in self._order:
                appends[node_of[i]](i)
            self._spans = groups
        return self._spans

    def path(self, node: int) -> CallPath:
        """The frames from the top down to `node`."""
        out = []
        parent, frame = self.parent, self.frame
        while node != NO_NODE:
            out.append(frame[node])
            node = parent[node]
        out.reverse()
        return tuple(out)

    def preorder(self) -> list[int]:
        """Every node, parents before children, children in first-start order."""
        out: list[int] = []
        stack = list(reversed(self.tops))
        children = self.children
        while stack:
            n = stack.pop()
            out.append(n)
            stack.extend(reversed(children[n]))
        return out

    def totals(self, weights: list[int]) -> list[int]:
        """Each node's weight plus its descendants' (e.g. `totals(self_ns)`, `totals(cp_self_ns)`)."""
        out = list(weights)
        parent = self.parent
        for n in reversed(self.preorder()):
            p = parent[n]
            if p != NO_NODE:
                out[p] += out[n]
        return out


@gc_paused  # a node and two lists per call path: the collector would walk them again and again
def call_tree(trace: Trace, sections: list[Section] | None = None, selfs: list[int] | None = None,
              *, self_time: bool = True) -> CallTree:
    """The call tree of `trace`; `sections` and `selfs` when already computed (the trace view has
    them). With `self_time=False` (and no `selfs`) self times are not computed and `self_ns` is 0."""
    trace.ensure_built()
    spans, parent_of = trace.spans, trace.parent
    if sections is None:
        sections = critical_path(trace)
    if selfs is None:
        selfs = self_times(trace) if self_time else [0] * len(spans)
    t = CallTree()
    node_of = t.node_of = [NO_NODE] * len(spans)
    index: dict[tuple[int, str], int] = {}  # (parent node, frame) -> node
    frame, parent, children, depth = t.frame, t.parent, t.children, t.depth
    count, dur, selfn = t.count, t.duration_ns, t.self_ns
    t._order = trace.order
    for i in trace.order:  # pre-order: a parent's node exists before its children's
        s = spans[i]
        f = f"{s.resource.service}: {s.name}"
        p = parent_of[i]
        pn = node_of[p] if p != NO_PARENT else NO_NODE
        key = (pn, f)
        n = index.get(key)
        if n is None:
            n = index[key] = len(frame)
            frame.append(f)
            parent.append(pn)
            children.append([])
            depth.append(depth[pn] + 1 if pn != NO_NODE else 0)
            count.append(0)
            dur.append(0)
            selfn.append(0)
            if pn == NO_NODE:
                t.tops.append(n)
            else:
                children[pn].append(n)
        node_of[i] = n
        count[n] += 1
        dur[n] += s.end_ns - s.start_ns
        selfn[n] += selfs[i]
    cp = t.cp_self_ns = [0] * len(frame)
    for pos, start, end in sections:
        cp[node_of[pos]] += end - start
    return t


def cp_self_by_path(trace: Trace, sections: list[Section] | None = None) -> dict[CallPath, int]:
    """{call path: ns its spans are on the critical path themselves}, for the paths on it, in
    pre-order. The values add up to the trace's critical path. (CRISP averages these per trace.)

    Each key is a tuple as long as its depth: a chain thousands deep costs depth² frames here;
    walk a `call_tree` instead where that matters."""
    t = call_tree(trace, sections, self_time=False)
    cp = t.cp_self_ns
    return {t.path(n): cp[n] for n in t.preorder() if cp[n]}


def critical_path_ns(sections: list[Section]) -> int:
    """The length of the critical path: the sum of its sections."""
    return sum(end - start for _, start, end in sections)


class Operation:
    """One (service, operation) of a trace, for the sandwich table.

      total_ns    durations of its spans, a span inside another span of the same operation not
                  counted again (recursion counts once, as in a profiler's "total")
      self_ns     their self times
      cp_ns       their time on the critical path
      callers     {caller frame: [calls, ns of this operation's spans under it]}
      callees     {callee frame: [calls, ns of the callee's spans]}
    """

    __slots__ = ("frame", "count", "total_ns", "self_ns", "cp_ns", "callers", "callees", "spans")

    def __init__(self, frame: str) -> None:
        self.frame = frame
        self.count = self.total_ns = self.self_ns = self.cp_ns = 0
        self.callers: dict[str, list[int]] = {}
        self.callees: dict[str, list[int]] = {}
        self.spans: list[int] = []


@gc_paused
def operations(trace: Trace, on_path: dict[int, int], selfs: list[int]) -> dict[str, Operation]:
    """Every operation of `trace` by frame (`SERVICE: NAME`), in the order first met (pre-order).
    `on_path`: ns per span on the critical path (analysis `time_on_path`); `selfs`: self times."""
    trace.ensure_built()
    spans, parent_of = trace.spans, trace.parent
    ops: dict[str, Operation] = {}
    frames = [""] * len(spans)
    open_count: dict[str, int] = {}  # operations among the ancestors of the span being visited
    stack: list[int] = []  # the ancestors of the span being visited
    for i in trace.order:
        p = parent_of[i]
        while stack and stack[-1] != p:
            gone = frames[stack.pop()]
            open_count[gone] -= 1
        s = spans[i]
        f = frames[i] = f"{s.resource.service}: {s.name}"
        op = ops.get(f)
        if op is None:
            op = ops[f] = Operation(f)
        dur = s.end_ns - s.start_ns
        op.count += 1
        op.spans.append(i)
        if not open_count.get(f):
            op.total_ns += dur
        op.self_ns += selfs[i]
        op.cp_ns += on_path.get(i, 0)
        if p != NO_PARENT:
            pf = frames[p]
            c = op.callers.get(pf)
            if c is None:
                op.callers[pf] = [1, dur]
            else:
                c[0] += 1
                c[1] += dur
            e = ops[pf].callees.get(f)
            if e is None:
                ops[pf].callees[f] = [1, dur]
            else:
                e[0] += 1
                e[1] += dur
        stack.append(i)
        open_count[f] = open_count.get(f, 0) + 1
    return ops
