"""The diff of two traces as a tree of rows (a `RowScrollView` over `viewmodels.diff_tree`).

Each row: the call path's last frame, indented, `▸`/`▾` for a folded/open node, `A only`/`B only`
marks; then the span count, duration and critical-path time in A and B, and the change in
critical-path time (red: B spent more, blue: less). Space (or a click on the marker) folds.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.strip import Strip

from tracetui.render.text import clean
from tracetui.render.units import fmt_duration
from tracetui.ui.widgets.row_view import RowScrollView, row_bindings
from tracetui.viewmodels.cells import fit
from tracetui.viewmodels.diff_tree import DiffTreeModel

# (title, width) of the number columns after the tree
COLUMNS = (("count A→B", 11), ("dur A", 8), ("dur B", 8), ("crit A", 8), ("crit B", 8), ("Δ crit", 9))


def _signed(ns: int) -> str:
    if ns == 0:
        return "0"
    return ("+" if ns > 0 else "−") + fmt_duration(abs(ns))


class DiffTreeView(RowScrollView):
    BINDINGS: ClassVar[list[BindingType]] = [
        *row_bindings("diff"),
        Binding("space,enter", "toggle", "Fold", id="diff.toggle"),
        Binding("L", "expand_all", "Open all", id="diff.expand_all"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diff-tree--header", "diff-tree--cursor", "diff-tree--grew", "diff-tree--shrank", "diff-tree--muted",
        "diff-tree--only",
    }

    DEFAULT_CSS = """
    DiffTreeView {
        background: $surface;
        scrollbar-gutter: stable;
        & > .diff-tree--header { background: $panel; color: $text; text-style: bold; }
        & > .diff-tree--cursor { background: $surface-lighten-2; }
        &:focus > .diff-tree--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
        & > .diff-tree--grew { color: $error; text-style: bold; }
        & > .diff-tree--shrank { color: $primary; text-style: bold; }
        & > .diff-tree--muted { color: $text-muted; }
        & > .diff-tree--only { color: $warning; text-style: bold; }
    }
    """

    def __init__(self, model: DiffTreeModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model

    def row_count(self) -> int:
        return len(self.model.rows)

    def row_key(self, row: int) -> Hashable:
        return self.model.rows[row]

    def action_toggle(self) -> None:
        if self.model.rows:
            self.model.toggle(self.cursor)
            self.invalidate_rows()

    def action_expand_all(self) -> None:
        node = self.model.rows[self.cursor].node if self.model.rows else None
        self.model.expand_all()
        self.invalidate_rows()
        if node is not None:
            self.move_cursor(self.model.row_of(node) or 0)

    def row_clicked(self, row: int, x: int, chain: int) -> None:
        depth = self.model.rows[row].depth
        if chain >= 2 or 2 * depth <= x < 2 * depth + 2:
            self.action_toggle()

    def _tree_width(self, width: int) -> int:
        return max(16, width - sum(w + 1 for _, w in COLUMNS) - 1)

    def render_header(self, y: int, width: int) -> Strip:
        style = self.get_component_rich_style("diff-tree--header")
        text = fit("call path", self._tree_width(width)) + "".join(" " + t.rjust(w) for t, w in COLUMNS)
        return Strip([Segment(fit(text, width), style)])

    def _part(self, name: str, base: Style, selected: bool) -> Style:
        full = self.get_component_rich_style(name)
        if selected:
            return base + Style(bold=full.bold)
        return base + Style(color=full.color, bold=full.bold)

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        r = self.model.rows[row]
        n = self.model.node(row)
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("diff-tree--cursor")
        muted = self._part("diff-tree--muted", base, selected)
        tree_w = self._tree_width(width)
        indent = "  " * r.depth if r.depth <= 20 else "  " * 20
        hidden = self.model.hidden_below(row)
        marker = "▸ " if hidden else ("▾ " if n.children else "· ")
        only = n.only_in
        tag = f" [{only} only]" if only else ""
        more = f" +{hidden}" if hidden else ""
        name = clean(n.frame)
        segs = [Segment(indent + marker, muted)]
        room = tree_w - len(indent) - len(marker)
        label = fit(name + more + tag, room)
        if tag and label.rstrip().endswith(tag.strip()):
            cut = len(label.rstrip()) - len(tag)
            segs.append(Segment(label[:cut], base))
            segs.append(Segment(label[cut:], self._part("diff-tree--only", base, selected)))
        else:
            segs.append(Segment(label, base))
        counts = f"{n.count_a}→{n.count_b}" if n.count_a != n.count_b else str(n.count_a)
        cells = [(counts, muted), (fmt_duration(n.duration_a_ns) if n.count_a else "–", base),
                 (fmt_duration(n.duration_b_ns) if n.count_b else "–", base),
                 (fmt_duration(n.cp_a_ns), muted), (fmt_duration(n.cp_b_ns), muted)]
        d = n.cp_delta_ns
        change = "diff-tree--grew" if d > 0 else "diff-tree--shrank" if d < 0 else "diff-tree--muted"
        cells.append((_signed(d), self._part(change, base, selected)))
        for (text, style), (_, w) in zip(cells, COLUMNS, strict=True):
            segs.append(Segment(" ", base))
            segs.append(Segment(text.rjust(w)[-w:], style))
        return Strip(segs).adjust_cell_length(width, base)
