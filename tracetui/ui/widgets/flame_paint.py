"""Painting the flame graph's lines from a `FlameModel`: the header (time axis, or what the
left-heavy widths mean) and one row of frames.

A frame is its label `service: name` on the service's colour (the waterfall's), cut to its
width; frames on the critical path are bold in the full colour, the others faded towards the
background, those of services dimmed or hidden in the service panel more so; an error frame starts with `✖` on the error colour; a search match takes the match
colour; the selected frame takes the cursor's colour. A frame of 4 cells or more ends with one cell of
background, so neighbours stay apart. Styles are kept until the theme changes (`clear`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from tracetui.render.text import clean
from tracetui.render.units import fmt_duration
from tracetui.ui.palette import service_color
from tracetui.viewmodels.cells import fit
from tracetui.viewmodels.flame import FlameModel
from tracetui.viewmodels.layout import axis_line

FADE = 0.55  # how far a frame off the critical path is blended towards the background
DIM = 0.8  # how far a frame of a dimmed (or hidden) service is


class FlamePainter:
    """Strips for one flame widget; its styles are resolved once per theme."""

    def __init__(self, widget: Widget) -> None:
        self._widget = widget
        self._styles: dict[tuple, Any] = {}
        self._labels: dict[tuple[str, str], str] = {}

    def clear(self) -> None:
        self._styles.clear()

    def _style(self, key: tuple, make: Callable[[], Any]) -> Any:
        st = self._styles.get(key)
        if st is None:
            st = self._styles[key] = make()
        return st

    def _frame_style(self, service: str, critical: bool, match: bool, selected: bool, error_mark: bool,
                     dimmed: bool = False) -> Style:
        def make() -> Style:
            w = self._widget
            base = w.rich_style
            bg = Color.from_rich_color(base.bgcolor) if base.bgcolor is not None else Color(0, 0, 0)
            if error_mark:
                colour = Color.from_rich_color(w.get_component_rich_style("flame--error").color)
            elif selected:
                colour = Color.from_rich_color(w.get_component_rich_style("flame--cursor").bgcolor)
            elif match:
                colour = Color.from_rich_color(w.get_component_rich_style("flame--match").bgcolor)
            else:
                colour = Color.parse(service_color(w.app, service))
                if dimmed:  # a service dimmed or hidden in the service panel: barely there
                    colour = colour.blend(bg, DIM)
                    return Style(color=colour.blend(Color.parse("white") if bg.brightness < 0.5 else
                                                    Color.parse("black"), 0.35).rich_color, bgcolor=colour.rich_color)
                if not critical:
                    colour = colour.blend(bg, FADE)
            text = colour.get_contrast_text(1.0)
            return Style(color=text.rich_color, bgcolor=colour.rich_color, bold=critical or error_mark or selected)

        return self._style(("frame", service, critical, match, selected, error_mark, dimmed), make)

    def _label(self, service: str, name: str) -> str:
        key = (service, name)
        text = self._labels.get(key)
        if text is None:
            if len(self._labels) > 20_000:
                self._labels.clear()
            text = self._labels[key] = f"{clean(service, 40)}: {clean(name, 200)}"
        return text

    # -- the header ------------------------------------------------------------------------------
    def header(self, model: FlameModel | None, width: int) -> Strip:
        base = self._widget.get_component_rich_style("flame--axis")
        if model is None:
            return Strip([Segment(" " * width, base)])
        ws, we = model.window
        if model.merged:
            total = model.frames.hi
            text = (f" left heavy: call paths merged, heaviest first; width = self time summed "
                    f"({fmt_duration(total)} of work in all)")
            if model.zoomed:
                text += f" · zoom {fmt_duration(we - ws)} (Esc zooms out)"
            line = fit(text, width)
        else:
            line = axis_line(ws, we, width, model.trace.start_ns)
            if model.zoomed:
                note = f" zoom {fmt_duration(ws - model.trace.start_ns)} – {fmt_duration(we - model.trace.start_ns)} (Esc) "
                if len(note) < width // 2:
                    line = line[: width - len(note)] + note
        return Strip([Segment(line, base)]).adjust_cell_length(width, base)

    # -- a row -----------------------------------------------------------------------------------
    def row(self, model: FlameModel, row: int, width: int, selected_item: int | None) -> Strip:
        base = self._widget.rich_style
        segs: list[Segment] = []
        at = 0
        for c0, c1, item in model.row_cells(row, width):
            if c0 > at:
                segs.append(Segment(" " * (c0 - at), base))
            service, name = model.label(item)
            critical = model.on_critical_path(item)
            match = model.is_match(item)
            selected = item == selected_item
            w = c1 - c0
            body = w - 1 if w >= 4 else w  # a gap after frames wide enough to spare it
            style = self._frame_style(service, critical, match, selected, False, service in model.dimmed)
            if model.is_error(item):
                segs.append(Segment("✖", self._frame_style(service, critical, match, selected, True)))
                if body > 1:
                    segs.append(Segment(fit(self._label(service, name), body - 1), style))
            else:
                segs.append(Segment(fit(self._label(service, name), body), style))
            if body < w:
                segs.append(Segment(" ", base))
            at = c1
        if at < width:
            segs.append(Segment(" " * (width - at), base))
        return Strip(segs).adjust_cell_length(width, base)
