"""Painting the waterfall's lines: the time axis and one span row, from a `WaterfallModel`.

A row: tree guides and ▸/▾ marker, `✖` for an error, a service colour swatch, the service (in its
colour) and the span name (search matches highlighted; a span moved for clock skew ends with
`⇄+40ms`, a collapsed row with `+N`) | the bar
in the service colour, `━` over the critical-path stretches, `•` events and `◆` exceptions, faint
`┊` tick guides | duration and self time. Styles come from the widget's component classes and
are kept until the theme changes (`clear`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from tracetui.model.span import STATUS_ERROR
from tracetui.render.text import clean
from tracetui.render.units import count, fmt_duration
from tracetui.ui.palette import service_color
from tracetui.viewmodels.cells import clip, fit
from tracetui.viewmodels.layout import axis_line, col_of, fmt_precise, project, ticks
from tracetui.viewmodels.waterfall import DUR_W, Geometry, WaterfallModel


class WaterfallPainter:
    """Strips for one waterfall widget; its styles are resolved once per theme."""

    def __init__(self, widget: Widget) -> None:
        self._widget = widget
        self._styles: dict[tuple, Any] = {}
        self._ticks: tuple[tuple, list[int]] | None = None

    def clear(self) -> None:
        """The theme changed: resolve every style again."""
        self._styles.clear()

    # -- styles -------------------------------------------------------------------------------------
    def _style(self, key: tuple, make: Callable[[], Any]) -> Any:
        st = self._styles.get(key)
        if st is None:
            st = self._styles[key] = make()
        return st

    def _base_styles(self, selected: bool, focused: bool) -> tuple[Style, RichColor | None]:
        w = self._widget

        def make() -> Style:
            base = w.rich_style
            if selected:
                base = base + w.get_component_rich_style("waterfall--cursor")
            return base

        base = self._style(("base", selected, selected and focused), make)
        return base, base.bgcolor

    def _overlay(self, name: str) -> Style:
        """What a component class adds on top of a row: its colour and text style (and, for
        search matches, its background). Taken from the full component style, whose colours
        are resolved against the background (partial styles keep `$foreground 30%` unblended)."""
        def make() -> Style:
            full = self._widget.get_component_rich_style(name)
            return Style(color=full.color, bgcolor=full.bgcolor if name == "waterfall--match" else None,
                         bold=full.bold, italic=full.italic, underline=full.underline, reverse=full.reverse)

        return self._style(("overlay", name), make)

    def _component(self, name: str, base: Style) -> Style:
        return self._style(("comp", name, id(base)), lambda: base + self._overlay(name))

    def _service_style(self, service: str, base: Style, dimmed: bool) -> tuple[Style, RichColor]:
        """Text style of a service name, and its bar colour (blended towards the background when dimmed)."""
        def make_colour() -> RichColor:
            c = Color.parse(service_color(self._widget.app, service))
            if dimmed:
                bg = base.bgcolor
                c = c.blend(Color.from_rich_color(bg), 0.7) if bg is not None else c.with_alpha(0.4)
            return c.rich_color

        colour = self._style(("svc", service, dimmed, id(base)), make_colour)
        return self._style(("svctext", service, dimmed, id(base)), lambda: base + Style(color=colour)), colour

    # -- the axis -----------------------------------------------------------------------------------
    def axis(self, model: WaterfallModel | None, geo: Geometry) -> Strip:
        """The sticky line 0: what is shown (spans and rows, or the zoom) | tick labels | column titles."""
        base = self._widget.get_component_rich_style("waterfall--axis")
        if model is None:
            ws, we, origin, left = 0, 1, 0, ""
        else:
            (ws, we), origin = model.window, model.bounds[0]
            if model.zoomed:
                res = max(1, (we - ws) // 100)
                left = f" zoom {fmt_precise(ws - origin, res)} – {fmt_precise(we - origin, res)} · 0: whole trace"
            elif model.root_is_short:
                left = " R: fit to the root (spans outlive it)"
            else:
                left = f" {count(len(model.trace.spans), 'span')} · {count(len(model.rows), 'row')}"
        segs = [Segment(fit(left, geo.name_w), base), Segment(" ", base)]
        segs.append(Segment(axis_line(ws, we, geo.bar_w, origin) if geo.bar_w else "", base))
        if geo.dur_w:
            head = "    dur    self" if geo.dur_w == DUR_W else "    dur"
            segs.append(Segment(" " + fit(head, geo.dur_w), base))
        return Strip(segs).adjust_cell_length(geo.width, base)

    # -- a row ---------------------------------------------------------------------------------------
    def row(self, model: WaterfallModel, row: int, selected: bool, focused: bool, geo: Geometry) -> Strip:
        view, trace, analysis = model.rows, model.trace, model.analysis
        node = view.rows[row]
        base, row_bg = self._base_styles(selected, focused)
        guide = self._component("waterfall--guide", base)
        segs: list[Segment] = []

        # Name column: guides, marker, error mark, swatch, service, name.
        prefix = view.prefix(row, max_cells=geo.guide_cells)
        segs.append(Segment(prefix[:-2], guide))  # faint guides, then the ▸/▾ marker in full
        segs.append(Segment(prefix[-2:], base if prefix[-2] in "▸▾" else guide))
        room = geo.name_w - len(prefix)
        if node < 0:
            warn = self._component("waterfall--error", base)
            text = fit(f"⚠ missing parent {clean(view.missing_parent(node))}", room)
            segs.append(Segment(text, warn))
            segs.append(Segment(" " * (geo.width - geo.name_w), base))
            return Strip(segs).adjust_cell_length(geo.width, base)

        span = trace.spans[node]
        service = span.resource.service
        dimmed = service in model.dimmed
        text_style = self._component("waterfall--dim", base) if dimmed else base
        svc_style, bar_colour = self._service_style(service, base, dimmed)
        is_error = span.status == STATUS_ERROR
        if is_error and room >= 2:
            segs.append(Segment("✖ ", self._component("waterfall--error", base)))
            room -= 2
        if room >= 2:
            segs.append(Segment("▍", svc_style))
            room -= 1
        matched = node in model.matches
        name_style = self._component("waterfall--match", text_style) if matched else text_style
        svc_text = clean(service, 40)
        label = clean(span.name, 300)
        hidden = view.hidden_descendants(node) if view.is_collapsed(node) else 0
        suffix = f" +{hidden}" if hidden else ""  # how many spans the collapsed row hides
        shift = trace.shift_of(node)
        if shift:  # moved for clock skew: by how much
            suffix = f" ⇄{'+' if shift > 0 else '-'}{fmt_duration(abs(shift))}{suffix}"
        if room > 0:  # "service name": the service in its colour, then the span name
            svc_part = clip(svc_text, min(room, max(6, room // 2)))
            segs.append(Segment(svc_part, svc_style if not matched else self._component("waterfall--match", svc_style)))
            room -= cell_len(svc_part)
        if room > 1:
            segs.append(Segment(" ", text_style))
            room -= 1
            if room - len(suffix) < 4:
                suffix = suffix if shift and room - len(suffix) >= 1 else ""
            name_part = clip(label, room - len(suffix))
            segs.append(Segment(name_part, name_style))
            room -= cell_len(name_part)
            if suffix:
                segs.append(Segment(" " * (room - len(suffix)), base))
                if shift:  # "⇄+40ms" in the warning colour, then the hidden count
                    cut = suffix.index("⇄") + 1 + len(fmt_duration(abs(shift))) + 1
                    segs.append(Segment(suffix[:cut], self._component("waterfall--skew", base)))
                    suffix = suffix[cut:]
                if suffix:
                    segs.append(Segment(suffix, guide))
                room = 0
        if room > 0:
            segs.append(Segment(" " * room, base))
        segs.append(Segment(" ", base))

        # Bar area.
        if geo.bar_w:
            segs.extend(self._bar_segments(model, node, geo.bar_w, base, row_bg, bar_colour, guide, dimmed))

        # Duration and self time.
        if geo.dur_w:
            dur = fmt_duration(span.end_ns - span.start_ns)
            text = f"{dur:>7}"
            if geo.dur_w == DUR_W:
                text += f" {fmt_duration(analysis.self_times[node]):>7}"
            dstyle = self._component("waterfall--error", base) if is_error else text_style
            segs.append(Segment(" ", base))
            segs.append(Segment(fit(text, geo.dur_w), dstyle))
        return Strip(segs).adjust_cell_length(geo.width, base)

    def _bar_segments(self, model: WaterfallModel, node: int, bar_w: int, base: Style,
                      row_bg: RichColor | None, colour: RichColor, guide: Style, dimmed: bool) -> list[Segment]:
        span = model.trace.spans[node]
        ws, we = model.window
        chars = [" "] * bar_w
        styles: list[Style] = [base] * bar_w
        for col in self._tick_cols(model, bar_w):
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
            sections = model.analysis.path_sections.get(node)
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
            if span.raw_events:
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

    def _tick_cols(self, model: WaterfallModel, bar_w: int) -> list[int]:
        """Columns of the faint tick guides (not the one at the left edge), for the last window."""
        ws, we = model.window
        origin = model.bounds[0]
        key = (bar_w, ws, we, origin)
        if self._ticks is None or self._ticks[0] != key:
            self._ticks = (key, [c for c, _ in ticks(ws, we, bar_w, origin) if c > 0])
        return self._ticks[1]
