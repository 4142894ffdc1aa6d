"""The service map drawn: a scrolling picture of boxes and arrows (Line API), one edge selected.

The picture (where every box, line and number goes) is `viewmodels.service_graph.GraphPicture`;
this widget only styles its cells (boxes, the focal service, edges with errors, the selected
edge), scrolls it both ways and turns keys and clicks into a selected edge.
"""

from __future__ import annotations

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracetui.viewmodels.service_graph import GraphPicture


class ServiceGraph(ScrollView, can_focus=True):
    """Boxes and arrows; ↑/↓ (k/j), Tab/Shift+Tab move the selection from edge to edge."""

    BINDINGS = [
        Binding("down", "next_edge", "Next edge", show=False, id="map.next"),
        Binding("j", "next_edge", "Next edge", show=False, id="map.next_vi"),
        Binding("tab", "next_edge", "Next edge", show=False, id="map.next_tab"),
        Binding("up", "previous_edge", "Previous edge", show=False, id="map.previous"),
        Binding("k", "previous_edge", "Previous edge", show=False, id="map.previous_vi"),
        Binding("shift+tab", "previous_edge", "Previous edge", show=False, id="map.previous_tab"),
    ]

    COMPONENT_CLASSES = {"service-graph--node", "service-graph--focus", "service-graph--edge",
                         "service-graph--error", "service-graph--selected"}

    DEFAULT_CSS = """
    ServiceGraph { background: $surface; scrollbar-gutter: stable; }
    ServiceGraph > .service-graph--node { color: $text; text-style: bold; }
    ServiceGraph > .service-graph--focus { color: $text-accent; text-style: bold; }
    ServiceGraph > .service-graph--edge { color: $text-muted; }
    ServiceGraph > .service-graph--error { color: $text-error; }
    ServiceGraph > .service-graph--selected { color: $accent; text-style: bold; }
    """

    selected: reactive[int] = reactive(0, init=False)

    class EdgeSelected(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, picture: GraphPicture, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.picture = picture

    def show(self, picture: GraphPicture) -> None:
        self.picture = picture
        self.virtual_size = Size(picture.width, picture.height)
        self.selected = 0
        self.refresh()
        self._reveal()

    def on_mount(self) -> None:
        self.virtual_size = Size(self.picture.width, self.picture.height)

    # -- selection -------------------------------------------------------------------------------
    def action_next_edge(self) -> None:
        if self.picture.edges:
            self.selected = (self.selected + 1) % len(self.picture.edges)

    def action_previous_edge(self) -> None:
        if self.picture.edges:
            self.selected = (self.selected - 1) % len(self.picture.edges)

    def watch_selected(self, _old: int, new: int) -> None:
        self.refresh()
        self._reveal()
        self.post_message(self.EdgeSelected(new))

    def _reveal(self) -> None:
        at = self.picture.label_at.get(self.selected)
        if at is not None:
            x, y = at
            self.scroll_to_region(Region(max(0, x - 30), y, 60, 1), animate=False, force=True)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        k = self.picture.edge_index_at(offset.x + round(self.scroll_x), offset.y + round(self.scroll_y))
        if k is not None:
            self.selected = k

    # -- drawing ---------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = y + round(self.scroll_y)
        pic = self.picture
        base = self.rich_style
        if row >= pic.height:
            return Strip.blank(width, base)
        styles = {
            "node": base + self.get_component_rich_style("service-graph--node"),
            "focus": base + self.get_component_rich_style("service-graph--focus"),
            "edge": base + self.get_component_rich_style("service-graph--edge"),
            "error": base + self.get_component_rich_style("service-graph--error"),
            "selected": base + self.get_component_rich_style("service-graph--selected"),
        }
        segments = []
        for text, tag in pic.line(row):
            if tag.startswith("edge:"):
                k = int(tag[5:])
                style = styles["selected"] if k == self.selected else (
                    styles["error"] if pic.edges[k].errors else styles["edge"])
            elif tag.startswith("focus"):
                style = styles["focus"]
            elif tag.startswith("node"):
                style = styles["node"]
            else:
                style = base
            segments.append(Segment(text, style))
        strip = Strip(segments).crop(round(self.scroll_x), round(self.scroll_x) + width)
        return strip.extend_cell_length(width, base)
