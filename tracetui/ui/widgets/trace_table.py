"""The trace list: one line per trace, drawn from `TraceIndex.rows` (a `RowScrollView`).

Line 0 is a sticky header (click a column title to sort by it); every other line is one trace.
Finished lines are cached by the base, keyed by the row's trace id; the rows, the marks or the
theme changing start a new version.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from tracetui.analysis.summary import TraceSummary
from tracetui.render.text import clean
from tracetui.render.units import fmt_duration, fmt_time
from tracetui.ui.messages import OpenTrace, SortRequested, TraceHighlighted
from tracetui.ui.typed_app import tui_app
from tracetui.ui.widgets.row_view import RowScrollView, row_bindings
from tracetui.viewmodels.cells import bar_text, fit
from tracetui.viewmodels.trace_list import TraceIndex, duration_fraction


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    sort: str | None = None
    right: bool = False


class TraceTable(RowScrollView):
    """Rows of `index.rows`; the cursor is a row number, the selection follows the trace id."""

    HELP_TITLE = "Trace table"

    BINDINGS: list[BindingType] = [
        Binding("enter", "open", "Open trace", id="list.open"),
        Binding("b", "log_scale", "Log bars", tooltip="Duration bars on a logarithmic scale (again: linear)",
                id="list.log_scale"),
        *row_bindings("list"),
    ]

    COMPONENT_CLASSES = {
        "trace-table--header", "trace-table--header-sorted", "trace-table--cursor",
        "trace-table--error", "trace-table--orphan", "trace-table--bar", "trace-table--muted",
        "trace-table--new", "trace-table--marked",
    }

    DEFAULT_CSS = """
    TraceTable {
        background: $surface;
        scrollbar-gutter: stable;
    }
    TraceTable > .trace-table--header { background: $panel; color: $text; text-style: bold; }
    TraceTable > .trace-table--header-sorted { background: $panel; color: $text-accent; text-style: bold; }
    TraceTable > .trace-table--cursor { background: $surface-lighten-2; }
    TraceTable:focus > .trace-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    TraceTable > .trace-table--error { color: $error; text-style: bold; }
    TraceTable > .trace-table--orphan { color: $warning; }
    TraceTable > .trace-table--bar { color: $primary; }
    TraceTable > .trace-table--muted { color: $text-muted; }
    TraceTable > .trace-table--new { color: $success; text-style: bold; }
    TraceTable > .trace-table--marked { color: $warning; text-style: bold reverse; }
    """

    class ScaleChanged(Message):
        """The duration bars switched between linear and logarithmic scale."""

    def __init__(self, index: TraceIndex, *, utc: bool = False, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.index = index
        self.utc = utc
        self.log_scale = False  # duration bars on a logarithmic scale (`b`)
        self.new_ids: set[str] = set()
        self.marked_id: str | None = None  # trace A of a diff (m on the list)
        self._columns: list[Column] = []
        self._columns_width = -1
        self._selected_id: str | None = None
        self._user_moved = False  # once the user picks a row, arrivals never move it
        self._style_sets: dict[tuple[bool, bool], dict[str, Style]] = {}
        self._styles_version = -1

    # -- data ----------------------------------------------------------------------------------
    @property
    def selected(self) -> TraceSummary | None:
        rows = self.index.rows
        return rows[self.cursor] if 0 <= self.cursor < len(rows) else None

    def rows_changed(self, follow_top: bool = False) -> None:
        """The index's rows changed: keep the same trace selected at the same place on screen.

        With `follow_top` (an initial load, not live arrivals) and before the user has moved the
        cursor, the first row stays selected instead, so the list opens on its top once loaded."""
        if follow_top and not self._user_moved and self.cursor == 0:
            self._selected_id = None
        rows = self.index.rows
        old_cursor = self.cursor
        new_cursor = None
        if self._selected_id is not None:
            new_cursor = self.index.index_of(self._selected_id)
        if new_cursor is None:
            new_cursor = min(old_cursor, max(0, len(rows) - 1))
        self.invalidate_rows()
        shift = new_cursor - old_cursor
        if shift and self._selected_id is not None:
            # Rows were inserted above the selection: scroll with them so nothing moves on screen.
            self.scroll_to(y=self.scroll_y + shift, animate=False, immediate=True)
        self.set_reactive(TraceTable.cursor, new_cursor)
        self._remember()

    def go_top(self) -> None:
        """Rows were reordered: select the first one and show it."""
        self._selected_id = None
        self.set_reactive(TraceTable.cursor, 0)
        self.rows_changed()
        self.scroll_to(y=0, animate=False, immediate=True)
        self._remember()
        if self._selected_id is not None:
            self.post_message(TraceHighlighted(self._selected_id))

    def marks_changed(self) -> None:
        self.invalidate_rows()

    def _remember(self) -> None:
        s = self.selected
        self._selected_id = s.trace_id if s else None

    # -- the row view ----------------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self.index.rows)

    def row_key(self, row: int) -> Hashable:
        return self.index.rows[row].trace_id

    def cursor_moved(self, old: int, new: int) -> None:
        self._user_moved = True
        self._remember()
        if self._selected_id is not None:
            self.post_message(TraceHighlighted(self._selected_id))

    def action_open(self) -> None:
        s = self.selected
        if s is not None:
            self.post_message(OpenTrace(s.trace_id))

    def action_log_scale(self) -> None:
        self.log_scale = not self.log_scale
        self.invalidate_rows()
        self.post_message(self.ScaleChanged())

    def header_clicked(self, x: int, y: int) -> None:
        at = 0
        for col in self._layout(self.scrollable_content_region.width):
            if at <= x < at + col.width + 1 and col.sort:  # (the bar's title is empty)
                self.post_message(SortRequested(col.sort))
                return
            at += col.width + 1

    def row_clicked(self, row: int, x: int, chain: int) -> None:
        if chain >= 2:
            self.action_open()

    # -- drawing -------------------------------------------------------------------------------
    def _layout(self, width: int) -> list[Column]:
        if width == self._columns_width:
            return self._columns
        cols = [
            Column("mark", " ", 1),
            Column("start", "Start", 18, "start"),
            Column("root", "Root service: span", 20),
            Column("duration", "Duration", 8, "duration", right=True),
            Column("bar", "", 12 if width >= 80 else 6),
            Column("spans", "Spans", 7, "spans", right=True),
            Column("errors", "Errors", 8, "errors"),
            Column("services", "Services", 0),
        ]
        fixed = sum(c.width + 1 for c in cols if c.key not in ("root", "services"))
        flex = max(10, width - fixed - 2)
        if width >= 100:
            root_w = max(20, flex * 55 // 100)
            services_w = max(0, flex - root_w)
        else:
            root_w, services_w = flex, 0
        out = []
        for c in cols:
            if c.key == "root":
                c = Column(c.key, c.title, root_w, c.sort, c.right)
            elif c.key == "services":
                if services_w < 8:
                    continue
                c = Column(c.key, c.title, services_w, c.sort, c.right)
            out.append(c)
        self._columns, self._columns_width = out, width
        return out

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        return self._row(self.index.rows[row], selected, width)

    def render_below(self, line: int, width: int) -> Strip | None:
        if line == 1 and not self.index.rows:  # one line under the header, then why it is empty
            return self._empty_line(width)
        return None

    def _empty_line(self, width: int) -> Strip:
        """What an empty list says: why it is empty."""
        app = tui_app(self.app)
        if self.index.total and self.index.query is not None:
            text = "No trace matches the filter (Esc clears it)."
        elif app.status.loading:
            text = "Loading… traces appear here as they are read."
        else:
            text = "No traces loaded." + ("  Press ! to see what went wrong." if app.problems else "")
        style = self.rich_style + self.get_component_rich_style("trace-table--muted", partial=True)
        return Strip([Segment("  " + text, style)]).adjust_cell_length(width, self.rich_style)

    def render_header(self, y: int, width: int) -> Strip:
        base = self.get_component_rich_style("trace-table--header")
        sorted_style = self.get_component_rich_style("trace-table--header-sorted")
        arrow = " ▼" if self.index.descending else " ▲"
        segs = []
        cols = self._layout(width)
        skip = False
        for i, col in enumerate(cols):
            if skip:
                skip = False
                continue
            title = col.title
            style = base
            w = col.width
            if i + 1 < len(cols) and cols[i + 1].title == "":
                w += cols[i + 1].width + 1  # a title may spill over the untitled column after it
                skip = True
            if col.sort and col.sort == self.index.sort:
                title += arrow
                style = sorted_style
            segs.append(Segment(fit(title, w), style))
            segs.append(Segment(" ", base))
        return Strip(segs).adjust_cell_length(width, base)

    _PARTS = ("trace-table--muted", "trace-table--marked", "trace-table--new", "trace-table--bar",
              "trace-table--error", "trace-table--orphan")

    def _styles(self, selected: bool) -> dict[str, Style]:
        """The styles of a row's parts, worked out once per version of the rows (resolving a
        widget's style walks its ancestors: it was a third of drawing a row)."""
        if self._styles_version != self.rows_version:
            self._styles_version = self.rows_version
            self._style_sets.clear()
        key = (selected, selected and self.has_focus)
        styles = self._style_sets.get(key)
        if styles is None:
            base = self.rich_style
            if selected:
                base = base + self.get_component_rich_style("trace-table--cursor")
            styles = {"base": base, "bold": base + Style(bold=True)}
            for name in self._PARTS:
                # The component's own colour, resolved against the widget's background (a
                # partial style cannot resolve "auto" colours such as $text-muted), on this
                # row's base; on the cursor its colours win, so every part stays readable.
                full = self.get_component_rich_style(name)
                styles[name] = (base + Style(bold=full.bold) if selected
                                else base + Style(color=full.color, bold=full.bold, italic=full.italic))
            self._style_sets[key] = styles
        return styles

    def _row(self, s: TraceSummary, selected: bool, width: int) -> Strip:
        styles = self._styles(selected)
        base = styles["base"]
        part = styles.__getitem__
        muted = styles["trace-table--muted"]

        segs: list[Segment] = []
        gap = Segment(" ", base)
        for col in self._layout(width):
            w = col.width
            if col.key == "mark":
                if s.trace_id == self.marked_id:
                    segs.append(Segment("A", part("trace-table--marked")))
                    segs.append(gap)
                    continue
                new = s.trace_id in self.new_ids
                segs.append(Segment("•" if new else " ", part("trace-table--new") if new else base))
            elif col.key == "start":
                segs.append(Segment(fit(fmt_time(s.start_unix_nano, self.utc)[5:], w), muted))
            elif col.key == "root":
                service = clean(s.root_service)
                name = clean(s.root_name)
                if not s.has_root:
                    name = f"{name} (no root)"
                text = fit(f"{service}: {name}", w)
                cut = min(len(text), cell_len(service) + 1)
                segs.append(Segment(text[:cut], styles["bold"]))
                segs.append(Segment(text[cut:], base))
            elif col.key == "duration":
                segs.append(Segment(fmt_duration(s.duration_ns).rjust(w)[-w:], base))
            elif col.key == "bar":
                index = self.index
                fraction = duration_fraction(s.duration_ns, index.min_duration_ns, index.max_duration_ns, self.log_scale)
                segs.append(Segment(bar_text(fraction, w), part("trace-table--bar")))
            elif col.key == "spans":
                segs.append(Segment(f"{s.span_count:,}".rjust(w)[-w:], base))
            elif col.key == "errors":
                err = f"✗{s.error_count}" if s.error_count else ""
                orphan = f"⚠{s.orphan_count}" if s.orphan_count else ""
                if s.skewed_spans:  # clock skew (adjusted or not: `a` in a trace)
                    orphan = f"{orphan} ⇄" if orphan else "⇄"
                used = 0
                if err:
                    segs.append(Segment(err, part("trace-table--error")))
                    used += cell_len(err)
                if orphan:
                    if used:
                        segs.append(Segment(" ", base))
                        used += 1
                    segs.append(Segment(fit(orphan, w - used), part("trace-table--orphan")))
                    used = w
                if used < w:
                    segs.append(Segment(" " * (w - used), base))
            elif col.key == "services":
                names = ", ".join(clean(x) for x in s.services)
                segs.append(Segment(fit(f"{len(s.services)} {names}", w), muted))
            segs.append(gap)
        return Strip(segs).adjust_cell_length(width, base)
