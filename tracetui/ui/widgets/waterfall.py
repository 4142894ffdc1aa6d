"""The waterfall: one line per visible span on a shared time axis (Line API, cached strips).

Line 0 is a sticky time axis; below it, per row: tree guides, collapse marker, error mark,
service colour swatch, service and span name | the bar (service colour, critical-path stretches
drawn over it, event markers, faint tick guides) | duration and self time.

The widget holds no trace logic: rows come from `RowView`, positions from `viewmodels.layout`, the
critical path and self times from `TraceAnalysis`, search from `model.query`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracetui.analysis.overview import TraceAnalysis
from tracetui.model.query import Query
from tracetui.model.span import STATUS_ERROR
from tracetui.model.trace import NO_PARENT, Trace
from tracetui.render.text import clean
from tracetui.render.units import fmt_duration
from tracetui.ui.palette import service_color
from tracetui.viewmodels.layout import axis_line, col_of, project, ticks, zoom_window
from tracetui.viewmodels.rows import RowView

# Footer groups: "←→ Fold", "+- Zoom" take less room than four separate keys.
_FOLD = Binding.Group("Fold", compact=True)
_ZOOM = Binding.Group("Zoom", compact=True)
_DUR_W = 15  # "  13.2ms  4.10ms": duration and self time, 7 cells each
_MIN_BAR = 10


@dataclass(frozen=True, slots=True)
class _Geometry:
    width: int
    name_w: int
    bar_x: int
    bar_w: int
    dur_x: int
    dur_w: int


class Waterfall(ScrollView, can_focus=True):
    """A trace's spans as a tree of bars on a time axis. See docs/architecture.md."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="waterfall.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="waterfall.down"),
        Binding("home,g", "first", "First", show=False, id="waterfall.first"),
        Binding("end,G", "last", "Last", show=False, id="waterfall.last"),
        Binding("pageup", "page_up", "Page up", show=False, id="waterfall.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="waterfall.page_down"),
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
        Binding("0", "reset_zoom", "Reset zoom", show=False, id="waterfall.reset_zoom"),
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
        "waterfall--match", "waterfall--guide", "waterfall--dim", "waterfall--axis",
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
        &:focus > .waterfall--cursor { background: $block-cursor-background 60%; }
        &:light > .waterfall--critical { color: $foreground; }
    }
    """

    cursor_row: reactive[int] = reactive(0, repaint=False, init=False)
    """The row under the cursor (0 = the first span row, below the axis)."""

    @dataclass
    class SpanHighlighted(Message):
        """The cursor moved to the span at this position of the trace."""

        pos: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, Waterfall.SpanHighlighted)

    @dataclass
    class SpanActivated(Message):
        """Enter on the span at this position."""

        pos: int

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._trace: Trace | None = None
        self._analysis: TraceAnalysis | None = None
        self._view: RowView | None = None
        self._window: tuple[int, int] | None = None  # None: the whole trace
        self._dimmed: frozenset[str] = frozenset()
        self._query: Query | None = None
        self._matches: frozenset[int] = frozenset()
        self._match_order: list[int] = []  # tree ranks of matches, sorted
        self._rank: list[int] | None = None  # tree rank per position
        self._name_frac = 0.4
        self._epoch = 0  # bumped when anything a row shows changes (besides rows/window/width)
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._styles: dict[tuple, Style] = {}
        self._axis_cache: tuple[tuple, Strip] | None = None
        self._announced: int | None = None  # the span last posted in SpanHighlighted

    # -- public API (docs/architecture.md) ---------------------------------------------------------
    @property
    def row_view(self) -> RowView | None:
        return self._view

    @property
    def trace(self) -> Trace | None:
        return self._trace

    @property
    def analysis(self) -> TraceAnalysis | None:
        return self._analysis

    @property
    def window(self) -> tuple[int, int]:
        """The time window on screen (ns since the epoch): the whole trace unless zoomed."""
        if self._window is not None:
            return self._window
        return self._bounds()

    @property
    def zoomed(self) -> bool:
        return self._window is not None

    @property
    def selected_pos(self) -> int | None:
        return self._view.pos_at(self.cursor_row) if self._view is not None else None

    def show_trace(self, trace: Trace, analysis: TraceAnalysis) -> None:
        """Show a trace. The same `Trace` object again (it grew) keeps collapse state, filters,
        search, cursor, scroll and zoom; another trace starts fresh."""
        same = trace is self._trace and self._view is not None
        old_view, old_pos = self._view, self.selected_pos
        old_node = self._view.node_at(self.cursor_row) if self._view is not None else None
        self._trace, self._analysis = trace, analysis
        self._view = RowView(trace)
        self._rank = None
        if same and old_view is not None:
            self._view.set_hidden_services(old_view.hidden_services)
            self._view.set_collapsed({n for n in old_view.collapsed if n >= 0})
        else:
            self._window = None
            self._dimmed = frozenset()
            self._query = None
        self._refilter_search()
        self._epoch += 1
        self._cache.clear()
        self._update_virtual_size()
        row = 0
        if same and old_node is not None:
            found = self._row_near(old_pos) if old_pos is not None else self._view.row_of(old_node)
            row = found if found is not None else 0
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
        self._set_cursor(row, force_message=True)
        self.refresh()

    def select_pos(self, pos: int) -> bool:
        """Move the cursor to a span, expanding collapsed ancestors; False if it is hidden."""
        if self._view is None:
            return False
        row = self._view.reveal(pos)
        if row is None:
            return False
        self._rows_changed()
        self._set_cursor(row)
        return True

    def set_hidden_services(self, services: set[str] | frozenset[str]) -> None:
        if self._view is None:
            return
        pos = self.selected_pos
        self._view.set_hidden_services(set(services))
        self._epoch += 1
        self._rows_changed()
        row = self._row_near(pos) if pos is not None else None
        self._set_cursor(row if row is not None else 0)

    def set_dimmed_services(self, services: set[str] | frozenset[str]) -> None:
        self._dimmed = frozenset(services)
        self._epoch += 1
        self.refresh()

    def set_search(self, query: Query | None) -> int:
        """Highlight the spans matching `query` (None or empty clears); returns how many match."""
        self._query = query if query is not None and not query.is_empty else None
        self._refilter_search()
        self._epoch += 1
        self.refresh()
        return len(self._matches)

    @property
    def match_count(self) -> int:
        return len(self._matches)

    def match_index(self) -> int | None:
        """1-based place of the selected span among the matches in tree order (None if not one)."""
        pos = self.selected_pos
        if pos is None or pos not in self._matches:
            return None
        return bisect_left(self._match_order, self._ranks()[pos]) + 1

    def next_match(self, direction: int = 1) -> bool:
        return self._step_tree_order(self._match_order, direction)

    def next_error(self, direction: int = 1) -> bool:
        if self._analysis is None:
            return False
        rank = self._ranks()
        return self._step_tree_order([rank[p] for p in self._analysis.error_positions], direction)

    def next_critical(self, direction: int = 1) -> bool:
        """Step along the critical path, in time order."""
        if self._analysis is None or self._trace is None:
            return False
        order = self._analysis.critical_order
        if not order:
            return False
        cur = self.selected_pos
        if cur is not None and cur in self._analysis.on_path_set:
            k = order.index(cur) + direction
        else:
            start = self._trace.spans[cur].start_ns if cur is not None else self._trace.start_ns
            firsts = self._analysis.critical_starts
            k = bisect_left(firsts, start) if direction > 0 else bisect_right(firsts, start) - 1
        while 0 <= k < len(order):
            if self.select_pos(order[k]):
                return True
            k += direction
        return False

    def zoom_to(self, start_ns: int, end_ns: int) -> None:
        lo, hi = self._bounds()
        start_ns, end_ns = max(lo, start_ns), min(hi, end_ns)
        if end_ns <= start_ns:
            end_ns = start_ns + 1
        self._window = None if (start_ns, end_ns) == (lo, hi) else (start_ns, end_ns)
        self.refresh()

    def reset_zoom(self) -> None:
        self._window = None
        self.refresh()

    def zoom_in(self) -> None:
        self._zoom(0.5)

    def zoom_out(self) -> None:
        self._zoom(2.0)

    def pan(self, direction: int) -> None:
        """Move a zoomed window by a quarter of its width, left (-1) or right (+1)."""
        if self._window is None:
            return
        ws, we = self._window
        lo, hi = self._bounds()
        step = max(1, (we - ws) // 4) * direction
        step = max(lo - ws, min(hi - we, step))
        self._window = (ws + step, we + step)
        self.refresh()

    def collapse_all(self) -> None:
        if self._view is not None:
            pos = self.selected_pos
            self._view.collapse_all()
            self._after_structure_change(pos)

    def expand_all(self) -> None:
        if self._view is not None:
            pos = self.selected_pos
            self._view.expand_all()
            self._after_structure_change(pos)

    # -- actions -----------------------------------------------------------------------------------
    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor_row + 1)

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self._view) - 1 if self._view else 0)

    def action_page_up(self) -> None:
        page = max(1, self._page_rows() - 1)
        self.scroll_to(y=max(0, self.scroll_y - page), animate=False, immediate=True)
        self._set_cursor(self.cursor_row - page)

    def action_page_down(self) -> None:
        page = max(1, self._page_rows() - 1)
        self.scroll_to(y=self.scroll_y + page, animate=False, immediate=True)
        self._set_cursor(self.cursor_row + page)

    def action_collapse_or_parent(self) -> None:
        view = self._view
        if view is None or not len(view):
            return
        node = view.rows[self.cursor_row]
        if view.has_children(node) and not view.is_collapsed(node):
            self._toggle(node)
        else:
            parent = view.parent_row(self.cursor_row)
            if parent is not None:
                self._set_cursor(parent)

    def action_expand_or_child(self) -> None:
        view = self._view
        if view is None or not len(view):
            return
        node = view.rows[self.cursor_row]
        if view.is_collapsed(node):
            self._toggle(node)
        elif view.has_children(node):
            self._set_cursor(self.cursor_row + 1)

    def action_toggle(self) -> None:
        if self._view is not None and len(self._view):
            self._toggle(self._view.rows[self.cursor_row])

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
        if pos is not None and self._trace is not None:
            s = self._trace.spans[pos]
            pad = max(1, (s.end_ns - s.start_ns) // 20)
            self.zoom_to(s.start_ns - pad, s.end_ns + pad)

    def action_pan(self, direction: int) -> None:
        self.pan(direction)

    def action_reset_zoom(self) -> None:
        self.reset_zoom()

    def action_critical(self, direction: int) -> None:
        self.next_critical(direction)

    def action_name_width(self, direction: int) -> None:
        self._name_frac = min(0.7, max(0.15, self._name_frac + 0.05 * direction))
        self._epoch += 1
        self.refresh()

    def action_activate(self) -> None:
        pos = self.selected_pos
        if pos is not None:
            self.post_message(self.SpanActivated(pos))

    # -- events ------------------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self._view is None or offset.y < 1:
            return
        row = int(self.scroll_y) + offset.y - 1
        if not 0 <= row < len(self._view):
            return
        node = self._view.rows[row]
        prefix_w = len(self._view.prefix(row, max_cells=_guide_cells(self._geometry().name_w)))
        self._set_cursor(row)
        if self._view.has_children(node) and prefix_w - 2 <= offset.x < prefix_w:
            self._toggle(node)  # a click on the ▸/▾ marker

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self._styles.clear()
        self._axis_cache = None

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)

    def on_focus(self) -> None:
        self._refresh_row(self.cursor_row)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor_row)

    # -- internals: state ------------------------------------------------------------------------
    def _bounds(self) -> tuple[int, int]:
        t = self._trace
        if t is None or not t.spans:
            return (0, 1)
        return (t.start_ns, max(t.end_ns, t.start_ns + 1))

    def _zoom(self, factor: float) -> None:
        if self._trace is None:
            return
        pos = self.selected_pos
        ws, we = self.window
        if pos is not None:
            s = self._trace.spans[pos]
            centre = (max(s.start_ns, ws) + min(s.end_ns, we)) // 2
        else:
            centre = (ws + we) // 2
        min_w = max(self._geometry().bar_w, 10)  # never less than 1 ns per cell
        new = zoom_window((ws, we), self._bounds(), centre, factor, min_width_ns=min_w)
        self._window = None if new == self._bounds() else new
        self.refresh()

    def _ranks(self) -> list[int]:
        if self._rank is None and self._trace is not None:
            rank = [0] * len(self._trace.spans)
            for r, p in enumerate(self._trace.order):
                rank[p] = r
            self._rank = rank
        return self._rank or []

    def _refilter_search(self) -> None:
        if self._query is None or self._trace is None:
            self._matches, self._match_order = frozenset(), []
            return
        positions = self._query.matching_positions(self._trace)
        self._matches = frozenset(positions)
        rank = self._ranks()
        self._match_order = sorted(rank[p] for p in positions)

    def _step_tree_order(self, ranks: list[int], direction: int) -> bool:
        """Move to the next/previous span (cyclic) among `ranks` (sorted tree ranks)."""
        if not ranks or self._trace is None:
            return False
        ranks = sorted(ranks)
        order = self._trace.order
        pos = self.selected_pos
        if pos is None:
            # On a placeholder: start from the first span below it.
            below = next((p for p in self._view.rows[self.cursor_row:] if p >= 0), None) if self._view else None
            cur = self._ranks()[below] - 0.5 if below is not None else -0.5
        else:
            cur = self._ranks()[pos]
        n = len(ranks)
        k = bisect_right(ranks, cur) if direction > 0 else bisect_left(ranks, cur) - 1
        for i in range(n):
            r = ranks[(k + i * direction) % n]
            if self.select_pos(order[r]):
                return True
        return False

    def _toggle(self, node: int) -> None:
        assert self._view is not None
        pos = self.selected_pos
        self._view.toggle(node)
        self._after_structure_change(pos, node)

    def _after_structure_change(self, pos: int | None, node: int | None = None) -> None:
        self._rows_changed()
        if node is not None:
            row = self._view.row_of(node)
        else:
            row = self._row_near(pos) if pos is not None else None
        self._set_cursor(row if row is not None else 0)

    def _row_near(self, pos: int) -> int | None:
        """The row of a span, or of its nearest visible ancestor."""
        view, trace = self._view, self._trace
        if view is None or trace is None or pos >= len(trace.spans):
            return None
        cur = pos
        while cur != NO_PARENT:
            row = view.row_of(cur)
            if row is not None:
                return row
            cur = trace.parent[cur]
        return None

    def _rows_changed(self) -> None:
        self._update_virtual_size()
        self.refresh()

    def _update_virtual_size(self) -> None:
        rows = len(self._view) if self._view is not None else 0
        self.virtual_size = Size(self._view_size.width, rows + 1)

    @property
    def _view_size(self) -> Size:
        """The visible content area: the widget minus padding, border and scrollbars."""
        return self.scrollable_content_region.size

    def _page_rows(self) -> int:
        return max(1, self._view_size.height - 1)

    def _set_cursor(self, row: int, force_message: bool = False) -> None:
        """Move the cursor; announce the span when the highlighted span changed (or forced)."""
        view = self._view
        n = len(view) if view is not None else 0
        row = max(0, min(row, n - 1)) if n else 0
        old_row = self.cursor_row
        self.cursor_row = row
        if old_row == row:
            self._refresh_row(row)
        self._scroll_cursor_into_view()
        pos = self.selected_pos
        if pos is not None and (force_message or pos != self._announced):
            self._announced = pos
            self.post_message(self.SpanHighlighted(pos))

    def _scroll_cursor_into_view(self) -> None:
        if self._view_size.height < 2:
            return
        page = self._page_rows()
        top = int(self.scroll_y)
        row = self.cursor_row
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + page:
            self.scroll_to(y=row - page + 1, animate=False, immediate=True)

    def _refresh_row(self, row: int) -> None:
        # Row r is virtual line r + 1 (line 0 is the axis, which never scrolls).
        if 1 <= row - int(self.scroll_y) + 1 < self._view_size.height:
            self.refresh_line(row + 1)

    # -- internals: drawing -------------------------------------------------------------------------
    def _geometry(self) -> _Geometry:
        width = max(1, self._view_size.width)
        dur_w = _DUR_W if width >= 70 else 7 if width >= 45 else 0
        name_w = max(8, min(width - dur_w - _MIN_BAR - 2, round(width * self._name_frac)))
        bar_x = name_w + 1
        bar_w = max(0, width - bar_x - (dur_w + 1 if dur_w else 0))
        return _Geometry(width, name_w, bar_x, bar_w, bar_x + bar_w + 1, dur_w)

    def render_line(self, y: int) -> Strip:
        width = self._view_size.width
        if y == 0:
            return self._axis_strip()
        view = self._view
        row = int(self.scroll_y) + y - 1
        if view is None or not 0 <= row < len(view):
            return Strip.blank(width, self.rich_style)
        node = view.rows[row]
        selected = row == self.cursor_row
        key = (node, row, view.version, selected, selected and self.has_focus, width, self.window,
               self._epoch)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(row, node, selected)
            self._cache[key] = strip
        return strip

    def _style(self, key: tuple, make) -> Style:
        st = self._styles.get(key)
        if st is None:
            st = self._styles[key] = make()
        return st

    def _base_styles(self, selected: bool) -> tuple[Style, RichColor | None]:
        def make() -> Style:
            base = self.rich_style
            if selected:
                base = base + self.get_component_rich_style("waterfall--cursor")
            return base

        base = self._style(("base", selected, selected and self.has_focus), make)
        return base, base.bgcolor

    def _overlay(self, name: str) -> Style:
        """What a component class adds on top of a row: its colour and text style (and, for
        search matches, its background). Taken from the full component style, whose colours
        are resolved against the background (partial styles keep `$foreground 30%` unblended)."""
        def make() -> Style:
            full = self.get_component_rich_style(name)
            return Style(color=full.color, bgcolor=full.bgcolor if name == "waterfall--match" else None,
                         bold=full.bold, italic=full.italic, underline=full.underline, reverse=full.reverse)

        return self._style(("overlay", name), make)

    def _component(self, name: str, base: Style) -> Style:
        return self._style(("comp", name, id(base)), lambda: base + self._overlay(name))

    def _service_style(self, service: str, base: Style, dimmed: bool) -> tuple[Style, RichColor]:
        """Text style of a service name, and its bar colour (blended towards the background when dimmed)."""
        def make_colour() -> RichColor:
            c = Color.parse(service_color(service))
            if dimmed:
                bg = base.bgcolor
                c = c.blend(Color.from_rich_color(bg), 0.7) if bg is not None else c.with_alpha(0.4)
            return c.rich_color

        colour = self._styles.get(("svc", service, dimmed, id(base)))
        if colour is None:
            colour = make_colour()
            self._styles[("svc", service, dimmed, id(base))] = colour  # type: ignore[assignment]
        return self._style(("svctext", service, dimmed, id(base)), lambda: base + Style(color=colour)), colour

    def _axis_strip(self) -> Strip:
        width = self._view_size.width
        geo = self._geometry()
        key = (width, self.window, self._epoch, geo, self._view.version if self._view else -1)
        if self._axis_cache is not None and self._axis_cache[0] == key:
            return self._axis_cache[1]
        base = self.get_component_rich_style("waterfall--axis")
        ws, we = self.window
        origin = self._bounds()[0]
        if self._trace is None:
            left = ""
        elif self._window is not None:
            left = f" zoom {fmt_duration(ws - origin)} – {fmt_duration(we - origin)}  (0 resets)"
        else:
            left = f" {len(self._trace.spans)} spans · {len(self._view) if self._view else 0} rows"
        segs = [Segment(_fit(left, geo.name_w), base), Segment(" ", base)]
        segs.append(Segment(axis_line(ws, we, geo.bar_w, origin) if geo.bar_w else "", base))
        if geo.dur_w:
            head = "    dur    self" if geo.dur_w == _DUR_W else "    dur"
            segs.append(Segment(" " + _fit(head, geo.dur_w), base))
        strip = Strip(segs).adjust_cell_length(width, base)
        self._axis_cache = (key, strip)
        return strip

    def _render_row(self, row: int, node: int, selected: bool) -> Strip:
        view, trace, analysis = self._view, self._trace, self._analysis
        assert view is not None and trace is not None and analysis is not None
        geo = self._geometry()
        base, row_bg = self._base_styles(selected)
        guide = self._component("waterfall--guide", base)
        segs: list[Segment] = []

        # Name column: guides, marker, error mark, swatch, service, name.
        prefix = view.prefix(row, max_cells=_guide_cells(geo.name_w))
        segs.append(Segment(prefix[:-2], guide))  # faint guides, then the ▸/▾ marker in full
        segs.append(Segment(prefix[-2:], base if prefix[-2] in "▸▾" else guide))
        room = geo.name_w - len(prefix)
        if node < 0:
            warn = self._component("waterfall--error", base)
            text = _fit(f"⚠ missing parent {clean(view.missing_parent(node))}", room)
            segs.append(Segment(text, warn))
            segs.append(Segment(" " * (geo.width - geo.name_w), base))
            return Strip(segs).adjust_cell_length(geo.width, base)

        span = trace.spans[node]
        service = span.resource.service
        dimmed = service in self._dimmed
        text_style = self._component("waterfall--dim", base) if dimmed else base
        svc_style, bar_colour = self._service_style(service, base, dimmed)
        is_error = span.status == STATUS_ERROR
        if is_error and room >= 2:
            segs.append(Segment("✖ ", self._component("waterfall--error", base)))
            room -= 2
        if room >= 2:
            segs.append(Segment("▍", svc_style))
            room -= 1
        matched = node in self._matches
        name_style = self._component("waterfall--match", text_style) if matched else text_style
        svc_text = clean(service, 40)
        label = clean(span.name, 300)
        hidden = view.hidden_descendants(node) if view.is_collapsed(node) else 0
        suffix = f" +{hidden}" if hidden else ""  # how many spans the collapsed row hides
        if room > 0:  # "service name": the service in its colour, then the span name
            svc_part = _clip(svc_text, min(room, max(6, room // 2)))
            segs.append(Segment(svc_part, svc_style if not matched else self._component("waterfall--match", svc_style)))
            room -= cell_len(svc_part)
        if room > 1:
            segs.append(Segment(" ", text_style))
            room -= 1
            if room - len(suffix) < 4:
                suffix = ""
            name_part = _clip(label, room - len(suffix))
            segs.append(Segment(name_part, name_style))
            room -= cell_len(name_part)
            if suffix:
                segs.append(Segment(" " * (room - len(suffix)), base))
                segs.append(Segment(suffix, guide))
                room = 0
        if room > 0:
            segs.append(Segment(" " * room, base))
        segs.append(Segment(" ", base))

        # Bar area.
        if geo.bar_w:
            segs.extend(self._bar_segments(node, geo.bar_w, base, row_bg, bar_colour, guide, dimmed))

        # Duration and self time.
        if geo.dur_w:
            dur = fmt_duration(span.end_ns - span.start_ns)
            text = f"{dur:>7}"
            if geo.dur_w == _DUR_W:
                text += f" {fmt_duration(analysis.self_times[node]):>7}"
            dstyle = self._component("waterfall--error", base) if is_error else text_style
            segs.append(Segment(" ", base))
            segs.append(Segment(_fit(text, geo.dur_w), dstyle))
        return Strip(segs).adjust_cell_length(geo.width, base)

    def _bar_segments(self, node: int, bar_w: int, base: Style, row_bg: RichColor | None,
                      colour: RichColor, guide: Style, dimmed: bool) -> list[Segment]:
        trace, analysis = self._trace, self._analysis
        assert trace is not None and analysis is not None
        span = trace.spans[node]
        ws, we = self.window
        chars = [" "] * bar_w
        styles: list[Style] = [base] * bar_w
        for col in self._tick_cols(bar_w):
            chars[col] = "┊"
            styles[col] = guide
        bar = project(span.start_ns, span.end_ns, ws, we, bar_w)
        if bar is not None:
            fg = self._style(("bar", colour, id(base)), lambda: base + Style(color=colour))
            lead = self._style(("lead", colour, id(base)),
                               lambda: base + Style(color=row_bg, bgcolor=colour) if row_bg else fg)
            for i, ch in enumerate(bar.text):
                c = bar.col + i
                if i == 0 and bar.lead_partial:
                    chars[c], styles[c] = (ch, lead) if row_bg is not None else ("█", fg)
                else:
                    chars[c], styles[c] = ch, fg
            sections = analysis.path_sections.get(node)
            if sections and not dimmed:
                crit = self._style(("crit", colour, id(base)),
                                   lambda: base + self._overlay("waterfall--critical") + Style(bgcolor=colour))
                crit_fg = self._component("waterfall--critical", base)
                for a, b in sections:
                    sec = project(a, b, ws, we, bar_w)
                    if sec is None:
                        continue
                    for c in range(sec.col, sec.end_col):
                        if chars[c] == "█":
                            chars[c], styles[c] = "━", crit
                        elif len(bar.text) == 1:  # a bar too thin for a line: colour it
                            styles[c] = crit_fg
            events = span.raw_events
            if events:
                ev_on = self._style(("ev", colour, id(base)), lambda: base + Style(color=row_bg, bgcolor=colour)
                                    if row_bg else base + Style(reverse=True))
                err_on = self._style(("everr", colour, id(base)),
                                     lambda: base + self._overlay("waterfall--error") + Style(bgcolor=colour))
                for ev in span.events[:200]:
                    c = col_of(ev.time_ns, ws, we, bar_w)
                    if c is None:
                        continue
                    exc = ev.name == "exception"
                    chars[c] = "◆" if exc else "•"
                    if bar.col <= c < bar.end_col:
                        styles[c] = err_on if exc else ev_on
                    else:
                        styles[c] = self._component("waterfall--error", base) if exc else fg
        # Merge runs of the same style.
        out: list[Segment] = []
        start = 0
        for i in range(1, bar_w + 1):
            if i == bar_w or styles[i] is not styles[start]:
                out.append(Segment("".join(chars[start:i]), styles[start]))
                start = i
        return out

    def _tick_cols(self, bar_w: int) -> list[int]:
        key = ("ticks", bar_w, self.window)
        cols = self._styles.get(key)
        if cols is None:
            ws, we = self.window
            cols = [c for c, _ in ticks(ws, we, bar_w, self._bounds()[0]) if c > 0]
            self._styles[key] = cols  # type: ignore[assignment]
        return cols  # type: ignore[return-value]


def _guide_cells(name_w: int) -> int:
    """How much of the name column tree guides may take: deep rows keep room for their names."""
    return max(6, name_w * 2 // 5)


def _clip(text: str, cells: int) -> str:
    """At most `cells` cells of `text`, cut with an ellipsis (wide characters counted)."""
    if cells <= 0:
        return ""
    if text.isascii():
        return text if len(text) <= cells else text[: cells - 1] + "…"
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, cells - 1).rstrip(" ") + "…" if cells > 1 else set_cell_size(text, cells)


def _fit(text: str, cells: int) -> str:
    """Exactly `cells` cells of `text`: padded, or cut with an ellipsis (wide characters counted)."""
    if cells <= 0:
        return ""
    if text.isascii():
        if len(text) <= cells:
            return text + " " * (cells - len(text))
        return text[: cells - 1] + "…"
    if cell_len(text) <= cells:
        return set_cell_size(text, cells)
    return set_cell_size(text, cells - 1) + "…"
