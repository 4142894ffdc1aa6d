"""The service map screen: the calls between services of the traces listed, as a graph.

↑/↓ select an edge (its figures below the graph), Enter filters the trace list to the traces
that contain the call, `f`/`F` focus on the edge's callee/caller (the paths through it), Esc
leaves the focus, then the screen.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from tracetui.analysis.service_map import ServiceMap, service_map
from tracetui.model.trace import Trace
from tracetui.render.text import clean
from tracetui.render.units import fmt_duration
from tracetui.ui.screens.base import TraceTuiScreen
from tracetui.ui.widgets.service_graph import ServiceGraph
from tracetui.viewmodels.service_graph import LEGEND, layout
from tracetui.viewmodels.trace_list import TraceIdFilter


class ServiceMapScreen(TraceTuiScreen):
    BINDINGS: list[BindingType] = [
        Binding("enter", "filter_list", "Traces with this call", id="map.filter"),
        Binding("f", "focus_service('callee')", "Focus callee", id="map.focus_callee"),
        Binding("F", "focus_service('caller')", "Focus caller", id="map.focus_caller"),
        Binding("escape", "back", "Back", id="map.back"),
    ]

    DEFAULT_CSS = """
    ServiceMapScreen #map-title { height: 1; background: $panel; }
    ServiceMapScreen #map-legend { height: 1; color: $text-muted; }
    ServiceMapScreen ServiceGraph { height: 1fr; }
    ServiceMapScreen #map-edge { height: 2; background: $panel; }
    """

    def __init__(self, traces: list[Trace], scope: str) -> None:
        super().__init__()
        self.traces = traces
        self.scope = scope  # "all 5 traces", "12 traces (filter: …)"
        self.focus_service: str | None = None
        self.smap: ServiceMap = service_map([])  # until the worker has drawn the real one
        self.picture = layout(self.smap)
        self.working = True

    def compose(self) -> ComposeResult:
        yield Static("", id="map-title", markup=False)
        yield Static(LEGEND, id="map-legend", markup=False)
        yield ServiceGraph(self.picture, id="map-graph")
        yield Static("", id="map-edge", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.graph.focus()
        self._show(None)

    @property
    def graph(self) -> ServiceGraph:
        return self.query_one(ServiceGraph)

    @property
    def edge(self):
        edges = self.picture.edges
        return edges[self.graph.selected] if edges else None

    def _update(self) -> None:
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append("Service map", style="bold")
        if self.working:
            title.append(f"  ·  reading the calls of {self.scope}…")
        else:
            title.append(f"  ·  {len(self.smap.edges)} edges between {len(self.smap.services)} services  ·  {self.scope}")
        if self.focus_service is not None:
            title.append(f"  ·  paths through {clean(self.focus_service, 40)} (Esc: all)", style="bold")
        self.query_one("#map-title", Static).update(title)
        e = self.edge
        detail = Text(no_wrap=True, overflow="ellipsis")
        if self.working:
            pass
        elif e is None:
            detail.append("no calls between services in these traces (a call is a parent span in one service "
                          "with a child span in another)")
        else:
            detail.append(f"{clean(e.caller, 40)} → {clean(e.callee, 40)}", style="bold")
            detail.append(f"  {e.calls:,} calls · {e.errors:,} errors ({e.error_rate:.1%}) · p50 "
                          f"{fmt_duration(e.p50_ns)} · p99 {fmt_duration(e.p99_ns)} · "
                          f"{e.critical_share:.1%} of the critical path · in {len(e.trace_ids):,} traces\n")
            detail.append("Enter: list these traces · f/F: paths through the callee/caller", style="dim")
        self.query_one("#map-edge", Static).update(detail)

    def on_service_graph_edge_selected(self, message: ServiceGraph.EdgeSelected) -> None:
        self._update()

    def _show(self, focus: str | None) -> None:
        """Read the calls (with `focus`: the paths through that service) off the event loop: the
        critical path of every trace takes seconds at a million spans."""
        self.working = True
        self._update()
        traces = self.traces

        def read() -> tuple[str | None, ServiceMap, object]:
            smap = service_map(traces, focus=focus)
            return focus, smap, layout(smap)

        self.off_the_loop("service-map", read, self._drawn)

    def _drawn(self, drawn: tuple[str | None, ServiceMap, object]) -> None:
        focus, smap, picture = drawn
        self.focus_service, self.smap, self.picture, self.working = focus, smap, picture, False
        self.graph.show(picture)
        self._update()

    def action_focus_service(self, which: str) -> None:
        e = self.edge
        if e is not None:
            self._show(e.callee if which == "callee" else e.caller)

    def action_back(self) -> None:
        if self.focus_service is not None:
            self._show(None)
        else:
            self.dismiss()

    def action_filter_list(self) -> None:
        e = self.edge
        if e is None:
            return
        ids = frozenset(e.trace_ids)
        label = f"calls {e.caller} → {e.callee}"
        self.dismiss()
        from tracetui.ui.screens.trace_list import TraceListScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, TraceListScreen):
                screen.show_traces(TraceIdFilter(ids, label))
