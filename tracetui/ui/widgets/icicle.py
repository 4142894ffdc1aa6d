"""An icicle flame graph (a `RowScrollView`): one line per level of a `FlameTree`, frames as wide
as their totals (layout and moves in `viewmodels.icicle.Icicle`).

Line 0 (sticky) says where the view is zoomed. The cursor is a frame: ←/→ (h/l) the neighbour on
its row, ↑/↓ (k/j) the parent and the widest child, Enter zooms into it (it fills the width),
Backspace zooms out. Frames are in their service's colour, or, when the tree carries changes
(diff mode), red for what grew and blue for what shrank, deeper the larger the change.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.message import Message
from textual.strip import Strip

from tracetui.render.text import clean
from tracetui.ui.palette import service_color
from tracetui.ui.widgets.row_view import RowScrollView
from tracetui.viewmodels.cells import fit
from tracetui.viewmodels.icicle import FlameTree, Icicle

GREW, SHRANK, SAME = Color.parse("#d62728"), Color.parse("#1f77b4"), Color.parse("#8a8a8a")
_DARK, _LIGHT = Color.parse("#101010"), Color.parse("#f5f5f5")


class IcicleView(RowScrollView):
    """A flame graph drawn from the top down. See the module docstring."""

    HEADER_LINES = 1

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "sibling(-1)", "Left", show=False, id="icicle.left"),
        Binding("right,l", "sibling(1)", "Right", show=False, id="icicle.right"),
        Binding("up,k", "parent", "Caller", show=False, id="icicle.up"),
        Binding("down,j", "child", "Callee", show=False, id="icicle.down"),
        Binding("enter", "zoom_in", "Zoom in", id="icicle.zoom_in"),
        Binding("backspace", "zoom_out", "Zoom out", id="icicle.zoom_out"),
        Binding("home,g", "top", "Top", show=False, id="icicle.top"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"icicle--header", "icicle--empty"}

    DEFAULT_CSS = """
    IcicleView {
        background: $surface;
        scrollbar-gutter: stable;
        & > .icicle--header { background: $panel; color: $text-muted; }
        & > .icicle--empty { color: $text-muted; }
    }
    """

    @dataclass
    class FrameHighlighted(Message):
        """The cursor moved to this node of the tree (None: the graph is empty)."""

        icicle: IcicleView
        node: int | None

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, IcicleView.FrameHighlighted)

    def __init__(self, *, empty_text: str = "Nothing to draw.", name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.icicle = Icicle(FlameTree())
        self.frame_index = 0
        self.empty_text = empty_text
        self._styles: dict[tuple, Style] = {}

    # -- data ---------------------------------------------------------------------------------------
    def show(self, tree: FlameTree, keep: bool = True) -> None:
        """Draw `tree`; with `keep`, the frame of the same key stays selected (and the zoom) when
        it is still there."""
        old_key = self.selected_key if keep else None
        old_zoom = self.icicle.tree.key[self.icicle.zoom] if keep and self.icicle.zoom is not None else None
        self.icicle = Icicle(tree)
        by_key = {k: n for n, k in enumerate(tree.key)}
        if old_zoom is not None and old_zoom in by_key:
            self.icicle.zoom_to(by_key[old_zoom])
        self._styles.clear()
        self.invalidate_rows()
        spot = self.icicle.locate(self._width, by_key[old_key]) if old_key in by_key else None
        self._select(*(spot or (0, 0)))

    @property
    def _width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    @property
    def selected_node(self) -> int | None:
        rows = self.icicle.rows(self._width)
        if not rows or self.cursor >= len(rows):
            return None
        row = rows[self.cursor]
        return row[min(self.frame_index, len(row) - 1)].node

    @property
    def selected_key(self) -> int | None:
        node = self.selected_node
        return self.icicle.tree.key[node] if node is not None else None

    def _select(self, row: int, index: int) -> None:
        old = self.cursor
        self.frame_index = index
        self.move_cursor(row)
        if self.cursor == old:
            self.post_message(self.FrameHighlighted(self, self.selected_node))

    # -- the row view -------------------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self.icicle.rows(self._width))

    def row_key(self, row: int) -> Hashable:
        return (self.icicle.zoom, self.frame_index if row == self.cursor else -1)

    def cursor_moved(self, old: int, new: int) -> None:
        self.post_message(self.FrameHighlighted(self, self.selected_node))

    def on_resize(self, event) -> None:
        node = self.selected_node
        self.invalidate_rows()
        super().on_resize(event)
        if node is not None:
            spot = self.icicle.locate(self._width, node)
            if spot is not None:
                self._select(*spot)

    def render_header(self, y: int, width: int) -> Strip:
        style = self.get_component_rich_style("icicle--header")
        t = self.icicle.tree
        if self.icicle.zoom is None:
            text = " whole graph" + ("  ·  Enter zooms into a frame" if len(t) else "")
        else:
            trail = [clean(t.label[n], 40) for n in (*t.ancestors(self.icicle.zoom), self.icicle.zoom)]
            text = " zoomed: " + " › ".join(trail) + "  ·  Backspace zooms out"
        return Strip([Segment(fit(text, width), style)])

    def render_below(self, line: int, width: int) -> Strip | None:
        if line == 1 and not self.row_count():
            style = self.rich_style + self.get_component_rich_style("icicle--empty", partial=True)
            return Strip([Segment(fit("  " + self.empty_text, width), style)])
        return None

    def _frame_style(self, node: int, selected: bool) -> Style:
        t = self.icicle.tree
        if t.delta is not None:
            biggest = max((abs(d) for d in t.delta), default=0.0) or 1.0
            d = t.delta[node]
            share = min(1.0, abs(d) / biggest)
            level = round(share * 4)  # a few steps, so styles are shared
            key: tuple = ("diff", d > 0, level, selected)
            if key not in self._styles:
                hue = GREW if d > 0 else SHRANK
                bg = SAME.blend(hue, 0.25 + 0.75 * level / 4) if level else SAME
                self._styles[key] = self._make(bg, selected)
            return self._styles[key]
        service = t.service[node]
        key = ("svc", service, selected)
        if key not in self._styles:
            self._styles[key] = self._make(Color.parse(service_color(self.app, service)), selected)
        return self._styles[key]

    @staticmethod
    def _make(bg: Color, selected: bool) -> Style:
        fg = _DARK if bg.brightness > 0.5 else _LIGHT
        if selected:
            return Style(bgcolor=fg.rich_color, color=bg.rich_color, bold=True)
        return Style(bgcolor=bg.rich_color, color=fg.rich_color)

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        rows = self.icicle.rows(width)
        base = self.rich_style
        if row >= len(rows):
            return Strip.blank(width, base)
        t = self.icicle.tree
        segs: list[Segment] = []
        x = 0
        chosen = min(self.frame_index, len(rows[row]) - 1) if selected else -1
        for i, f in enumerate(rows[row]):
            if f.x0 > x:
                segs.append(Segment(" " * (f.x0 - x), base))
            w = f.x1 - f.x0
            style = self._frame_style(f.node, i == chosen)
            if w == 1:
                segs.append(Segment(" ", style))
            else:  # the label, then one cell of background between frames
                segs.append(Segment(fit(clean(t.label[f.node]), w - 1), style))
                segs.append(Segment(" ", base))
            x = f.x1
        return Strip(segs).adjust_cell_length(width, base)

    # -- keys ---------------------------------------------------------------------------------------
    def action_sibling(self, step: int) -> None:
        rows = self.icicle.rows(self._width)
        if not rows:
            return
        row = rows[self.cursor]
        index = max(0, min(len(row) - 1, min(self.frame_index, len(row) - 1) + step))
        self._select(self.cursor, index)
        self.refresh_row(self.cursor)

    def action_parent(self) -> None:
        rows = self.icicle.rows(self._width)
        if not rows or self.cursor == 0:
            return
        spot = self.icicle.parent_frame(self._width, self.cursor, min(self.frame_index, len(rows[self.cursor]) - 1))
        if spot is not None:
            self._select(*spot)

    def action_child(self) -> None:
        rows = self.icicle.rows(self._width)
        if not rows:
            return
        spot = self.icicle.child_frame(self._width, self.cursor, min(self.frame_index, len(rows[self.cursor]) - 1))
        if spot is not None:
            self._select(*spot)

    def action_top(self) -> None:
        self._select(0, 0)

    def action_zoom_in(self) -> None:
        node = self.selected_node
        if node is None:
            return
        self.icicle.zoom_to(node)
        self.invalidate_rows()
        self._select(*(self.icicle.locate(self._width, node) or (0, 0)))

    def action_zoom_out(self) -> bool:
        node = self.selected_node
        if not self.icicle.zoom_out():
            return False
        self.invalidate_rows()
        spot = self.icicle.locate(self._width, node) if node is not None else None
        self._select(*(spot or (0, 0)))
        return True

    def row_clicked(self, row: int, x: int, chain: int) -> None:
        index = self.icicle.frame_at(self._width, row, x)
        if index is not None:
            self._select(row, index)
            self.refresh_row(row)
            if chain >= 2:
                self.action_zoom_in()
