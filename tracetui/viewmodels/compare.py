"""The comparison screen as plain data: what is selected, the duration histogram (logarithmic
buckets, the split on it), the duration-against-start scatter (braille dots) and the cells of
the operations and attributes tables. No Textual: tested headless.

The histogram and the scatter need only each listed trace's duration, start and error count
(the trace list's summaries), so they are drawn at once when the screen opens (each trace's
bucket and scatter cell worked out once, so a new selection only recolours); the tables wait for
the analysis (`tracetui.analysis.compare`), which runs in slices on the event loop.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress

from tracetui.analysis.compare import AttributeRow, Comparison, OperationRow, Selection
from tracetui.analysis.compare.split import ERRORS, QUERY, RANGE, SLOWEST, slowest_threshold
from tracetui.analysis.summary import TraceSummary
from tracetui.model.text import clean
from tracetui.render.compare_text import fmt_delta_ns, fmt_p, fmt_points, fmt_share, value_text
from tracetui.render.units import fmt_duration
from tracetui.viewmodels.cells import fit

BUCKETS = 40
PERCENTS = (1, 2, 5, 10, 20, 25, 50)
VBARS = " ▁▂▃▄▅▆▇█"  # VBARS[k]: the bottom k/8 of a cell filled
BRAILLE = 0x2800
# Braille dot bits by (column, row) of the 2×4 cell.
_DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))

# Styles of the plots' cells (the widget maps them to its component classes).
SEL, BASE, OTHER, AXIS, SPLIT = "sel", "base", "other", "axis", "split"
Cell = tuple[str, str]  # (text, style)


def log_edges(low: int, high: int, buckets: int = BUCKETS) -> list[int]:
    """`buckets + 1` edges from `low` to `high` (nanoseconds), evenly spaced on a log scale;
    integer, strictly increasing where the range allows it."""
    low = max(1, low)
    high = max(high, low + 1)
    a, b = math.log(low), math.log(high)
    edges = [round(math.exp(a + (b - a) * i / buckets)) for i in range(buckets + 1)]
    edges[0], edges[-1] = low, high
    return edges


class CompareModel:
    """The listed traces (as summaries) and the selection and baseline the user chose."""

    def __init__(self, summaries: Sequence[TraceSummary]) -> None:
        self.ids = [s.trace_id for s in summaries]
        self.durations = [s.duration_ns for s in summaries]
        self.starts = [s.start_unix_nano for s in summaries]
        self.errors = [s.error_count > 0 for s in summaries]
        self.edges = log_edges(min(self.durations, default=1), max(self.durations, default=1))
        self.buckets = [self.bucket_of(d) for d in self.durations]  # each trace's histogram bucket
        self._dots: tuple[int, int, list[int], list[int]] | None = None  # the scatter's (see `scatter`)
        self.selection = Selection.slowest()
        self.baseline: str | None = None
        self.scope_op: tuple[str, str] | None = None
        self.comparison: Comparison | None = None  # the last finished analysis

    def __len__(self) -> int:
        return len(self.ids)

    # -- the selection -------------------------------------------------------------------------
    def quick_mask(self) -> list[bool] | None:
        """Which traces are selected, when it needs no query (else the analysis says: None)."""
        sel = self.selection
        if sel.kind == SLOWEST:
            t = slowest_threshold(self.durations, sel.percent)
            return [t is not None and d >= t for d in self.durations]
        if sel.kind == ERRORS:
            return list(self.errors)
        if sel.kind == RANGE:
            lo = sel.low_ns if sel.low_ns is not None else -1
            hi = sel.high_ns if sel.high_ns is not None else math.inf
            return [lo <= d <= hi for d in self.durations]
        c = self.comparison
        if c is not None and c.selection == sel and len(c.in_selection) == len(self.ids):
            return c.in_selection
        return None

    def bucket_of(self, ns: int) -> int:
        """The bucket of a duration: [edges[b], edges[b + 1]), the last one closed."""
        return max(0, min(len(self.edges) - 2, bisect_right(self.edges, ns) - 1))

    def split_bucket(self) -> int | None:
        """The bucket where the selection starts (its lower duration), when it is a duration split."""
        sel = self.selection
        if sel.kind == SLOWEST:
            t = slowest_threshold(self.durations, sel.percent)
            return None if t is None else self.bucket_of(t)
        if sel.kind == RANGE:
            return self.bucket_of(sel.low_ns) if sel.low_ns is not None else 0
        return None

    def top_bucket(self) -> int | None:
        sel = self.selection
        if sel.kind == RANGE and sel.high_ns is not None:
            return self.bucket_of(sel.high_ns)
        return None

    def move_split(self, step: int) -> None:
        """Move the selection's lower edge by `step` buckets: the selection becomes the range from
        that bucket's lower edge (up to the current upper edge, or open)."""
        start = self.split_bucket()
        if start is None:
            start = BUCKETS * 9 // 10
        b = max(0, min(BUCKETS - 1, start + step))
        top = self.selection.high_ns if self.selection.kind == RANGE else None
        if top is not None and self.edges[b] > top:
            top = None
        self.selection = Selection.between(self.edges[b], top)

    def move_top(self, step: int) -> None:
        """Move the selection's upper edge by `step` buckets (past the last bucket: open)."""
        low = self.split_bucket() or 0
        top = self.top_bucket()
        t = (BUCKETS - 1 if top is None else top) + step
        if t >= BUCKETS - 1 and step > 0:
            high = None
        else:
            t = max(low, min(BUCKETS - 1, t))
            high = self.edges[t + 1] - 1
        self.selection = Selection.between(self.edges[low], high)

    def change_percent(self, step: int) -> None:
        """The slowest: the next larger (`step` 1) or smaller (-1) percentage of PERCENTS."""
        pct = self.selection.percent if self.selection.kind == SLOWEST else 10.0
        if self.selection.kind == SLOWEST:
            larger = [p for p in PERCENTS if p > pct]
            smaller = [p for p in PERCENTS if p < pct]
            pct = (larger[0] if larger else pct) if step > 0 else (smaller[-1] if smaller else pct)
        self.selection = Selection.slowest(pct)

    # -- the plots -----------------------------------------------------------------------------
    def histogram(self, width: int, height: int) -> list[list[Cell]]:
        """`height` lines of bars (selected traces stacked on top of the others, so the share is
        visible) and one axis line with the split marked `▲` (and the upper edge)."""
        mask = self.quick_mask()
        counts = [0] * BUCKETS
        chosen = [0] * BUCKETS
        for b in self.buckets:
            counts[b] += 1
        for b in compress(self.buckets, mask) if mask is not None else ():
            chosen[b] += 1
        top = max(counts, default=0) or 1
        width = max(width, BUCKETS // 2)
        col_bucket = [min(BUCKETS - 1, x * BUCKETS // width) for x in range(width)]
        lines: list[list[Cell]] = []
        levels = height * 8
        for y in range(height):
            line: list[Cell] = []
            floor = (height - 1 - y) * 8  # eighths below this line
            for b in col_bucket:
                total = math.ceil(counts[b] / top * levels) if counts[b] else 0
                sel = math.ceil(chosen[b] / top * levels) if chosen[b] else 0
                fill = max(0, min(8, total - floor))
                if not fill:
                    line.append((" ", BASE))
                    continue
                # the part of the bar that is selected: the top `sel` eighths of its height
                style = SEL if sel and total - sel < floor + fill else BASE
                line.append((VBARS[fill], style))
            lines.append(line)
        split, upper = self.split_bucket(), self.top_bucket()
        axis: list[Cell] = []
        for x, b in enumerate(col_bucket):
            starts_split = b == split and (x == 0 or col_bucket[x - 1] != b)
            ends_range = b == upper and (x + 1 == width or col_bucket[x + 1] != b)
            axis.append(("▲", SPLIT) if starts_split or ends_range else ("─", AXIS))
        lines.append(axis)
        return lines

    def histogram_labels(self) -> tuple[str, str, str]:
        """The axis's left and right ends and where the split is: `2.1ms`, `812ms`, `≥ 385ms`."""
        if self.selection.kind == SLOWEST:
            t = slowest_threshold(self.durations, self.selection.percent)
            at = f"≥ {fmt_duration(t)}" if t is not None else ""
        elif self.selection.kind == RANGE:
            lo = self.selection.low_ns
            hi = self.selection.high_ns
            at = f"{fmt_duration(lo or 0)} – {fmt_duration(hi) if hi is not None else '…'}"
        else:
            at = ""
        return fmt_duration(self.edges[0]), fmt_duration(self.edges[-1]), at

    def scatter(self, width: int, height: int) -> list[list[Cell]]:
        """Duration (log scale, up) against start time (right), in braille dots: 2×4 per cell.
        A cell with a selected trace's dot is drawn as selected."""
        width, height = max(1, width), max(1, height)
        cells, bits = self._dot_cells(width, height)
        mask = self.quick_mask()
        chosen = set(compress(cells, mask)) if mask is not None else set()
        return [[(chr(BRAILLE + bits[c]) if bits[c] else " ", SEL if c in chosen else BASE)
                 for c in range(y * width, (y + 1) * width)] for y in range(height)]

    def _dot_cells(self, width: int, height: int) -> tuple[list[int], list[int]]:
        """Where each trace's dot falls (its cell, row by row) and each cell's braille bits, for
        this size: worked out once, so a new selection only recolours cells (10k traces: 20 ms
        each time before, on the event loop)."""
        if self._dots is not None and self._dots[:2] == (width, height):
            return self._dots[2], self._dots[3]
        bits = [0] * (width * height)
        cells: list[int] = []
        if self.durations:
            t0, t1 = min(self.starts), max(self.starts)
            span = max(1, t1 - t0)
            lo, hi = math.log(max(1, self.edges[0])), math.log(max(2, self.edges[-1]))
            rng = max(1e-9, hi - lo)
            dots_x, dots_y = width * 2, height * 4
            for d, s in zip(self.durations, self.starts, strict=True):
                x = min(dots_x - 1, (s - t0) * dots_x // span)
                fy = (math.log(max(1, d)) - lo) / rng
                y = min(dots_y - 1, max(0, int((1.0 - fy) * dots_y)))
                c = (y // 4) * width + x // 2
                bits[c] |= _DOTS[x % 2][y % 4]
                cells.append(c)
        self._dots = (width, height, cells, bits)
        return cells, bits

    # -- the titles ----------------------------------------------------------------------------
    def selection_label(self) -> str:
        sel = self.selection
        if sel.kind == SLOWEST:
            t = slowest_threshold(self.durations, sel.percent)
            return f"slowest {sel.percent:g}%" + (f" (≥ {fmt_duration(t)})" if t is not None else "")
        if sel.kind == ERRORS:
            return "traces with errors"
        if sel.kind == QUERY:
            return clean(sel.query, 60)
        lo, hi = sel.low_ns, sel.high_ns
        return f"duration {fmt_duration(lo or 0)} – {fmt_duration(hi) if hi is not None else '…'}"


# -- the tables ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: int
    right: bool = False


OP_NUMBERS = [("Traces", 9), ("Path sel", 9), ("Path base", 9), ("Δ path", 9), ("Δ self", 9),
              ("p50 sel", 8), ("p50 base", 8), ("p99 sel", 8), ("Err sel", 7), ("Err base", 8)]
ATTR_NUMBERS = [("Sel", 6), ("Base", 6), ("Δ pts", 7), ("p", 8), ("q", 8)]


def _columns(width: int, numbers: list[tuple[str, int]], names: list[tuple[str, int, int]]) -> list[Column]:
    """Number columns from the left of `numbers` as long as the named ones keep their minimum;
    the named ones (title, minimum, weight) share what is left."""
    keep = list(numbers)
    minimum = sum(m for _, m, _ in names) + len(names)
    while keep and minimum + sum(w + 1 for _, w in keep) > width:
        keep.pop()
    room = max(minimum, width - sum(w + 1 for _, w in keep)) - len(names)
    weights = sum(w for _, _, w in names)
    cols = []
    left = room
    for i, (title, least, weight) in enumerate(names):
        w = left if i == len(names) - 1 else max(least, room * weight // weights)
        left -= w
        cols.append(Column(title, w))
    cols += [Column(t, w, right=True) for t, w in keep]
    return cols


def operation_columns(width: int) -> list[Column]:
    return _columns(width, OP_NUMBERS, [("Operation", 16, 1)])


def operation_cells(r: OperationRow, columns: int) -> list[str]:
    """The cells of one row, for the first `columns` columns (name first)."""
    cells = [f"{clean(r.service)}: {clean(r.name)}", f"{r.selection_traces:,}/{r.baseline_traces:,}",
             fmt_duration(r.selection_cp_ns), fmt_duration(r.baseline_cp_ns), fmt_delta_ns(r.delta_cp_ns),
             fmt_delta_ns(r.delta_self_ns)]
    if columns > len(cells):
        p50s, p99s, p50b, _ = r.percentiles()
        cells += [fmt_duration(p50s) if r.selection_spans else "–", fmt_duration(p50b) if r.baseline_spans else "–",
                  fmt_duration(p99s) if r.selection_spans else "–",
                  fmt_share(r.selection_error_rate) if r.selection_spans else "–",
                  fmt_share(r.baseline_error_rate) if r.baseline_spans else "–"]
    return cells[:columns]


def attribute_columns(width: int) -> list[Column]:
    return _columns(width, ATTR_NUMBERS, [("Key", 12, 2), ("Value", 12, 3)])


def attribute_cells(r: AttributeRow, columns: int) -> list[str]:
    cells = [clean(r.key), value_text(r), fmt_share(r.selection_share), fmt_share(r.baseline_share),
             fmt_points(r.delta), fmt_p(r.p_value), fmt_p(r.q_value)]
    return cells[:columns]


def row_text(cells: list[str], columns: list[Column]) -> list[str]:
    """Each cell fitted to its column (numbers to the right)."""
    out = []
    for text, col in zip(cells, columns, strict=False):
        if col.right:
            out.append(text.rjust(col.width)[-col.width:] if len(text) <= col.width else fit(text, col.width))
        else:
            out.append(fit(text, col.width))
    return out
