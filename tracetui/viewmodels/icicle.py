"""An icicle (a flame graph drawn from the top down) as rows of frames, for any weighted tree.

`FlameTree` is the data: nodes with a label, a service (for the colour), a total (the node and
everything under it: the width) and an optional change (diff mode). `Icicle` lays a tree out
with the flame graph's own stacking and projection (`viewmodels/flame.py` `stacked_layout`,
`row_cells`: the one-trace "left heavy" graph is drawn the same way): row k holds the nodes k
levels down, children stacked from their parent's left edge, widest first, each as wide as its
total, every frame at least one cell; zoomed, a node fills the width and its callers span it
above. Rows are cached per (width, zoom). Moving between frames (parent, widest child, neighbour
on the row) is here too, so the widget only turns keys into calls. No Textual: tested headless.

The CRISP screen uses it with mean critical-path times per call path; a one-trace flame graph
can build a `FlameTree` from its call tree the same way (`from_weights`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from tracetui.viewmodels.flame import row_cells, stacked_layout

NO_NODE = -1


@dataclass
class FlameTree:
    """Nodes 0..n-1: `label`, `service`, `own` (the node's own weight), `total` (own plus its
    descendants'), `delta` (diff mode: how much the node's own weight changed; None otherwise),
    `parent` (NO_NODE for a top), `children` (widest first), `tops` (widest first) and `key` (the
    caller's id for the node, e.g. a call path)."""

    label: list[str] = field(default_factory=list)
    service: list[str] = field(default_factory=list)
    own: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    delta: list[float] | None = None
    parent: list[int] = field(default_factory=list)
    children: list[list[int]] = field(default_factory=list)
    tops: list[int] = field(default_factory=list)
    key: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.label)

    @property
    def grand_total(self) -> float:
        return sum(self.total[t] for t in self.tops)

    def depths_and_preorder(self) -> tuple[list[int], list[int]]:
        """Each node's depth, and every node parents first (a loop: any depth)."""
        depth = [0] * len(self.label)
        order: list[int] = []
        stack = list(reversed(self.tops))
        while stack:
            n = stack.pop()
            order.append(n)
            for c in reversed(self.children[n]):
                depth[c] = depth[n] + 1
                stack.append(c)
        return depth, order

    def ancestors(self, node: int) -> list[int]:
        """The nodes above `node`, from the top down."""
        out = []
        node = self.parent[node]
        while node != NO_NODE:
            out.append(node)
            node = self.parent[node]
        out.reverse()
        return out

    @classmethod
    def from_weights(cls, keys: Sequence[int], parent_of: Callable[[int], int], label_of: Callable[[int], str],
                     service_of: Callable[[int], str], own: Mapping[int, float],
                     delta: Mapping[int, float] | None = None, no_parent: int = -1) -> FlameTree:
        """A tree of the caller's nodes `keys` (parents listed before their children), with
        `own[key]` as each node's own weight (missing: 0) and optional `delta[key]`. Nodes with
        nothing under them (a total of 0) are left out."""
        t = cls(delta=[] if delta is not None else None)
        index: dict[int, int] = {}
        for k in keys:
            p = parent_of(k)
            pi = index.get(p, NO_NODE) if p != no_parent else NO_NODE
            if p != no_parent and pi == NO_NODE:
                continue  # its parent was left out (a weight of 0 all the way down is checked below)
            n = index[k] = len(t.label)
            t.key.append(k)
            t.label.append(label_of(k))
            t.service.append(service_of(k))
            w = float(own.get(k, 0.0))
            t.own.append(w)
            t.total.append(w)
            t.parent.append(pi)
            t.children.append([])
            if t.delta is not None:
                t.delta.append(float(delta.get(k, 0.0)))  # type: ignore[union-attr]
            if pi == NO_NODE:
                t.tops.append(n)
            else:
                t.children[pi].append(n)
        for n in range(len(t.label) - 1, -1, -1):  # children come after their parents
            p = t.parent[n]
            if p != NO_NODE:
                t.total[p] += t.total[n]
        return t.pruned()

    def pruned(self) -> FlameTree:
        """The same tree without nodes whose total is 0; children and tops sorted widest first."""
        keep = [n for n in range(len(self.label)) if self.total[n] > 0]
        new = {n: i for i, n in enumerate(keep)}
        t = FlameTree(delta=[] if self.delta is not None else None)
        for n in keep:
            t.key.append(self.key[n])
            t.label.append(self.label[n])
            t.service.append(self.service[n])
            t.own.append(self.own[n])
            t.total.append(self.total[n])
            if t.delta is not None:
                t.delta.append(self.delta[n])  # type: ignore[index]
            p = self.parent[n]
            t.parent.append(new[p] if p != NO_NODE else NO_NODE)
            t.children.append([new[c] for c in self.children[n] if c in new])
        t.tops = [new[n] for n in self.tops if n in new]

        def widest(n: int) -> tuple[float, str]:
            return -t.total[n], t.label[n]

        for ch in t.children:
            ch.sort(key=widest)
        t.tops.sort(key=widest)
        return t


@dataclass(frozen=True, slots=True)
class Frame:
    """Node `node` drawn on cells x0..x1 (end excluded) of its row."""

    node: int
    x0: int
    x1: int


class Icicle:
    """A `FlameTree` laid out on rows of cells, with a zoom (see the module doc)."""

    def __init__(self, tree: FlameTree) -> None:
        self.tree = tree
        self.zoom: int | None = None
        depth, order = tree.depths_and_preorder()
        self.frames = stacked_layout(tree.tops, tree.children, tree.total, depth, order)
        self._cache: dict[tuple[int, int | None], list[list[Frame]]] = {}

    # -- zoom ---------------------------------------------------------------------------------
    def zoom_to(self, node: int | None) -> None:
        """Make `node` fill the width (None: the whole tree; so is the only top)."""
        self.zoom = None if node is not None and self.tree.tops == [node] else node

    def zoom_out(self) -> bool:
        """One level up (to the whole tree from a top); False when not zoomed."""
        if self.zoom is None:
            return False
        p = self.tree.parent[self.zoom]
        self.zoom_to(p if p != NO_NODE else None)
        return True

    @property
    def window(self) -> tuple[float, float]:
        """The stretch of the stacked weights on screen: all of it, or the zoomed node's."""
        f = self.frames
        if self.zoom is None:
            return f.lo, f.hi
        return f.x0[self.zoom], max(f.x1[self.zoom], f.x0[self.zoom] + 1e-9)

    # -- layout -------------------------------------------------------------------------------
    def rows(self, width: int) -> list[list[Frame]]:
        """The frames of each row (depth), left to right, on `width` cells of the window; when
        zoomed, the rows above the zoomed node show its callers across the width."""
        key = (width, self.zoom)
        rows = self._cache.get(key)
        if rows is None:
            if len(self._cache) > 16:
                self._cache.clear()
            rows = [[Frame(i, c0, c1) for c0, c1, i in row_cells(self.frames, r, width, self.window)]
                    for r in range(len(self.frames))] if len(self.tree) else []
            while rows and not rows[-1]:
                rows.pop()
            self._cache[key] = rows
        return rows

    # -- finding and moving -------------------------------------------------------------------
    def locate(self, width: int, node: int) -> tuple[int, int] | None:
        """(row, index in the row) of `node`'s frame, or None when it is not drawn."""
        for r, row in enumerate(self.rows(width)):
            for i, f in enumerate(row):
                if f.node == node:
                    return r, i
        return None

    def frame_at(self, width: int, row: int, x: int) -> int | None:
        """The index of the frame under cell `x` of `row`, or None."""
        rows = self.rows(width)
        if not 0 <= row < len(rows):
            return None
        for i, f in enumerate(rows[row]):
            if f.x0 <= x < f.x1:
                return i
        return None

    def parent_frame(self, width: int, row: int, index: int) -> tuple[int, int] | None:
        """(row, index) of the frame above: the node's parent."""
        if row <= 0:
            return None
        node = self.rows(width)[row][index].node
        p = self.tree.parent[node]
        for i, f in enumerate(self.rows(width)[row - 1]):
            if f.node == p:
                return row - 1, i
        return None

    def child_frame(self, width: int, row: int, index: int) -> tuple[int, int] | None:
        """(row, index) of the node's widest child drawn, or None."""
        rows = self.rows(width)
        if row + 1 >= len(rows):
            return None
        node = rows[row][index].node
        for i, f in enumerate(rows[row + 1]):
            if self.tree.parent[f.node] == node:
                return row + 1, i
        return None
