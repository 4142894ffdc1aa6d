"""Projection of times onto terminal cells: bars with ⅛-cell edges, ticks, zoom windows.

Pure maths, no Textual: the waterfall asks these functions where things go and only paints.
A cell is split into eighths; block characters ▏▎▍▌▋▊▉█ fill a cell from the left, so a bar's
right edge is exact to ⅛ cell. A left edge inside a cell is drawn with the same characters and
swapped colours (the block in the background colour over the bar colour): `lead_partial`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tracetui.render.units import fmt_duration
from tracetui.viewmodels.cells import EIGHTHS, FULL


@dataclass(frozen=True, slots=True)
class BarCells:
    """A bar on screen: `text` (one character per cell) starting at cell `col`.

    `lead_partial`: the first character is a left edge to draw with swapped colours (its block
    stands for the empty part of the cell). `start_eighth`/`end_eighth` are the exact
    extent in eighths of a cell, for overlays.
    """

    col: int
    text: str
    lead_partial: bool
    start_eighth: int
    end_eighth: int

    @property
    def end_col(self) -> int:
        """One past the last cell."""
        return self.col + len(self.text)


def project(start_ns: int, end_ns: int, window_start: int, window_end: int, width: int) -> BarCells | None:
    """Where a span's bar goes in `width` cells showing [window_start, window_end].

    None when the span lies outside the window. A span too short to see still gets one
    eighth of a cell, so nothing vanishes.
    """
    if width <= 0 or window_end <= window_start:
        return None
    if end_ns < window_start or start_ns > window_end:
        return None
    total = width * 8
    scale = total / (window_end - window_start)
    a = max(0, round((start_ns - window_start) * scale))
    b = min(total, round((max(end_ns, start_ns) - window_start) * scale))
    if a >= total:
        a = total - 1
    if b - a < 1:
        b = a + 1
        if b > total:
            a, b = total - 1, total
    c0, fa = divmod(a, 8)
    c1 = (b - 1) // 8
    if c0 == c1:
        fill = b - a
        if fa == 0:
            return BarCells(c0, EIGHTHS[fill], False, a, b)
        if fa + fill == 8:
            return BarCells(c0, EIGHTHS[fa], True, a, b)
        # Floating inside one cell: the nearest single glyph.
        centre = fa + fill / 2
        if fill <= 2:
            return BarCells(c0, "▏" if centre < 4 else "▕", False, a, b)
        return BarCells(c0, "▌" if centre < 4 else "▐", False, a, b)
    fb = b - c1 * 8  # 1..8
    lead = fa != 0
    text = (EIGHTHS[fa] if lead else FULL) + FULL * (c1 - c0 - 1) + EIGHTHS[fb]
    return BarCells(c0, text, lead, a, b)


def col_of(t_ns: int, window_start: int, window_end: int, width: int) -> int | None:
    """The cell that shows instant `t_ns`, or None outside the window."""
    if width <= 0 or window_end <= window_start or not window_start <= t_ns <= window_end:
        return None
    return min(width - 1, int((t_ns - window_start) * width / (window_end - window_start)))


def nice_step(span_ns: float, max_ticks: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ ns step that cuts `span_ns` into at most `max_ticks` parts."""
    if span_ns <= 0 or max_ticks <= 0:
        return 1
    raw = span_ns / max_ticks
    exp = math.floor(math.log10(raw)) if raw >= 1 else 0
    for base in (1, 2, 5, 10):
        step = base * 10**exp
        if step >= raw:
            return max(1, int(step))
    return max(1, int(10 ** (exp + 1)))


def tick_label(offset_ns: int, step_ns: int | None = None) -> str:
    """An offset from the trace start, with as many digits as `step_ns` (the distance between
    neighbouring labels) needs to tell them apart: 69.81ms │69.82ms, not 69.8ms │69.8ms."""
    if offset_ns == 0:
        return "0"
    return fmt_precise(offset_ns, step_ns) if step_ns else fmt_duration(offset_ns)


def fmt_precise(ns: int, resolution_ns: float) -> str:
    """A duration in fmt_duration's unit, with the decimals needed to show `resolution_ns`."""
    short = fmt_duration(ns)
    if resolution_ns <= 0 or abs(ns) >= 60e9:
        return short
    unit = next(u for u in ("ms", "µs", "ns", "s") if short.endswith(u))
    scale = {"ns": 1, "µs": 1e3, "ms": 1e6, "s": 1e9}[unit]
    decimals = min(9, max(0, math.ceil(-math.log10(resolution_ns / scale) - 1e-9)))
    shown = short[: -len(unit)]
    if decimals <= (len(shown.split(".")[1]) if "." in shown else 0):
        return short
    return f"{ns / scale:.{decimals}f}{unit}"


def ticks(window_start: int, window_end: int, width: int, origin_ns: int,
          min_gap: int = 10) -> list[tuple[int, str]]:
    """Tick columns and labels for the axis: "nice" offsets from `origin_ns` (the trace start)
    at least `min_gap` cells apart."""
    if width <= 0 or window_end <= window_start:
        return []
    max_ticks = max(1, width // min_gap)
    step = nice_step(window_end - window_start, max_ticks)
    first = math.ceil((window_start - origin_ns) / step)
    out: list[tuple[int, str]] = []
    k = first
    while True:
        offset = k * step
        t = origin_ns + offset
        if t > window_end:
            break
        col = col_of(t, window_start, window_end, width)
        if col is not None:
            out.append((col, tick_label(offset, step)))
        k += 1
    return out


def axis_line(window_start: int, window_end: int, width: int, origin_ns: int) -> str:
    """One line of `width` cells with the tick labels, each starting at its tick; a label that
    would run past the right edge ends there instead; overlapping labels are dropped."""
    cells = [" "] * width
    free_from = 0
    for col, label in ticks(window_start, window_end, width, origin_ns):
        text = "│" + label if col + 1 + len(label) <= width else label + "│"
        at = col if text[0] == "│" else col - len(label)
        if at < free_from or at < 0:
            continue
        cells[at:at + len(text)] = text
        free_from = at + len(text) + 1
    return "".join(cells[:width])


def zoom_window(window: tuple[int, int], bounds: tuple[int, int], centre_ns: int, factor: float,
                min_width_ns: int = 1_000) -> tuple[int, int]:
    """The window scaled by `factor` (< 1 zooms in) around `centre_ns`, kept inside `bounds`
    (the trace's extent) and no narrower than `min_width_ns`."""
    ws, we = window
    lo, hi = bounds
    full = max(1, hi - lo)
    new = max(min(min_width_ns, full), min(full, round((we - ws) * factor)))
    centre = min(max(centre_ns, lo), hi)
    # Keep the centre at the same relative place in the window.
    rel = (centre - ws) / (we - ws) if we > ws else 0.5
    rel = min(max(rel, 0.0), 1.0)
    start = round(centre - rel * new)
    start = min(max(start, lo), hi - new)
    return start, start + new
