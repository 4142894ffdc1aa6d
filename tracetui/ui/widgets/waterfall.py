"""The waterfall: one line per visible span on a shared time axis (a `RowScrollView`).

Line 0 is a sticky time axis; below it one row per visible span (see `waterfall_paint`). The
widget holds the cursor and turns keys into calls: what is shown (rows, zoom, search) and where
the next error, match or critical-path span is live in `viewmodels.waterfall.WaterfallModel`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from tracetui.analysis.overview import TraceAnalysis
from tracetui.model.query import Query
from tracetui.model.trace import Trace
from tracetui.ui.widgets.row_view import RowScrollView, row_bindings
from tracetui.ui.widgets.waterfall_paint import WaterfallPainter
from tracetui.viewmodels.rows import RowView
from tracetui.viewmodels.waterfall import Geometry, WaterfallModel, geometry

# Footer groups: "←→ Fold", "+- Zoom" take less room than four separate keys.
_FOLD = Binding.Group("Fold", compact=True)
_ZOOM = Binding.Group("Zoom", compact=True)


class Waterfall(RowScrollView):
    """A trace's spans as a tree of bars on a time axis. See docs/architecture.md."""

    HELP_TITLE = "Waterfall (span tree and timeline)"

    BINDINGS: ClassVar[list[BindingType]] = [
        *row_bindings("waterfall"),
        Binding("left,h", "collapse_or_parent", "Collapse", id="waterfall.collapse", group=_FOLD),
        Binding("right,l", "expand_or_child", "Expand", id="waterfall.expand", group=_FOLD),
        Binding("space", "toggle", "Toggle", show=False, id="waterfall.toggle"),
        Binding("H", "collapse_all", "Collapse all", show=False, id="waterfall.collapse_all"),
        Binding("L", "expand_all", "Expand all", show=False, id="waterfall.expand_all"),
        Binding("plus,equals_sign", "zoom_in", "Zoom in", key_display="+", id="waterfall.zoom_in", group=_ZOOM),
        Binding("minus", "zoom_out", "Zoom out", key_display="-", id="waterfall.zoom_out", group=_ZOOM),
        Binding("shift+left", "pan(-1)", "Pan left", show=False, id="waterfall.pan_left"),
        Binding("shift+right", "pan(1)", "Pan right", show=False, id="waterfall.pan_right"),
        Binding("z", "zoom_span", "Zoom to span", show=False, id="waterfall.zoom_span"),
        Binding("0", "reset_zoom", "Whole trace (reset zoom)", show=False, id="waterfall.reset_zoom"),
        Binding("R", "fit_root", "Fit to the root", show=False, id="waterfall.fit_root"),
        Binding("right_square_bracket", "critical(1)", "Next on critical path", show=False,
                id="waterfall.critical_next"),
        Binding("left_square_bracket", "critical(-1)", "Previous on critical path", show=False,
                id="waterfall.critical_previous"),
        Binding("less_than_sign", "name_width(-1)", "Narrower names", show=False, id="waterfall.narrower"),
        Binding("greater_than_sign", "name_width(1)", "Wider names", show=False, id="waterfall.wider"),
        Binding("enter", "activate", "Open", show=False, id="waterfall.activate"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "waterfall--bar", "waterfall--critical", "waterfall--error", "waterfall--cursor",
        "waterfall--match", "waterfall--guide", "waterfall--dim", "waterfall--axis", "waterfall--skew",
    }

    DEFAULT_CSS = """
    Waterfall {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
        & > .waterfall--bar { color: $foreground; }
        & > .waterfall--critical { color: $foreground; text-style: bold; }
        & > .waterfall--error { color: $error; text-style: bold; }
        & > .waterfall--cursor { background: $block-cursor-blurred-background; }
        & > .waterfall--match { background: $warning 35%; text-style: bold; }
        & > .waterfall--guide { color: $foreground 30%; }
        & > .waterfall--dim { color: $foreground 40%; }
        & > .waterfall--axis { background: $panel; color: $text-muted; }
        & > .waterfall--skew { color: $warning; }
        &:focus > .waterfall--cursor { background: $block-cursor-background 60%; }
        &:light > .waterfall--critical { color: $foreground; }
    }
    """

    @dataclass
    class SpanHighlighted(Message):
        """The cursor moved to the span at this position of the trace (a negative `pos`: a
        missing-parent row, the node of `row_view`)."""

        pos: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, Waterfall.SpanHighlighted)

    @dataclass
    class SpanActivated(Message):
        """Enter on the span at this position."""

        pos: int

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._model: WaterfallModel | None = None
        self._name_frac: float | None = None  # None: sized from the names (see geometry)
        self._painter = WaterfallPainter(self)
        self._axis_cache: tuple[tuple, Strip] | None = None
        self._rows_version = -1  # the RowView version the rows on screen were drawn from
        self._announced: int | None = None  # the span last posted in SpanHighlighted

    # -- public API (docs/architecture.md) ---------------------------------------------------------
    @property
    def model(self) -> WaterfallModel | None:
        return self._model

    @property
    def row_view(self) -> RowView | None:
        return self._model.rows if self._model is not None else None

    @property
    def trace(self) -> Trace | None:
        return self._model.trace if self._model is not None else None

    @property
    def analysis(self) -> TraceAnalysis | None:
        return self._model.analysis if self._model is not None else None

    @property
    def window(self) -> tuple[int, int]:
        """The time window on screen (ns since the epoch): the whole trace unless zoomed."""
        return self._model.window if self._model is not None else (0, 1)

    @property
    def zoomed(self) -> bool:
        return self._model is not None and self._model.zoomed

    @property
    def selected_pos(self) -> int | None:
        return self._model.rows.pos_at(self.cursor) if self._model is not None else None

    @property
    def selected_node(self) -> int | None:
        """The row under the cursor: a span position, or a negative node for a missing parent."""
        return self._model.rows.node_at(self.cursor) if self._model is not None else None

    def show_trace(self, trace: Trace, analysis: TraceAnalysis) -> None:
        """Show a trace. The same `Trace` object again (it grew) keeps collapse state, filters,
        search, cursor, scroll and zoom; another trace starts fresh."""
        old = self._model
        same = old is not None and trace is old.trace
        old_pos = self.selected_pos
        old_node = old.rows.node_at(self.cursor) if old is not None else None
        self._model = model = WaterfallModel(trace, analysis, previous=old)
        self._sync_rows(force=True)
        row = 0
        if same and old_node is not None:
            found = model.row_near(old_pos) if old_pos is not None else model.rows.row_of(old_node)
            row = found if found is not None else 0
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
        self._select_row(row, force_message=True)

    def select_pos(self, pos: int) -> bool:
        """Move the cursor to a span, expanding collapsed ancestors; False if it is hidden."""
        if self._model is None:
            return False
        row = self._model.rows.reveal(pos)
        if row is None:
            return False
        self._sync_rows()
        self._select_row(row)
        return True

    def set_hidden_services(self, services: set[str] | frozenset[str]) -> None:
        if self._model is None:
            return
        pos = self.selected_pos
        self._model.set_hidden_services(set(services))
        self._sync_rows(force=True)
        row = self._model.row_near(pos) if pos is not None else None
        self._select_row(row if row is not None else 0)

    def set_dimmed_services(self, services: set[str] | frozenset[str]) -> None:
        if self._model is not None:
            self._model.dimmed = frozenset(services)
            self.invalidate_rows()

    def set_search(self, query: Query | None) -> int:
        """Highlight the spans matching `query` (None or empty clears); returns how many match."""
        if self._model is None:
            return 0
        pos = self.selected_pos
        count = self._model.set_search(query)
        self._after_structure_change(pos)
        self.invalidate_rows()  # the highlighted matches changed even when the rows did not
        return count

    def set_only_matches(self, on: bool) -> None:
        """Show only the spans the search matches and their ancestors (or everything again)."""
        if self._model is not None:
            pos = self.selected_pos
            self._model.set_only_matches(on)
            self._after_structure_change(pos)

    def match_index(self) -> int | None:
        """1-based place of the selected span among the matches in tree order (None if not one)."""
        return self._model.match_index(self.selected_pos) if self._model is not None else None

    def next_match(self, direction: int = 1) -> bool:
        return self._go(self._model.next_match(self.cursor, direction) if self._model else None)

    def next_error(self, direction: int = 1) -> bool:
        return self._go(self._model.next_error(self.cursor, direction) if self._model else None)

    def next_critical(self, direction: int = 1) -> bool:
        """Step along the critical path, in time order."""
        return self._go(self._model.next_critical(self.cursor, direction) if self._model else None)

    def zoom_to(self, start_ns: int, end_ns: int) -> None:
        if self._model is not None:
            self._model.zoom_to(start_ns, end_ns)
            self.refresh()

    def reset_zoom(self) -> None:
        if self._model is not None:
            self._model.reset_zoom()
            self.refresh()

    def zoom_in(self) -> None:
        self._zoom(0.5)

    def zoom_out(self) -> None:
        self._zoom(2.0)

    def pan(self, direction: int) -> None:
        """Move a zoomed window by a quarter of its width, left (-1) or right (+1)."""
        if self._model is not None and self._model.pan(direction):
            self.refresh()

    def collapse_all(self) -> None:
        if self._model is not None:
            pos = self.selected_pos
            self._model.rows.collapse_all()
            self._after_structure_change(pos)

    def expand_all(self) -> None:
        if self._model is not None:
            pos = self.selected_pos
            self._model.rows.expand_all()
            self._after_structure_change(pos)

    # -- actions -----------------------------------------------------------------------------------
    def action_collapse_or_parent(self) -> None:
        view = self.row_view
        if view is None or not len(view):
            return
        node = view.rows[self.cursor]
        if view.has_children(node) and not view.is_collapsed(node):
            self._toggle(node)
        else:
            parent = view.parent_row(self.cursor)
            if parent is not None:
                self._select_row(parent)

    def action_expand_or_child(self) -> None:
        view = self.row_view
        if view is None or not len(view):
            return
        node = view.rows[self.cursor]
        if view.is_collapsed(node):
            self._toggle(node)
        elif view.has_children(node):
            self._select_row(self.cursor + 1)

    def action_toggle(self) -> None:
        view = self.row_view
        if view is not None and len(view):
            self._toggle(view.rows[self.cursor])

    def action_collapse_all(self) -> None:
        self.collapse_all()

    def action_expand_all(self) -> None:
        self.expand_all()

    def action_zoom_in(self) -> None:
        self.zoom_in()

    def action_zoom_out(self) -> None:
        self.zoom_out()

    def action_zoom_span(self) -> None:
        pos = self.selected_pos
        if pos is not None and self._model is not None:
            self._model.zoom_to_span(pos)
            self.refresh()

    def action_fit_root(self) -> None:
        if self._model is not None and self._model.fit_root():
            self.refresh()
        else:
            self.notify("the root span covers the whole trace already", timeout=2)

    def action_pan(self, direction: int) -> None:
        self.pan(direction)

    def action_reset_zoom(self) -> None:
        self.reset_zoom()

    def action_critical(self, direction: int) -> None:
        self.next_critical(direction)

    def action_name_width(self, direction: int) -> None:
        geo = self._geometry()
        current = geo.name_w / max(1, geo.width)
        self._name_frac = min(0.7, max(0.15, current + 0.05 * direction))
        self.invalidate_rows()

    def action_activate(self) -> None:
        pos = self.selected_pos
        if pos is not None:
            self.post_message(self.SpanActivated(pos))

    # -- the row view ------------------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self._model.rows) if self._model is not None else 0

    def row_key(self, row: int) -> Hashable:
        assert self._model is not None
        return (self._model.rows.rows[row], self._model.window)

    def render_header(self, y: int, width: int) -> Strip:
        geo = self._geometry()
        key = (self.window, geo, self.rows_version)
        if self._axis_cache is None or self._axis_cache[0] != key:
            self._axis_cache = (key, self._painter.axis(self._model, geo))
        return self._axis_cache[1]

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        assert self._model is not None
        return self._painter.row(self._model, row, selected, self.has_focus, self._geometry())

    def cursor_moved(self, old: int, new: int) -> None:
        self._announce()

    def row_clicked(self, row: int, x: int, chain: int) -> None:
        view = self.row_view
        assert view is not None
        node = view.rows[row]
        prefix_w = len(view.prefix(row, max_cells=self._geometry().guide_cells))
        if view.has_children(node) and prefix_w - 2 <= x < prefix_w:
            self._toggle(node)  # a click on the ▸/▾ marker

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._painter.clear()
        self._axis_cache = None

    # -- internals -----------------------------------------------------------------------------------
    def _geometry(self) -> Geometry:
        labels = self._model.label_cells if self._model is not None else 0
        return geometry(self.scrollable_content_region.width, self._name_frac, labels)

    def _select_row(self, row: int, force_message: bool = False) -> None:
        """Move the cursor; announce the span when the highlighted span changed (or forced)."""
        if force_message:
            self._announced = None
        self.move_cursor(row)
        self._announce()

    def _announce(self) -> None:
        pos = self.selected_node
        if pos is not None and pos != self._announced:
            self._announced = pos
            self.post_message(self.SpanHighlighted(pos))

    def _go(self, pos: int | None) -> bool:
        return pos is not None and self.select_pos(pos)

    def _zoom(self, factor: float) -> None:
        if self._model is not None:
            min_w = max(self._geometry().bar_w, 10)  # never less than 1 ns per cell
            self._model.zoom(factor, self.selected_pos, min_width_ns=min_w)
            self.refresh()

    def _sync_rows(self, force: bool = False) -> None:
        """Redraw every row if the rows changed since they were drawn (folds, a reveal)."""
        version = self._model.rows.version if self._model is not None else -1
        if force or version != self._rows_version:
            self._rows_version = version
            self.invalidate_rows()

    def _toggle(self, node: int) -> None:
        assert self._model is not None
        pos = self.selected_pos
        self._model.rows.toggle(node)
        self._after_structure_change(pos, node)

    def _after_structure_change(self, pos: int | None, node: int | None = None) -> None:
        assert self._model is not None
        self._sync_rows()
        if node is not None:
            row = self._model.rows.row_of(node)
        else:
            row = self._model.row_near(pos) if pos is not None else None
        self._select_row(row if row is not None else 0)
