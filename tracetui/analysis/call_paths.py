"""Call paths: the chain of `service: operation` from a trace's root to a span.

A call path is the key that lets spans of different traces be added up (CRISP, the diff of two
traces). Paths are interned in a `CallPaths` trie: a path is an int, its parent path and its
last frame are looked up, so a 100,000-deep chain costs one entry per span (tuples of frames
would cost n² frames) and the spans of many traces share their paths.
"""

from __future__ import annotations

from tracetui.model.trace import NO_PARENT, Trace

NO_PATH = -1
"""The parent of a top-level frame (a root's path has no parent path)."""


def frame_of(service: str, name: str) -> str:
    """One frame of a call path, as the folded-stack format and the screens write it."""
    return f"{service}: {name}"


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

    def of_trace(self, trace: Trace) -> list[int]:
        """The path id of every span of `trace`, by position (top-level spans start a path:
        an orphan's path begins at the orphan). A loop over the tree's pre-order, parents first."""
        spans = trace.spans
        parent = trace.parent
        out = [NO_PATH] * len(spans)
        child = self.child
        for i in trace.order:
            s = spans[i]
            p = parent[i]
            out[i] = child(out[p] if p != NO_PARENT else NO_PATH, frame_of(s.resource.service, s.name))
        return out


def path_sums(trace: Trace, paths: CallPaths, per_span: dict[int, int] | list[int],
              ids: list[int] | None = None) -> dict[int, int]:
    """Sum a value per span (a dict or list by position) over the spans of each call path."""
    ids = paths.of_trace(trace) if ids is None else ids
    out: dict[int, int] = {}
    get = out.get
    items = per_span.items() if isinstance(per_span, dict) else enumerate(per_span)
    for pos, value in items:
        pid = ids[pos]
        out[pid] = get(pid, 0) + value
    return out
