"""Call paths across traces: the chain of `service: operation` from a trace's root to a span.

One trace's call paths are its `CallTree` (analysis/flame.py). To add up many traces (CRISP) or
line two up (the diff of two traces), their trees' nodes are interned in one `CallPaths` trie: a
path is an int, its parent path and its last frame are looked up, so a 100,000-deep chain costs
one entry per node (tuples of frames would cost n² frames) and the traces share their paths.
"""

from __future__ import annotations

from tracetui.analysis.flame import NO_NODE, CallTree

NO_PATH = -1
"""The parent of a top-level frame (a root's path has no parent path)."""


class CallPaths:
    """Interned call paths: `child(parent, frame)` gives the id of a path; `frames(id)` the
    frames from the root. Ids are dense ints from 0, in the order paths were first seen."""

    __slots__ = ("parent", "frame", "depth", "_ids", "_children")

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.frame: list[str] = []
        self.depth: list[int] = []
        self._ids: dict[tuple[int, str], int] = {}
        self._children: list[list[int]] | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def child(self, parent: int, frame: str) -> int:
        """The id of the path `parent` + `frame` (NO_PATH: a top-level frame)."""
        key = (parent, frame)
        pid = self._ids.get(key)
        if pid is None:
            pid = self._ids[key] = len(self.frame)
            self.parent.append(parent)
            self.frame.append(frame)
            self.depth.append(0 if parent == NO_PATH else self.depth[parent] + 1)
            self._children = None
        return pid

    def find(self, frames: tuple[str, ...] | list[str]) -> int | None:
        """The id of the path of these frames, if it was seen."""
        pid = NO_PATH
        for f in frames:
            nxt = self._ids.get((pid, f))
            if nxt is None:
                return None
            pid = nxt
        return pid if pid != NO_PATH else None

    def frames(self, pid: int) -> tuple[str, ...]:
        """The frames of path `pid`, from the root."""
        out: list[str] = []
        parent, frame = self.parent, self.frame
        while pid != NO_PATH:
            out.append(frame[pid])
            pid = parent[pid]
        out.reverse()
        return tuple(out)

    def children(self, pid: int) -> list[int]:
        """The paths one frame longer than `pid` (NO_PATH: the top-level paths), as first seen."""
        kids = self._children
        if kids is None:
            kids = [[] for _ in range(len(self.frame) + 1)]  # the last list: NO_PATH's
            for i, p in enumerate(self.parent):
                kids[p].append(i)
            self._children = kids
        return kids[pid]

    def of_tree(self, tree: CallTree) -> list[int]:
        """The path id of every node of one trace's call tree (`analysis/flame.py`), by node."""
        ids = [NO_PATH] * len(tree)
        child, parent, frame = self.child, tree.parent, tree.frame
        for n in range(len(tree)):  # nodes are numbered parents first
            p = parent[n]
            ids[n] = child(ids[p] if p != NO_NODE else NO_PATH, frame[n])
        return ids
