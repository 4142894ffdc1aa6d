"""What the waterfall shows of one trace, without drawing it: rows, zoom window, search, steps.

`WaterfallModel` holds the state a user changes while reading a trace (collapsed rows, hidden
and dimmed services, the zoom window, the search) and answers where the cursor goes next: the
next or previous error, search match or span on the critical path. The widget keeps only the
cursor and draws; everything here is tested without a terminal.

Stepping methods take the cursor's row and return the span position to select, after expanding
whatever collapsed ancestors hid it (`RowView.reveal`), or None when there is nowhere to go.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from tracetui.analysis.overview import TraceAnalysis
from tracetui.model.query import Query
from tracetui.model.trace import NO_PARENT, Trace
from tracetui.viewmodels.layout import zoom_window
from tracetui.viewmodels.rows import RowView, tree_ranks

DUR_W = 15  # "  13.2ms  4.10ms": duration and self time, 7 cells each
MIN_BAR = 10


@dataclass(frozen=True, slots=True)
class Geometry:
    """Where a waterfall row's columns go in `width` cells: names | bar | durations."""

    width: int
    name_w: int
    bar_x: int
    bar_w: int
    dur_x: int
    dur_w: int

    @property
    def guide_cells(self) -> int:
        """How much of the name column tree guides may take: deep rows keep room for their names."""
        return max(6, self.name_w * 2 // 5)


def geometry(width: int, name_frac: float | None, label_cells: int = 0) -> Geometry:
    """The columns for `width` cells: `name_frac` of them for names (the user's choice), or, when
    None, as many as `label_cells` (what the names shown need) within a third to a half of
    the width; durations (and self times) shown when there is room."""
    width = max(1, width)
    dur_w = DUR_W if width >= 70 else 7 if width >= 45 else 0
    want = min(max(label_cells, width // 3), width // 2) if name_frac is None else round(width * name_frac)
    name_w = max(8, min(width - dur_w - MIN_BAR - 2, want))
    bar_x = name_w + 1
    bar_w = max(0, width - bar_x - (dur_w + 1 if dur_w else 0))
    return Geometry(width, name_w, bar_x, bar_w, bar_x + bar_w + 1, dur_w)


class WaterfallModel:
    """One trace as the waterfall shows it. See the module docstring."""

    def __init__(self, trace: Trace, analysis: TraceAnalysis, previous: WaterfallModel | None = None) -> None:
        """`previous`, a model of the same `Trace` object (it grew): its collapsed rows, hidden
        and dimmed services, zoom and search carry over. Another trace starts fresh."""
        self.trace = trace
        self.analysis = analysis
        self.rows = RowView(trace)
        self.dimmed: frozenset[str] = frozenset()
        self._window: tuple[int, int] | None = None  # None: the whole trace
        self._query: Query | None = None
        self._rank: list[int] | None = None  # tree rank per position
        self._label_cells: int | None = None
        if previous is not None and previous.trace is trace:
            self.rows.set_hidden_services(previous.rows.hidden_services)
            self.rows.set_collapsed({n for n in previous.rows.collapsed if n >= 0})
            self._window, self.dimmed, self._query = previous._window, previous.dimmed, previous._query
        self.matches: frozenset[int] = frozenset()
        self._match_order: list[int] = []  # tree ranks of matches, sorted
        self._only_matches = previous is not None and previous.trace is trace and previous._only_matches
        self._refilter_search()

    # -- the name column -------------------------------------------------------------------------
    @property
    def label_cells(self) -> int:
        """Cells the name column wants: tree guides for the usual depth, marks, and the
        "service name" of nearly every span (the 95th percentile: one very long name does
        not take the bars' room)."""
        if self._label_cells is None:
            spans = self.trace.spans
            step = max(1, len(spans) // 20_000)  # a sample is enough for a big trace
            lengths = sorted(len(s.resource.service) + 1 + len(s.name) for s in spans[::step])
            p95 = lengths[min(len(lengths) - 1, len(lengths) * 95 // 100)] if lengths else 0
            depth = self.trace.depth
            d95 = sorted(depth[::step])[min(len(depth[::step]) - 1, len(depth[::step]) * 95 // 100)] if depth else 0
            self._label_cells = min(2 * d95, 24) + 2 + 3 + p95
        return self._label_cells

    # -- time window ---------------------------------------------------------------------------------
    @property
    def bounds(self) -> tuple[int, int]:
        """The trace's extent (ns since the epoch), never empty."""
        t = self.trace
        if not t.spans:
            return (0, 1)
        return (t.start_ns, max(t.end_ns, t.start_ns + 1))

    @property
    def window(self) -> tuple[int, int]:
        """The time window on screen: the whole trace unless zoomed."""
        return self._window if self._window is not None else self.bounds

    @property
    def zoomed(self) -> bool:
        return self._window is not None

    def zoom_to(self, start_ns: int, end_ns: int) -> None:
        lo, hi = self.bounds
        start_ns, end_ns = max(lo, start_ns), min(hi, end_ns)
        if end_ns <= start_ns:
            end_ns = start_ns + 1
        self._window = None if (start_ns, end_ns) == (lo, hi) else (start_ns, end_ns)

    def reset_zoom(self) -> None:
        self._window = None

    def zoom(self, factor: float, around_pos: int | None, min_width_ns: int) -> None:
        """Scale the window by `factor` (< 1 zooms in) around the visible part of span
        `around_pos` (the window's middle if None)."""
        ws, we = self.window
        if around_pos is not None:
            s = self.trace.spans[around_pos]
            centre = (max(s.start_ns, ws) + min(s.end_ns, we)) // 2
        else:
            centre = (ws + we) // 2
        new = zoom_window((ws, we), self.bounds, centre, factor, min_width_ns=min_width_ns)
        self._window = None if new == self.bounds else new

    def zoom_to_span(self, pos: int) -> None:
        """The span fills the window, with a twentieth of its length on each side."""
        s = self.trace.spans[pos]
        pad = max(1, (s.end_ns - s.start_ns) // 20)
        self.zoom_to(s.start_ns - pad, s.end_ns + pad)

    def fit_root(self) -> bool:
        """Zoom to the root span's extent (spans that outlive the root go past the right edge);
        False when the root already spans the whole trace (or there is no root)."""
        root = self.trace.root
        if root is None or (root.start_ns, max(root.end_ns, root.start_ns + 1)) == self.bounds:
            return False
        self.zoom_to(root.start_ns, max(root.end_ns, root.start_ns + 1))
        return True

    @property
    def root_is_short(self) -> bool:
        """The root covers under a tenth of the trace's extent: its children's bars would be slivers."""
        root = self.trace.root
        lo, hi = self.bounds
        return root is not None and (root.end_ns - root.start_ns) * 10 < hi - lo

    def pan(self, direction: int) -> bool:
        """Move a zoomed window by a quarter of its width, left (-1) or right (+1)."""
        if self._window is None:
            return False
        ws, we = self._window
        lo, hi = self.bounds
        step = max(1, (we - ws) // 4) * direction
        step = max(lo - ws, min(hi - we, step))
        self._window = (ws + step, we + step)
        return True

    # -- search ------------------------------------------------------------------------------------------
    def set_search(self, query: Query | None) -> int:
        """Match spans against `query` (None or empty clears); returns how many match."""
        self._query = query if query is not None and not query.is_empty else None
        self._refilter_search()
        return len(self.matches)

    @property
    def only_matches(self) -> bool:
        """Whether only the matching spans (and their ancestors) are rows."""
        return self._only_matches

    def set_only_matches(self, on: bool) -> None:
        self._only_matches = on
        self._apply_only()

    def _apply_only(self) -> None:
        self.rows.show_only(self.matches if self._only_matches and self._query is not None else None)

    def set_hidden_services(self, services: set[str] | frozenset[str]) -> None:
        self.rows.set_hidden_services(services)
        self._apply_only()

    def match_index(self, pos: int | None) -> int | None:
        """1-based place of span `pos` among the matches in tree order (None if not one)."""
        if pos is None or pos not in self.matches:
            return None
        return bisect_left(self._match_order, self._ranks()[pos]) + 1

    def _refilter_search(self) -> None:
        if self._query is None:
            self.matches, self._match_order = frozenset(), []
        else:
            positions = self._query.matching_positions(self.trace)
            self.matches = frozenset(positions)
            rank = self._ranks()
            self._match_order = sorted(rank[p] for p in positions)
        self._apply_only()

    # -- stepping ----------------------------------------------------------------------------------------
    def next_match(self, row: int, direction: int = 1) -> int | None:
        """The next (+1) or previous (-1) search match from `row`, cyclic, in tree order."""
        return self._step_tree_order(self._match_order, row, direction)

    def next_error(self, row: int, direction: int = 1) -> int | None:
        """The next or previous span with status ERROR from `row`, cyclic, in tree order."""
        rank = self._ranks()
        return self._step_tree_order([rank[p] for p in self.analysis.error_positions], row, direction)

    def next_critical(self, row: int, direction: int = 1) -> int | None:
        """The next or previous span on the critical path, in time order (not cyclic)."""
        order = self.analysis.critical_order
        if not order:
            return None
        cur = self.rows.pos_at(row)
        if cur is not None and cur in self.analysis.on_path_set:
            k = order.index(cur) + direction
        else:
            start = self.trace.spans[cur].start_ns if cur is not None else self.trace.start_ns
            firsts = self.analysis.critical_starts
            k = bisect_left(firsts, start) if direction > 0 else bisect_right(firsts, start) - 1
        while 0 <= k < len(order):
            if self.rows.reveal(order[k]) is not None:
                return order[k]
            k += direction
        return None

    def _step_tree_order(self, ranks: list[int], row: int, direction: int) -> int | None:
        """The next/previous span (cyclic) among `ranks` (tree ranks) that is not hidden."""
        if not ranks:
            return None
        ranks = sorted(ranks)
        order = self.trace.order
        pos = self.rows.pos_at(row)
        if pos is None:
            # On a placeholder: start from the first span below it.
            below = next((p for p in self.rows.rows[row:] if p >= 0), None)
            cur = self._ranks()[below] - 0.5 if below is not None else -0.5
        else:
            cur = self._ranks()[pos]
        n = len(ranks)
        k = bisect_right(ranks, cur) if direction > 0 else bisect_left(ranks, cur) - 1
        for i in range(n):
            p = order[ranks[(k + i * direction) % n]]
            if self.rows.reveal(p) is not None:
                return p
        return None

    def _ranks(self) -> list[int]:
        if self._rank is None:
            self._rank = tree_ranks(self.trace)
        return self._rank

    # -- rows ----------------------------------------------------------------------------------------------
    def row_near(self, pos: int) -> int | None:
        """The row of a span, or of its nearest visible ancestor."""
        if pos >= len(self.trace.spans):
            return None
        cur = pos
        while cur != NO_PARENT:
            row = self.rows.row_of(cur)
            if row is not None:
                return row
            cur = self.trace.parent[cur]
        return None
