"""One base for scrolling row views: sticky header lines, rows from an index, a cursor, cached strips.

A row view draws `row_count()` rows below `HEADER_LINES` lines that never scroll (Line API: no
widget per row). A subclass says only what its rows are:

    class Stats(RowScrollView):
        BINDINGS = row_bindings("stats")

        def row_count(self) -> int: ...
        def render_header(self, y: int, width: int) -> Strip: ...      # y < HEADER_LINES
        def render_row(self, row: int, width: int, selected: bool) -> Strip: ...
        def row_key(self, row: int) -> Hashable: ...   # what else row `row` shows (an id, a filter…)

The base owns the rest: the virtual size; the cursor (a `repaint=False` reactive whose watcher
redraws the old and the new line only and scrolls the cursor into view; `show_cursor` off for a
view that only scrolls); the navigation keys and their actions (`row_bindings`); clicks mapped
to rows; and the finished-strip cache, keyed by (row, row_key(row), selected, focused, width,
version). `invalidate_rows()` bumps the version when rows change; a theme change clears the
cache (`notify_style_update`).

Paging moves the view and the cursor by one page together, as Textual's DataTable does: the
cursor keeps its place on the screen.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


def row_bindings(prefix: str) -> list[Binding]:
    """The navigation keys of a row view, with binding ids `<prefix>.up`, `<prefix>.up_vi`, …
    (vi aliases are their own ids, so a keymap can move one without the other)."""
    keys = [
        ("up", "cursor_up", "Up", "up"), ("k", "cursor_up", "Up", "up_vi"),
        ("down", "cursor_down", "Down", "down"), ("j", "cursor_down", "Down", "down_vi"),
        ("pageup", "page_up", "Page up", "page_up"), ("pagedown", "page_down", "Page down", "page_down"),
        ("home", "first", "First", "first"), ("g", "first", "First", "first_vi"),
        ("end", "last", "Last", "last"), ("G", "last", "Last", "last_vi"),
    ]
    return [Binding(key, action, text, show=False, id=f"{prefix}.{name}") for key, action, text, name in keys]


class RowScrollView(ScrollView, can_focus=True):
    """Rows under a sticky header, a cursor, cached strips. See the module docstring."""

    HEADER_LINES: ClassVar[int] = 1
    """Lines at the top that never scroll (the header, an axis)."""

    CACHE_SIZE: ClassVar[int] = 1024
    """Finished rows kept (a few pages, for scrolling back and forth)."""

    DEFAULT_CSS = """
    RowScrollView {
        background: $surface;
        scrollbar-gutter: stable;
    }
    """

    cursor: reactive[int] = reactive(0, repaint=False, init=False)
    """The row under the cursor (0 = the first row below the header)."""

    SHOW_CURSOR: ClassVar[bool] = True
    """False: no row is highlighted and the keys only scroll (a view to read, not to pick from);
    `show_cursor` changes it per widget."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._row_cache: LRUCache[tuple, Strip] = LRUCache(self.CACHE_SIZE)
        self._row_version = 0
        self._show_cursor = self.SHOW_CURSOR

    # -- what a subclass implements ------------------------------------------------------------------
    def row_count(self) -> int:
        """How many rows there are."""
        raise NotImplementedError

    def render_header(self, y: int, width: int) -> Strip:
        """Header line `y` (0 ≤ y < HEADER_LINES), `width` cells."""
        return Strip.blank(width, self.rich_style)

    def render_row(self, row: int, width: int, selected: bool) -> Strip:
        """Row `row`, `width` cells; `selected`: the cursor is on it. Cached: see `row_key`."""
        raise NotImplementedError

    def row_key(self, row: int) -> Hashable:
        """What row `row` shows besides its number, width, selection and the version: an id, a
        zoom window… Two calls with equal keys must draw the same strip."""
        return None

    def render_below(self, line: int, width: int) -> Strip | None:
        """A line below the last row (`line` 0 is the first), or None for a blank one."""
        return None

    def cursor_moved(self, old: int, new: int) -> None:
        """The cursor moved from row `old` to `new` (posting a message goes here)."""

    # -- geometry --------------------------------------------------------------------------------
    @property
    def top_row(self) -> int:
        """The row on the first line below the header."""
        return round(self.scroll_y)

    @property
    def page_rows(self) -> int:
        """How many rows fit below the header (at least 1)."""
        return max(1, self.scrollable_content_region.height - self.HEADER_LINES)

    def row_at_line(self, y: int) -> int | None:
        """The row drawn on line `y` of the content area (None: a header line or below the rows)."""
        if y < self.HEADER_LINES:
            return None
        row = self.top_row + y - self.HEADER_LINES
        return row if 0 <= row < self.row_count() else None

    # -- keeping the lines current --------------------------------------------------------------
    @property
    def rows_version(self) -> int:
        """Changes whenever cached rows were dropped (`invalidate_rows`, a theme change): a key
        for whatever else a subclass caches from the rows (a header that counts them)."""
        return self._row_version

    def invalidate_rows(self) -> None:
        """Rows changed (their number, order or content): size, cache and screen follow."""
        self._row_version += 1
        self._row_cache.clear()
        self._update_virtual_size()
        self.refresh()

    def refresh_row(self, row: int) -> None:
        """Redraw the line of `row` if it is on screen."""
        line = row - self.top_row + self.HEADER_LINES
        if self.HEADER_LINES <= line < self.scrollable_content_region.height:
            self.refresh(Region(0, line, self.size.width, 1))

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(0, self.row_count() + self.HEADER_LINES)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._row_version += 1
        self._row_cache.clear()

    def on_mount(self) -> None:
        self._update_virtual_size()

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self.scroll_to_row(self.cursor)

    def on_focus(self) -> None:
        self.refresh_row(self.cursor)

    def on_blur(self) -> None:
        self.refresh_row(self.cursor)

    # -- the cursor --------------------------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.row_count() - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_row(old)
        self.refresh_row(new)
        self.scroll_to_row(new)
        self.cursor_moved(old, new)

    @property
    def show_cursor(self) -> bool:
        """Whether a row is highlighted and the keys move it (else they only scroll)."""
        return self._show_cursor

    @show_cursor.setter
    def show_cursor(self, value: bool) -> None:
        self._show_cursor = value
        self.refresh()

    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row` (clamped) and scroll it into view; its line is redrawn even
        when the cursor was there already (what the row shows may have changed)."""
        old = self.cursor
        self.cursor = row
        if self.cursor == old:
            self.refresh_row(old)
            self.scroll_to_row(old)

    def scroll_to_row(self, row: int) -> None:
        """Scroll as little as needed to show `row`."""
        if self.scrollable_content_region.height <= self.HEADER_LINES:
            return  # nothing shows yet (not laid out)
        top, page = self.top_row, self.page_rows
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + page:
            self.scroll_to(y=row - page + 1, animate=False, immediate=True)

    # -- keys ----------------------------------------------------------------------------------------
    def _step(self, rows: int) -> None:
        if self.show_cursor:
            self.move_cursor(self.cursor + rows)
        else:
            self.scroll_to(y=self.top_row + rows, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self._step(-1)

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_page_up(self) -> None:
        self.scroll_to(y=self.top_row - self.page_rows, animate=False, immediate=True)
        if self.show_cursor:
            self.move_cursor(self.cursor - self.page_rows)

    def action_page_down(self) -> None:
        self.scroll_to(y=self.top_row + self.page_rows, animate=False, immediate=True)
        if self.show_cursor:
            self.move_cursor(self.cursor + self.page_rows)

    def action_first(self) -> None:
        self._step(-self.row_count())

    def action_last(self) -> None:
        self._step(self.row_count())

    # -- mouse ---------------------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y < self.HEADER_LINES:
            self.header_clicked(offset.x, offset.y)
            return
        row = self.row_at_line(offset.y)
        if row is None:
            return
        if self.show_cursor:
            self.move_cursor(row)
        self.row_clicked(row, offset.x, event.chain)

    def header_clicked(self, x: int, y: int) -> None:
        """A click on header line `y`, cell `x`."""

    def row_clicked(self, row: int, x: int, chain: int) -> None:
        """A click on `row` at cell `x` (after the cursor moved there); `chain` 2 is a double click."""

    # -- drawing -------------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y < self.HEADER_LINES:
            return self.render_header(y, width)
        row = round(self.scroll_y) + y - self.HEADER_LINES
        count = self.row_count()
        if not 0 <= row < count:
            below = self.render_below(row - count, width) if row >= count else None
            return below if below is not None else Strip.blank(width, self.rich_style)
        selected = self._show_cursor and row == self.cursor
        key = (row, self.row_key(row), selected, selected and self.has_focus, width, self._row_version)
        strip = self._row_cache.get(key)
        if strip is None:
            strip = self._row_cache[key] = self.render_row(row, width, selected)
        return strip
