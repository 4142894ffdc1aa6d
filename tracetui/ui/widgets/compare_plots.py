"""The comparison screen's two plots, drawn from `CompareModel`: the duration histogram and the
duration-against-start scatter. Each line is the model's cells with the styles of the widget's
component classes; the lines are made again when the model or the size changes (`changed()`)."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from tracetui.viewmodels.compare import AXIS, SEL, SPLIT, Cell, CompareModel


class Plot(Widget):
    COMPONENT_CLASSES = {"plot--sel", "plot--base", "plot--axis", "plot--split"}
    DEFAULT_CSS = """
    Plot { height: 1fr; }
    Plot > .plot--sel { color: $warning; }
    Plot > .plot--base { color: $primary; }
    Plot > .plot--axis { color: $text-muted; }
    Plot > .plot--split { color: $warning; text-style: bold; }
    """

    def __init__(self, model: CompareModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self._lines: list[list[Cell]] | None = None
        self._drawn = (-1, -1)

    def changed(self) -> None:
        self._lines = None
        self.refresh()

    def make_lines(self, width: int, height: int) -> list[list[Cell]]:
        raise NotImplementedError

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines = None

    def render_line(self, y: int) -> Strip:
        width, height = self.size.width, self.size.height
        if self._lines is None or self._drawn != (width, height):
            self._lines = self.make_lines(width, height)
            self._drawn = (width, height)
        if y >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        styles = {
            SEL: self.get_component_rich_style("plot--sel"),
            AXIS: self.get_component_rich_style("plot--axis"),
            SPLIT: self.get_component_rich_style("plot--split"),
        }
        base = self.get_component_rich_style("plot--base")
        segs = [Segment(text, styles.get(style, base)) for text, style in self._lines[y]]
        return Strip(segs).adjust_cell_length(width, self.rich_style)


class DurationHistogram(Plot):
    """Traces by duration in logarithmic buckets; the selected part of each bar in the selection's
    colour; `▲` under the axis where the selection starts (and ends)."""

    def make_lines(self, width: int, height: int) -> list[list[Cell]]:
        lines = self.model.histogram(width, max(1, height - 2))
        low, high, at = self.model.histogram_labels()
        label = f"{low}  {('· selection ' + at) if at else ''}".ljust(max(0, width - len(high))) + high
        lines.append([(label[:width], AXIS)])
        return lines


class DurationScatter(Plot):
    """Each trace a braille dot: start time to the right, duration (log scale) up."""

    def make_lines(self, width: int, height: int) -> list[list[Cell]]:
        return self.model.scatter(width, max(1, height - 1)) + [[(self._axis(width), AXIS)]]

    def _axis(self, width: int) -> str:
        from tracetui.render.units import fmt_time

        starts = self.model.starts
        if not starts:
            return ""
        app = self.app
        utc = bool(getattr(app, "utc", False))
        left, right = fmt_time(min(starts), utc)[11:19], fmt_time(max(starts), utc)[11:19]
        return (left + " start time →".center(max(0, width - len(left) - len(right))) + right)[:width]
