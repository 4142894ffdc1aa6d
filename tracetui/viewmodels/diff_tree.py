"""The diff of two traces as visible rows: the union tree, unchanged subtrees folded.

Rows are the nodes of `TraceDiff` in tree order (siblings by the size of their subtree's change,
largest first), each with its depth; a folded node hides what is under it. At first every node
whose subtree is unchanged (`DiffNode.changed` false) is folded, so only what differs is open.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracetui.analysis.trace_diff import DiffNode, TraceDiff


@dataclass(frozen=True, slots=True)
class DiffRow:
    node: int  # index in TraceDiff.nodes
    depth: int


class DiffTreeModel:
    def __init__(self, diff: TraceDiff) -> None:
        self.diff = diff
        self.folded: set[int] = diff.unchanged()
        self.rows: list[DiffRow] = []
        self.rebuild()

    def rebuild(self) -> None:
        """The visible rows."""
        self.rows = [DiffRow(k, d) for k, d in self.diff.rows(self.folded)]

    def node(self, row: int) -> DiffNode:
        return self.diff.nodes[self.rows[row].node]

    def toggle(self, row: int) -> None:
        """Fold or unfold the node on `row` (a leaf stays as it is)."""
        k = self.rows[row].node
        if not self.diff.nodes[k].children:
            return
        self.folded.symmetric_difference_update({k})
        self.rebuild()

    def hidden_below(self, row: int) -> int:
        """How many nodes a folded row hides (0 when open)."""
        k = self.rows[row].node
        return self.diff.size_below(k) if k in self.folded else 0

    def expand_all(self) -> None:
        self.folded.clear()
        self.rebuild()

    def row_of(self, node: int) -> int | None:
        for r, row in enumerate(self.rows):
            if row.node == node:
                return r
        return None
