"""What the flame graph of one trace shows, without drawing it: frames laid out on rows, the
zoom, the selection, search matches, and where the cursor goes next.

Two layouts of the same trace:

- **time** (an icicle in time order): one frame per span, at its start and end on the time axis,
  one row per depth below its parent. Children that overlap in time go on extra rows instead of
  hiding each other: each span's children are packed into lanes (a child takes the first lane
  free at its start), and a lane is as tall as the tallest subtree in it. So a row holds frames
  that never overlap when the children stay inside their parents.
- **merged** ("left heavy"): one frame per call path (analysis/flame.py `CallTree`), children
  ordered by total weight, heaviest first; a frame's width is the self time of its spans plus
  its children's widths (work, as a profiler's total), so children always fit in their parent.

Frames are numbered items: span positions (time) or call-tree nodes (merged); `FlameFrames`
holds `x0`/`x1` per item (ns, or weight) and the items of each row sorted by `x0`. Built with
loops (any depth) in O(n log n).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from itertools import accumulate
from operator import attrgetter, ge

from tracetui.analysis.flame import NO_NODE, CallTree, call_tree
from tracetui.analysis.overview import TraceAnalysis
from tracetui.model.gcpause import gc_paused
from tracetui.model.query import Query
from tracetui.model.span import STATUS_ERROR
from tracetui.model.trace import NO_PARENT, Trace
from tracetui.viewmodels.rows import tree_ranks

TIME, MERGED = "time", "merged"
_START, _END = attrgetter("start_ns"), attrgetter("end_ns")


class FlameFrames:
    """Items laid out on rows: item i covers [x0[i], x1[i]) on row `row_of[i]`; [lo, hi) is the
    extent. `items(row)` lists a row's items by x0 (then x1) and `starts(row)` their x0, for
    bisecting: each row is put in order when first asked for, so a first screen orders only the
    rows it shows."""

    __slots__ = ("x0", "x1", "row_of", "lo", "hi", "_rows", "_starts")

    def __init__(self, x0: list[int], x1: list[int], row_of: list[int], rows: list[list[int]], lo: int,
                 hi: int) -> None:
        self.x0, self.x1, self.row_of, self.lo, self.hi = x0, x1, row_of, lo, hi
        self._rows = rows  # items of each row, in the order laid out (mostly by start already)
        self._starts: dict[int, list[int]] = {}

    def __len__(self) -> int:
        """How many rows."""
        return len(self._rows)

    def items(self, row: int) -> list[int]:
        if row not in self._starts:
            self.starts(row)
        return self._rows[row]

    def starts(self, row: int) -> list[int]:
        st = self._starts.get(row)
        if st is None:
            items = self._rows[row]
            if len(items) > 1:
                items.sort(key=self.x1.__getitem__)  # nearly sorted already: linear
                items.sort(key=self.x0.__getitem__)  # stable: by start, then end
            st = self._starts[row] = list(map(self.x0.__getitem__, items))
        return st

    def visible(self, row: int, lo: float, hi: float) -> tuple[int, int]:
        """The index range in `items(row)` of the items that may show in [lo, hi)."""
        starts = self.starts(row)
        a = bisect_right(starts, lo) - 1  # the last one starting before lo may reach into it
        return max(0, a), bisect_left(starts, hi)


def _rows_of(order: list[int], row_of: list[int], n_rows: int) -> list[list[int]]:
    """Items by row in `order` (pre-order: by start within a row when children stay inside
    their parents; `FlameFrames` sorts each row when first shown)."""
    rows: list[list[int]] = [[] for _ in range(n_rows)]
    appends = [r.append for r in rows]
    for i in order:
        appends[row_of[i]](i)
    return rows


@gc_paused  # lists per span and per row: the collector would walk them again and again
def time_layout(trace: Trace) -> FlameFrames:
    """The icicle of `trace` in time order (see the module)."""
    trace.ensure_built()
    spans, children, top = trace.spans, trace.children, trace.top
    n = len(spans)
    x0 = list(map(_START, spans))
    x1 = list(map(max, map(_END, spans), x0))
    height = [1] * n
    offset = [0] * n  # row below the parent's row (1 for the first lane)

    def pack(kids: list[int]) -> int:
        """Lanes for `kids` (by start); sets each one's offset; returns the rows they take."""
        # Most calls are sequential: when no child starts before the previous ones ended, they
        # share one lane (checked without a Python loop).
        starts = list(map(x0.__getitem__, kids))
        if all(map(ge, starts[1:], accumulate(map(x1.__getitem__, kids), max))):
            for c in kids:
                offset[c] = 1
            return max(map(height.__getitem__, kids))
        lane_of: list[int] = []
        lane_h: list[int] = []
        if len(kids) <= 16:  # few: the first free lane by a scan
            lane_end: list[int] = []
            for c in kids:
                s = x0[c]
                lane = next((k for k, e in enumerate(lane_end) if e <= s), -1)
                if lane < 0:
                    lane = len(lane_end)
                    lane_end.append(0)
                    lane_h.append(0)
                lane_end[lane] = x1[c]
                lane_of.append(lane)
                if height[c] > lane_h[lane]:
                    lane_h[lane] = height[c]
        else:  # many: lanes in use in a heap by end, free ones in a heap by number
            busy: list[tuple[int, int]] = []
            free: list[int] = []
            for c in kids:
                s = x0[c]
                while busy and busy[0][0] <= s:
                    heapq.heappush(free, heapq.heappop(busy)[1])
                if free:
                    lane = heapq.heappop(free)
                else:
                    lane = len(lane_h)
                    lane_h.append(0)
                lane_of.append(lane)
                if height[c] > lane_h[lane]:
                    lane_h[lane] = height[c]
                heapq.heappush(busy, (x1[c], lane))
        first = [1] * len(lane_h)
        for k in range(1, len(lane_h)):
            first[k] = first[k - 1] + lane_h[k - 1]
        for c, lane in zip(kids, lane_of, strict=True):
            offset[c] = first[lane]
        return first[-1] + lane_h[-1] - 1

    order = trace.order
    for i in [i for i in reversed(order) if children[i]]:  # parents, children before parents
        kids = children[i]
        if len(kids) == 1:
            c = kids[0]
            offset[c] = 1
            height[i] = 1 + height[c]
        else:
            height[i] = 1 + pack(kids)
    rows_total = pack(top) if top else 0
    row_of = [0] * n
    parent = trace.parent
    for i in order:
        p = parent[i]
        row_of[i] = (row_of[p] if p != NO_PARENT else -1) + offset[i]
    lo = min(x0) if n else 0
    hi = max(x1) if n else 1
    return FlameFrames(x0, x1, row_of, _rows_of(order, row_of, rows_total), lo, max(hi, lo + 1))


@gc_paused
def merged_layout(tree: CallTree) -> FlameFrames:
    """The left-heavy graph of a call tree: widths are `totals(self_ns)`, heaviest first."""
    return stacked_layout(tree.tops, tree.children, tree.totals(tree.self_ns), tree.depth, tree.preorder())


def stacked_layout(tops: list[int], children: list[list[int]], total: list, depth: list[int],
                   preorder: list[int]) -> FlameFrames:
    """Any weighted tree stacked left-heavy: each node as wide as its `total` (its own weight and
    its descendants'), children from their parent's left edge, heaviest first; row = depth. The
    "left heavy" graph of one trace and the CRISP graph of many (viewmodels/icicle.py) both."""
    n = len(total)
    x0 = [0] * n
    x1 = [0] * n
    x = 0
    for t in sorted(tops, key=lambda k: -total[k]):
        x0[t], x1[t] = x, x + total[t]
        x += total[t]
    for node in preorder:
        cx = x0[node]
        for c in sorted(children[node], key=lambda k: -total[k]):
            x0[c], x1[c] = cx, cx + total[c]
            cx += total[c]
    rows = _rows_of(preorder, depth, (max(depth) + 1) if n else 0)
    return FlameFrames(x0, x1, list(depth), rows, 0, max(1, x))


def row_cells(f: FlameFrames, row: int, width: int, window: tuple[float, float]) -> list[tuple[int, int, int]]:
    """The frames of `row` on `width` cells of `window` (a stretch of x): (first cell, end cell,
    item), left to right. A frame gets at least one cell; where many share a cell, the one drawn
    there is the last to start in it (O(width · log n) for a row of any length)."""
    if width <= 0 or not 0 <= row < len(f):
        return []
    ws, we = window
    scale = width / (we - ws)
    items, starts, x0, x1 = f.items(row), f.starts(row), f.x0, f.x1
    k, stop = f.visible(row, ws, we)
    out: list[tuple[int, int, int]] = []
    free = 0  # the first cell not yet taken
    while k < stop:
        i = items[k]
        c0 = max(0, int((x0[i] - ws) * scale))
        c1 = min(width, math.ceil((x1[i] - ws) * scale))
        if x1[i] <= ws or c0 >= width:
            k += 1
            continue
        c0 = max(c0, free)
        if c1 <= c0:
            c1 = c0 + 1
        if c0 < width:
            out.append((c0, min(c1, width), i))
        free = c1
        # Skip to the last frame that starts before the next free cell: those before it
        # would only draw over this one.
        t = ws + free / scale
        k = max(k + 1, bisect_left(starts, t, k + 1, stop) - 1)
    return out


class FlameModel:
    """One trace as the flame graph shows it. Items are span positions (time) or call-tree
    nodes (merged); the selection is always a span (the detail pane's), and in merged mode its
    node is the selected frame."""

    def __init__(self, trace: Trace, analysis: TraceAnalysis) -> None:
        self.trace = trace
        self.analysis = analysis
        self.mode = TIME
        self._frames: dict[str, FlameFrames] = {}
        self._tree: CallTree | None = None
        self._zoom: dict[str, list[tuple[int, int]]] = {TIME: [], MERGED: []}
        self.selected_pos: int | None = trace.top[0] if trace.top else None
        self.matches: frozenset[int] = frozenset()  # span positions
        self._match_items: frozenset[int] = frozenset()
        self._query: Query | None = None
        self._node_flags: tuple[list[bool], list[bool]] | None = None
        self._rank: list[int] | None = None  # tree rank per span position
        self.dimmed: frozenset[str] = frozenset()  # services drawn faded (dimmed or hidden in the panel)

    # -- layouts -----------------------------------------------------------------------------------
    @property
    def tree(self) -> CallTree:
        if self._tree is None:
            a = self.analysis
            self._tree = call_tree(self.trace, a.sections, a.self_times)
        return self._tree

    @property
    def frames(self) -> FlameFrames:
        f = self._frames.get(self.mode)
        if f is None:
            f = self._frames[self.mode] = time_layout(self.trace) if self.mode == TIME else merged_layout(self.tree)
        return f

    @property
    def merged(self) -> bool:
        return self.mode == MERGED

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._refresh_match_items()

    # -- items ---------------------------------------------------------------------------------------
    def item_of_pos(self, pos: int) -> int:
        return self.tree.node_of[pos] if self.mode == MERGED else pos

    def pos_of_item(self, item: int) -> int:
        """The span an item stands for: itself, or a node's longest span."""
        if self.mode == TIME:
            return item
        spans = self.trace.spans
        return max(self.tree.spans[item], key=lambda p: spans[p].end_ns - spans[p].start_ns)

    @property
    def selected_item(self) -> int | None:
        return self.item_of_pos(self.selected_pos) if self.selected_pos is not None else None

    @property
    def selected_row(self) -> int:
        item = self.selected_item
        return self.frames.row_of[item] if item is not None else 0

    def label(self, item: int) -> tuple[str, str]:
        """(service, name) of an item (uncleaned)."""
        if self.mode == TIME:
            s = self.trace.spans[item]
            return s.resource.service, s.name
        s = self.trace.spans[self.tree.spans[item][0]]
        return s.resource.service, s.name

    def is_error(self, item: int) -> bool:
        if self.mode == TIME:
            return self.trace.spans[item].status == STATUS_ERROR
        return self._flags()[0][item]

    def on_critical_path(self, item: int) -> bool:
        if self.mode == TIME:
            return item in self.analysis.on_path_set
        return self._flags()[1][item]

    def is_match(self, item: int) -> bool:
        return item in self._match_items

    def _flags(self) -> tuple[list[bool], list[bool]]:
        """Per node: has an error span; is on the critical path (it or a path below it)."""
        if self._node_flags is None:
            t, spans = self.tree, self.trace.spans
            err = [any(spans[p].status == STATUS_ERROR for p in members) for members in t.spans]
            on = [c > 0 for c in t.totals(t.cp_self_ns)]
            self._node_flags = (err, on)
        return self._node_flags

    # -- zoom ------------------------------------------------------------------------------------------
    @property
    def window(self) -> tuple[int, int]:
        stack = self._zoom[self.mode]
        if stack:
            return stack[-1]
        f = self.frames
        return f.lo, f.hi

    @property
    def zoomed(self) -> bool:
        return bool(self._zoom[self.mode])

    def zoom_into(self, item: int) -> bool:
        """The frame fills the width (False if it does already)."""
        f = self.frames
        w = (f.x0[item], max(f.x1[item], f.x0[item] + 1))
        if w == self.window:
            return False
        self._zoom[self.mode].append(w)
        return True

    def zoom_out(self) -> bool:
        """Back to the window before the last zoom (False when not zoomed)."""
        stack = self._zoom[self.mode]
        if not stack:
            return False
        stack.pop()
        return True

    # -- projection --------------------------------------------------------------------------------------
    def row_cells(self, row: int, width: int) -> list[tuple[int, int, int]]:
        """The frames of `row` on `width` cells of the window (`row_cells` below)."""
        return row_cells(self.frames, row, width, self.window)

    # -- selection and steps ---------------------------------------------------------------------------
    def select_item(self, item: int) -> None:
        self.selected_pos = self.pos_of_item(item)

    def item_near(self, row: int, x: float) -> int | None:
        """The item of `row` under `x`, else the nearest one in the window; None for an empty row."""
        f = self.frames
        if not 0 <= row < len(f) or not f.items(row):
            return None
        items, starts = f.items(row), f.starts(row)
        k = bisect_right(starts, x) - 1
        if k >= 0 and f.x1[items[k]] > x:
            return items[k]
        cands = [items[j] for j in (k, k + 1) if 0 <= j < len(items)]
        ws, we = self.window
        inside = [i for i in cands if f.x1[i] > ws and f.x0[i] < we] or cands

        def distance(i: int) -> float:
            return f.x0[i] - x if f.x0[i] > x else x - f.x1[i]

        return min(inside, key=distance)

    def step_row(self, item: int, rows: int) -> int | None:
        """The item `rows` rows down (or up) under the middle of `item`'s visible part; rows
        without frames there are passed over."""
        f = self.frames
        ws, we = self.window
        x = (max(f.x0[item], ws) + min(f.x1[item], we)) / 2
        row = f.row_of[item] + rows
        step = 1 if rows > 0 else -1
        while 0 <= row < len(f):
            got = self.item_near(row, x)
            if got is not None and f.x0[got] <= x < max(f.x1[got], f.x0[got] + 1):
                return got
            if abs(rows) > 1 and got is not None:
                return got  # a page: land near, not only under
            row += step
        return None

    def neighbour(self, item: int, direction: int) -> int | None:
        """The next frame to the left (-1) or right (+1) on the same row that shows in the window."""
        f = self.frames
        items = f.items(f.row_of[item])
        k = bisect_left(f.starts(f.row_of[item]), f.x0[item])
        while k < len(items) and items[k] != item:
            k += 1
        ws, we = self.window
        k += direction
        while 0 <= k < len(items):
            i = items[k]
            if f.x1[i] > ws and f.x0[i] < we:
                return i
            if (direction > 0 and f.x0[i] >= we) or (direction < 0 and f.x1[i] <= ws):
                return None
            k += direction
        return None

    # -- search ------------------------------------------------------------------------------------------
    def set_search(self, query: Query | None) -> int:
        """Match spans against `query` (None or empty clears); returns how many spans match."""
        self._query = query if query is not None and not query.is_empty else None
        self.matches = frozenset(self._query.matching_positions(self.trace)) if self._query else frozenset()
        self._refresh_match_items()
        return len(self.matches)

    def _refresh_match_items(self) -> None:
        if self.mode == TIME or not self.matches:
            self._match_items = self.matches
        else:
            node_of = self.tree.node_of
            self._match_items = frozenset(node_of[p] for p in self.matches)

    def _step_ordered(self, positions: list[int], direction: int) -> int | None:
        """The next/previous (cyclic) of `positions` (spans, in tree order) from the selection;
        in merged mode, one stop per frame."""
        if not positions:
            return None
        if self.mode == MERGED:
            seen: set[int] = set()
            node_of = self.tree.node_of
            firsts = []
            for p in positions:
                nd = node_of[p]
                if nd not in seen:
                    seen.add(nd)
                    firsts.append(p)
            positions = firsts
        rank = self._ranks()
        ranks = sorted(rank[p] for p in positions)
        cur = self.selected_pos
        if self.mode == MERGED and cur is not None:
            # Stand at the selected frame's first span in tree order.
            cur = min(self.tree.spans[self.tree.node_of[cur]], key=rank.__getitem__)
        r = rank[cur] if cur is not None else -1
        k = bisect_right(ranks, r) if direction > 0 else bisect_left(ranks, r) - 1
        return self.trace.order[ranks[k % len(ranks)]]

    def next_match(self, direction: int = 1) -> int | None:
        """The next (+1) or previous (-1) matching span, cyclic, in tree order."""
        return self._step_ordered(sorted(self.matches, key=self._ranks().__getitem__), direction)

    def next_error(self, direction: int = 1) -> int | None:
        return self._step_ordered(self.analysis.error_positions, direction)

    def match_index(self) -> int | None:
        """1-based place of the selected span among the matches in tree order (None if not one)."""
        pos = self.selected_pos
        if pos is None or pos not in self.matches:
            return None
        rank = self._ranks()
        return sorted(rank[p] for p in self.matches).index(rank[pos]) + 1

    def next_critical(self, direction: int = 1) -> int | None:
        """The next or previous span on the critical path, in time order (not cyclic)."""
        order = self.analysis.critical_order
        if not order:
            return None
        cur = self.selected_pos
        if cur is not None and cur in self.analysis.on_path_set:
            k = order.index(cur) + direction
        else:
            start = self.trace.spans[cur].start_ns if cur is not None else self.trace.start_ns
            firsts = self.analysis.critical_starts
            k = bisect_left(firsts, start) if direction > 0 else bisect_right(firsts, start) - 1
        return order[k] if 0 <= k < len(order) else None

    def _ranks(self) -> list[int]:
        if self._rank is None:
            self._rank = tree_ranks(self.trace)
        return self._rank

    def reveal(self, pos: int) -> None:
        """Select span `pos`; zoomed out as far as needed for its frame to show."""
        self.selected_pos = pos
        f, item = self.frames, self.item_of_pos(pos)
        stack = self._zoom[self.mode]
        while stack and not (f.x1[item] > stack[-1][0] and f.x0[item] < stack[-1][1]):
            stack.pop()


__all__ = ["MERGED", "NO_NODE", "TIME", "FlameFrames", "FlameModel", "merged_layout", "time_layout"]
