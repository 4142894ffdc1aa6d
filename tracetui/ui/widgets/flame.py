"""The flame graph of one trace (an icicle: the root on top), a `RowScrollView`.

Line 0 is a sticky header (the time axis, or what the left-heavy widths mean); below it one line
per row of frames, drawn only when on screen (`flame_paint`). The cursor is the selected frame:
↑/↓ go to the frame above or below the middle of it, ←/→ to its neighbours; Enter zooms into it
(`zoom_out` goes back; the trace view binds Esc to it); `m` switches between the time order and
the left-heavy graph. Layouts, zoom, search and steps live in `viewmodels.flame.FlameModel`.
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
from tracetui.ui.widgets.flame_paint import FlamePainter
from tracetui.ui.widgets.row_view import RowScrollView, row_bindings
from tracetui.viewmodels.flame import MERGED, TIME, FlameModel


class FlameGraph(RowScrollView):
    """A trace's spans as frames: width is time (or work, left heavy), depth is the tree."""

    HELP_TITLE = "Flame graph"

    BINDINGS: ClassVar[list[BindingType]] = [
        *row_bindings("flame"),
        Binding("left,h", "neighbour(-1)", "Left", show=False, id="flame.left"),
        Binding("right,l", "neighbour(1)", "Right", show=False, id="flame.right"),
        Binding("enter", "zoom_in", "Zoom in", id="flame.zoom_in"),
        Binding("m", "toggle_merged", "Left heavy", tooltip="Merge identical call paths, heaviest first",
                id="flame.merged"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"flame--axis", "flame--error", "flame--match", "flame--cursor"}

    DEFAULT_CSS = """
    FlameGraph {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
        & > .flame--axis { background: $panel; color: $text-muted; }
        & > .flame--error { color: $error; }
        & > .flame--match { background: $warning; }
        & > .flame--cursor { background: $block-cursor-background; }
    }
    """

    @dataclass
    class FrameSelected(Message):
        """The selected frame now stands for the span at this position of the trace."""

        pos: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, FlameGraph.FrameSelected)

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._model: FlameModel | None = None
        self._painter = FlamePainter(self)
        self._header: tuple[tuple, Strip] | None = None
        self._announced: int | None = None

    # -- public API --------------------------------------------------------------------------------
    @property
    def model(self) -> FlameModel | None:
        return self._model

    @property
    def selected_pos(self) -> int | None:
        return self._model.selected_pos if self._model is not None else None

    def show_trace(self, trace: Trace, analysis: TraceAnalysis, pos: int | None = None) -> None:
        """Show a trace (lays it out now: call when the graph is first shown). The same trace
        again (it grew) keeps the mode and search."""
        old = self._model
        model = self._model = FlameModel(trace, analysis)
        if old is not None and old.trace is trace:
            model.dimmed = old.dimmed
            model.set_mode(old.mode)
            if old._query is not None:
                model.set_search(old._query)
        self._header = None
        self.invalidate_rows()
        self.select_pos(pos if pos is not None else model.selected_pos, force_message=True)

    def select_pos(self, pos: int | None, force_message: bool = False) -> bool:
        """Select the frame of span `pos` (zooming out if it is outside the zoom)."""
        if self._model is None or pos is None:
            return False
        before = self._model.window
        self._model.reveal(pos)
        if self._model.window != before:
            self.refresh()
        if force_message:
            self._announced = None
        self._selection_changed()
        return True

    def set_mode(self, mode: str) -> None:
        if self._model is None or mode == self._model.mode:
            return
        self._model.set_mode(mode)
        self.invalidate_rows()
        self.select_pos(self._model.selected_pos)

    def set_dimmed_services(self, services: set[str] | frozenset[str]) -> None:
        """Draw these services' frames faded (the flame graph hides no span: its widths add up)."""
        if self._model is not None and frozenset(services) != self._model.dimmed:
            self._model.dimmed = frozenset(services)
            self.invalidate_rows()

    def set_search(self, query: Query | None) -> int:
        if self._model is None:
            return 0
        count = self._model.set_search(query)
        self.invalidate_rows()
        return count

    def match_index(self) -> int | None:
        return self._model.match_index() if self._model is not None else None

    def next_match(self, direction: int = 1) -> bool:
        return self.select_pos(self._model.next_match(direction) if self._model else None)

    def next_error(self, direction: int = 1) -> bool:
        return self.select_pos(self._model.next_error(direction) if self._model else None)

    def next_critical(self, direction: int = 1) -> bool:
        return self.select_pos(self._model.next_critical(direction) if self._model else None)

    def zoom_in(self) -> bool:
        """The selected frame fills the width."""
        m = self._model
        if m is None or m.selected_item is None or not m.zoom_into(m.selected_item):
            return False
        self.refresh()
        return True

    def zoom_out(self) -> bool:
        """Back to the view before the last zoom; False when not zoomed."""
        if self._model is None or not self._model.zoom_out():
            return False
        self.refresh()
        return True

    @property
    def zoomed(self) -> bool:
        return self._model is not None and self._model.zoomed

    # -- actions -----------------------------------------------------------------------------------
    def action_cursor_up(self) -> None:
        self._step_rows(-1)

    def action_cursor_down(self) -> None:
        self._step_rows(1)

    def action_neighbour(self, direction: int) -> None:
        m = self._model
        if m is None or m.selected_item is None:
            return
        item = m.neighbour(m.selected_item, direction)
        if item is not None:
            m.select_item(item)
            self._selection_changed()

    def action_zoom_in(self) -> None:
        self.zoom_in()

    def action_toggle_merged(self) -> None:
        if self._model is not None:
            self.set_mode(TIME if self._model.merged else MERGED)

    # -- the row view ------------------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self._model.frames) if self._model is not None else 0

    def row_key(self, row: int) -> Hashable:
        m = self._model
        assert m is not None
        selected = m.selected_item if row == self.cursor else None
        return (m.mode, m.window, selected)

    def render_header(self, y: int, width: int) -> Strip:
        m = self._model
        key = (width, m.mode if m else None, m.window if m else None, self.rows_version)
        if self._header is None or self._header[0] != key:
            self._header = (key, self._painter.header(m, width))
        return self._header[1]

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        assert self._model is not None
        return self._painter.row(self._model, row, width, self._model.selected_item if selected else None)

    def cursor_moved(self, old: int, new: int) -> None:
        """The base moved the cursor (paging, Home/End, a click): the frame near the same place."""
        m = self._model
        if m is None or m.selected_item is None or m.selected_row == new:
            return
        item = m.step_row(m.selected_item, new - m.selected_row)
        if item is not None:
            m.select_item(item)
            if m.selected_row != new:
                self.move_cursor(m.selected_row)
        self._announce()

    def row_clicked(self, row: int, x: int, chain: int) -> None:
        m = self._model
        if m is None:
            return
        width = self.scrollable_content_region.width
        for c0, c1, item in m.row_cells(row, width):
            if c0 <= x < c1:
                m.select_item(item)
                self._selection_changed()
                if chain == 2:
                    self.zoom_in()
                return

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._painter.clear()
        self._header = None

    # -- internals -----------------------------------------------------------------------------------
    def _step_rows(self, rows: int) -> None:
        m = self._model
        if m is None or m.selected_item is None:
            return
        item = m.step_row(m.selected_item, rows)
        if item is not None:
            m.select_item(item)
            self._selection_changed()

    def _selection_changed(self) -> None:
        """Cursor on the selected frame's row, that row redrawn, the span announced."""
        if self._model is None:
            return
        self.move_cursor(self._model.selected_row)
        self._announce()

    def _announce(self) -> None:
        pos = self.selected_pos
        if pos is not None and pos != self._announced:
            self._announced = pos
            self.post_message(self.FrameSelected(pos))
