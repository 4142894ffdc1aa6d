"""Two traces side by side: one tree, the union of both, keyed by call path.

Each node is a call path (`service: operation` frames from the root) found in trace A, in B or
in both, with the number of spans on it, their summed duration and the time they spend on the
critical path themselves (a span's own stretches of the path, as `time_on_path`), in A and in B.
A node's children are sorted by how much their subtree's critical-path time changed, largest
first; `changed` says whether anything in a subtree differs (unchanged subtrees fold).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracetui.analysis.call_paths import NO_PATH, CallPaths
from tracetui.analysis.flame import call_tree
from tracetui.model.trace import Trace

UNCHANGED_SHARE = 0.02
"""A node is unchanged when its counts are equal and its duration and critical-path time differ
by less than this share of the longer trace's duration (2%: clocks and scheduling)."""


@dataclass(slots=True)
class DiffNode:
    path: int  # in `TraceDiff.paths`
    frame: str  # the last frame of the path: "service: operation"
    count_a: int = 0
    count_b: int = 0
    duration_a_ns: int = 0
    duration_b_ns: int = 0
    cp_a_ns: int = 0
    cp_b_ns: int = 0
    subtree_cp_a_ns: int = 0  # the node and everything under it
    subtree_cp_b_ns: int = 0
    children: list[int] = field(default_factory=list)  # node indexes, largest change first
    changed: bool = False  # this node or one below it differs

    @property
    def only_in(self) -> str:
        """"A" or "B" when the path is in one trace only, else ""."""
        if not self.count_b:
            return "A"
        if not self.count_a:
            return "B"
        return ""

    @property
    def cp_delta_ns(self) -> int:
        return self.cp_b_ns - self.cp_a_ns

    @property
    def duration_delta_ns(self) -> int:
        return self.duration_b_ns - self.duration_a_ns

    @property
    def subtree_delta_ns(self) -> int:
        return self.subtree_cp_b_ns - self.subtree_cp_a_ns


@dataclass
class TraceDiff:
    trace_a: str
    trace_b: str
    paths: CallPaths
    nodes: list[DiffNode]
    top: list[int]  # the top-level nodes, largest change first

    def frames(self, node: DiffNode) -> tuple[str, ...]:
        """The node's call path from the root (O(depth): spelled out only when asked)."""
        return self.paths.frames(node.path)

    def by_cp_change(self) -> list[DiffNode]:
        """Every node, the largest |cp_b − cp_a| first (ties in tree order)."""
        order = {id(n): k for k, n in enumerate(self.preorder())}
        return sorted(self.nodes, key=lambda n: (-abs(n.cp_delta_ns), order[id(n)]))

    def unchanged(self) -> set[int]:
        """The nodes with something below them and nothing changed in their subtree: folded
        at first."""
        return {k for k, n in enumerate(self.nodes) if n.children and not n.changed}

    def rows(self, folded: set[int]) -> list[tuple[int, int]]:
        """(node, depth) in tree order, nothing below a folded node (a loop: any depth)."""
        out: list[tuple[int, int]] = []
        stack = [(k, 0) for k in reversed(self.top)]
        while stack:
            k, d = stack.pop()
            out.append((k, d))
            if k not in folded:
                stack.extend((c, d + 1) for c in reversed(self.nodes[k].children))
        return out

    def size_below(self, k: int) -> int:
        """How many nodes are below node k."""
        count, stack = 0, list(self.nodes[k].children)
        while stack:
            c = stack.pop()
            count += 1
            stack.extend(self.nodes[c].children)
        return count

    def preorder(self) -> list[DiffNode]:
        out: list[DiffNode] = []
        stack = list(reversed(self.top))
        while stack:
            k = stack.pop()
            out.append(self.nodes[k])
            stack.extend(reversed(self.nodes[k].children))
        return out


def _per_path(trace: Trace, paths: CallPaths) -> dict[int, tuple[int, int, int]]:
    """Path → (count, duration, critical-path time) of one trace: its call tree's nodes."""
    t = call_tree(trace, self_time=False)
    return {pid: (t.count[n], t.duration_ns[n], t.cp_self_ns[n]) for n, pid in enumerate(paths.of_tree(t))}


def diff_traces(a: Trace, b: Trace) -> TraceDiff:
    """The union tree of traces `a` and `b` (see the module doc)."""
    paths = CallPaths()
    pa, pb = _per_path(a, paths), _per_path(b, paths)
    index: dict[int, int] = {}
    nodes: list[DiffNode] = []
    for pid in sorted(pa.keys() | pb.keys()):  # ids are dense and parents come first
        ca, da, ta = pa.get(pid, (0, 0, 0))
        cb, db, tb = pb.get(pid, (0, 0, 0))
        index[pid] = len(nodes)
        nodes.append(DiffNode(pid, paths.frame[pid], ca, cb, da, db, ta, tb, ta, tb))
    tolerance = UNCHANGED_SHARE * max(a.duration_ns, b.duration_ns)
    top: list[int] = []
    # Children after parents (ids grow with depth along a path): sum subtrees from the end.
    for k in range(len(nodes) - 1, -1, -1):
        n = nodes[k]
        n.changed = n.changed or (n.count_a != n.count_b or abs(n.cp_delta_ns) >= tolerance
                                  or abs(n.duration_delta_ns) >= tolerance)
        parent = paths.parent[n.path]
        if parent == NO_PATH:
            top.append(k)
            continue
        p = nodes[index[parent]]
        p.children.append(k)
        p.subtree_cp_a_ns += n.subtree_cp_a_ns
        p.subtree_cp_b_ns += n.subtree_cp_b_ns
        p.changed = p.changed or n.changed

    def size(k: int) -> tuple[int, int]:
        return -abs(nodes[k].subtree_delta_ns), nodes[k].path

    for n in nodes:
        n.children.sort(key=size)
    top.sort(key=size)
    return TraceDiff(a.trace_id, b.trace_id, paths, nodes, top)
