"""The trace view: header, waterfall or flame graph (`w` switches), span detail, service filter,
search in the trace. In the flame graph, `t` shows the sandwich table under it."""

from __future__ import annotations

import time
from collections.abc import Iterable

from rich.text import Text
from textual import events
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from tracetui.analysis.errors import error_origins
from tracetui.analysis.overview import TraceAnalysis
from tracetui.analysis.percentiles import durations_of
from tracetui.model.query import Query
from tracetui.model.trace import Trace
from tracetui.render.text import clean
from tracetui.render.units import fmt_duration, fmt_time
from tracetui.ui.messages import FollowLink, ServiceVisibilityChanged
from tracetui.ui.screens.base import TraceTuiScreen
from tracetui.ui.screens.value import ValueScreen
from tracetui.ui.theme import theme_style
from tracetui.ui.widgets.flame import FlameGraph
from tracetui.ui.widgets.log_list import LogList
from tracetui.ui.widgets.query_bar import QueryBar
from tracetui.ui.widgets.sandwich import CallsTable, OperationTable
from tracetui.ui.widgets.service_filter import ServiceFilter
from tracetui.ui.widgets.span_detail import SpanDetail
from tracetui.ui.widgets.status_bar import StatusBar
from tracetui.ui.widgets.waterfall import Waterfall
from tracetui.viewmodels.log_rows import trace_log_rows
from tracetui.viewmodels.sandwich import SandwichModel
from tracetui.viewmodels.span_fields import missing_parent_fields, span_fields

# Below this width the detail pane goes under the waterfall instead of beside it.
NARROW_WIDTH = 140
# An open trace that keeps receiving spans is analysed again at most this often.
GROW_SECONDS = 0.5
# The header counts the trace's anti-patterns (N+1, sequential calls, retries) up to this many
# spans; a bigger trace's are in the lint panel (i), computed when asked for.
ANTIPATTERN_SPANS = 20_000
# Search-as-you-type waits for a pause in typing this long.
SEARCH_DELAY = 0.12
# In a trace, q quits only when pressed twice within this many seconds.
QUIT_AGAIN_S = 3.0


class TraceViewScreen(TraceTuiScreen):
    """One trace. Esc goes back to the list."""

    HELP_TITLE = "Trace view"
    AUTO_FOCUS = "#waterfall"  # focused as the screen mounts: no second focus change to redraw for
    BINDINGS: list[BindingType] = [
        Binding("escape", "back", "Back", id="trace.back",
                tooltip="To where a followed link came from, else to the list"),
        Binding("alt+left", "history(-1)", "Back (history)", show=False, id="trace.history_back"),
        Binding("alt+right", "history(1)", "Forward (history)", show=False, id="trace.history_forward"),
        Binding("J", "other_trace(1)", "Next trace", show=False, id="trace.next_trace",
                tooltip="The next trace of the list, in its order"),
        Binding("K", "other_trace(-1)", "Previous trace", show=False, id="trace.previous_trace"),
        Binding("q", "quit_deliberately", "Quit", show=False, id="trace.quit",
                tooltip="Twice: quit the app (Esc goes back to the list)"),
        Binding("slash", "search", "Search", id="trace.search"),
        Binding("n", "next_match(1)", "Next match", show=False, id="trace.next_match"),
        Binding("o", "only_matches", "Only matches", show=False, id="trace.only_matches",
                tooltip="Show only the spans the search matches, and their ancestors (again: all)"),
        Binding("N", "next_match(-1)", "Previous match", show=False, id="trace.prev_match"),
        Binding("e", "next_error(1)", "Errors", tooltip="Next span with status ERROR", id="trace.next_error"),
        Binding("E", "next_error(-1)", "Previous error", show=False, id="trace.prev_error"),
        Binding("f", "first_failure", "Where errors start", show=False, id="trace.first_failure"),
        Binding("c", "next_critical(1)", "Crit. path", tooltip="Next span along the critical path",
                id="trace.next_critical"),
        Binding("C", "next_critical(-1)", "Critical path back", show=False, id="trace.prev_critical"),
        Binding("s", "services", "Services", id="trace.services"),
        Binding("x", "events", "Events", tooltip="Every event of the trace (exceptions, logs) in time order",
                id="trace.events"),
        Binding("y", "copy", "Copy value", show=False, id="trace.copy"),
        Binding("v", "view_value", "View full value", show=False, id="trace.view_value"),
        Binding("p", "toggle_detail", "Detail pane", show=False, id="trace.toggle_detail"),
        Binding("X", "export", "Export", show=False, id="trace.export"),
        Binding("i", "lint", "Lint", show=False, tooltip="Broken instrumentation and anti-patterns in this trace",
                id="trace.lint"),
        Binding("w", "toggle_flame", "Flame graph", tooltip="Switch between the waterfall and the flame graph",
                id="trace.flame"),
        Binding("t", "toggle_sandwich", "Sandwich", tooltip="Operations by total, self and critical-path time",
                id="trace.sandwich"),
        Binding("T", "statistics", "Statistics", tooltip="Spans added up by service and operation (Jaeger's "
                "Trace Statistics)", id="trace.statistics"),
        Binding("r", "logs", "Logs", show=False, tooltip="The trace's logs in time order; Enter goes to a record's span",
                id="trace.logs"),
        Binding("a", "toggle_skew", "Clock skew", show=False,
                tooltip="Times adjusted for clock skew between services, or as read (every trace)",
                id="trace.toggle_skew"),
    ]

    def __init__(self, trace: Trace, span_id: str = "", linked_from: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.trace = trace
        self.linked_from = linked_from  # (trace id, span id) whose link opened this view at span_id
        self.analysis = TraceAnalysis(trace)
        self._start_span = span_id
        self._query_text = ""
        self.search_query: Query | None = None
        self._match_count = 0
        self._grow_pending = False
        self._last_grow = 0.0
        self._origins: list[int] = []
        self._quit_asked = -1e9
        self._patterns, self._patterns_key = "", None
        self._flame_shown = False  # the flame graph is laid out on first use
        self._sandwich: SandwichModel | None = None
        self._grown_version = trace.version

    def compose(self) -> ComposeResult:
        yield Static("", id="trace-header", markup=False)
        with Horizontal(id="trace-body"):
            yield ServiceFilter(id="service-filter", classes="-hidden")
            with Horizontal(id="trace-main"):
                yield Waterfall(id="waterfall")
                with Vertical(id="flame-pane", classes="-hidden"):
                    yield FlameGraph(id="flame")
                    with Horizontal(id="sandwich", classes="-hidden"):
                        yield OperationTable(id="operations")
                        yield CallsTable(id="calls")
                yield SpanDetail(id="span-detail")
        yield LogList(id="trace-logs", classes="-hidden")
        yield QueryBar("search", "Search:", "service, name, id, key=value, error, duration>10ms, -negation",
                       SEARCH_DELAY)
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        if not self.query(Waterfall):
            return  # the app quit between this view being opened and mounted: its widgets are gone
        if len(self.trace.spans) != len(self.analysis.self_times):
            # Spans arrived between opening and mounting (a backend's re-fetch, a live feed):
            # the rows and the analysis must describe the same spans.
            self.analysis = TraceAnalysis(self.trace)
        self._layout_for(self.size.width)
        self.app.colours.show(self.analysis.service_order)
        self.waterfall.show_trace(self.trace, self.analysis)
        self.query_one(ServiceFilter).set_services(self.analysis.services)
        if self._start_span:
            pos = self.trace.position(self._start_span)
            if pos is not None:
                self.waterfall.select_pos(pos)
        self._update_header()
        self._show_span(self.waterfall.selected_node)
        self._show_logs()
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def display_changed(self) -> None:
        self.app.colours.show(self.analysis.service_order)
        self.waterfall.notify_style_update()
        self.waterfall.invalidate_rows()
        self._theme_changed()

    def _theme_changed(self) -> None:
        """Text built in Python carries theme colours: build it again for the new theme."""
        self._update_header()
        self._show_span(self._selected_node())
        self.query_one(ServiceFilter).set_services(self.analysis.services)

    @property
    def waterfall(self) -> Waterfall:
        return self.query_one(Waterfall)

    @property
    def flame(self) -> FlameGraph:
        return self.query_one(FlameGraph)

    @property
    def in_flame(self) -> bool:
        """Whether the flame graph is shown (instead of the waterfall)."""
        return not self.query_one("#flame-pane").has_class("-hidden")

    @property
    def view(self) -> Waterfall | FlameGraph:
        """The view on screen: searches, steps and links act on it."""
        return self.flame if self.in_flame else self.waterfall

    @property
    def detail(self) -> SpanDetail:
        return self.query_one(SpanDetail)

    @property
    def search_bar(self) -> QueryBar:
        return self.query_one(QueryBar)

    # -- layout --------------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._layout_for(event.size.width)

    def _layout_for(self, width: int) -> None:
        self.set_class(width < NARROW_WIDTH, "narrow")

    def action_export(self) -> None:
        from tracetui.ui.screens.export import ExportDialog

        self.app.push_screen(ExportDialog([self.trace], f"trace {self.trace.trace_id}"))

    def action_toggle_detail(self) -> None:
        self.toggle_class("no-detail")

    # -- flame graph ---------------------------------------------------------------------------------
    def action_toggle_flame(self) -> None:
        """Waterfall ⇄ flame graph; the selected span stays selected."""
        pane = self.query_one("#flame-pane")
        if self.in_flame:
            pos = self.flame.selected_pos
            pane.add_class("-hidden")
            self.waterfall.remove_class("-hidden")
            if pos is not None:
                self.waterfall.select_pos(pos)
            self.set_focus(self.waterfall)
        else:
            pos = self.waterfall.selected_pos
            if not self._flame_shown:
                self._flame_shown = True
                self.flame.show_trace(self.trace, self.analysis, pos)
                panel = self.query_one(ServiceFilter)
                self.flame.set_dimmed_services(panel.hidden | panel.dimmed)
            elif pos is not None:
                self.flame.select_pos(pos)
            self.waterfall.add_class("-hidden")
            pane.remove_class("-hidden")
            self.set_focus(self.flame)
        self._match_count = self.view.set_search(self.search_query)
        self._update_search_count()
        self.refresh_bindings()

    def action_toggle_sandwich(self) -> None:
        if not self.in_flame:
            return
        box = self.query_one("#sandwich")
        if box.has_class("-hidden"):
            if self._sandwich is None:
                self._sandwich = SandwichModel(self.trace, self.analysis)
                self.query_one(OperationTable).show(self._sandwich)
            box.remove_class("-hidden")
            pos = self.flame.selected_pos
            if pos is not None:
                self.query_one(OperationTable).select_pos(pos)
            self._show_calls(self.query_one(OperationTable).cursor)
            self.set_focus(self.query_one(OperationTable))
        else:
            box.add_class("-hidden")
            self.set_focus(self.flame)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_sandwich":
            return self.in_flame if self.is_mounted else False
        return True

    def on_flame_graph_frame_selected(self, message: FlameGraph.FrameSelected) -> None:
        self._show_span(message.pos)
        self._update_search_count()
        if self._sandwich is not None and not self.query_one("#sandwich").has_class("-hidden"):
            table = self.query_one(OperationTable)
            if not table.has_focus:
                table.select_pos(message.pos)

    def on_operation_table_operation_highlighted(self, message: OperationTable.OperationHighlighted) -> None:
        self._show_calls(message.row)

    def on_operation_table_operation_picked(self, message: OperationTable.OperationPicked) -> None:
        self.flame.select_pos(message.pos)
        self.set_focus(self.flame)

    def _show_calls(self, row: int) -> None:
        if self._sandwich is not None and len(self._sandwich):
            self.query_one(CallsTable).show(self._sandwich, row)

    # -- header --------------------------------------------------------------------------------
    def _update_header(self) -> None:
        t, a = self.trace, self.analysis
        root = t.root
        muted = theme_style(self.app, "text-muted")
        error_style = theme_style(self.app, "text-error", bold=True)
        sep = (" · ", muted)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append("Trace ", style="bold")
        text.append(t.trace_id)
        if root is not None:
            text.append("  ")
            text.append(clean(root.service, 40), style="bold")
            text.append(": ")
            text.append(clean(root.name, 80))
        text.append("\n")
        # Most telling first, so a narrow terminal cuts the least useful figures.
        share = f" ({a.critical_path_ns * 100 / t.duration_ns:.0f}%)" if t.duration_ns else ""
        text.append(fmt_duration(t.duration_ns), style="bold")
        text.append_text(Text.assemble(sep))
        errors = len(a.error_positions)
        if errors:
            text.append(f"✗ {errors} error{'s' if errors != 1 else ''}", style=error_style)
        else:
            text.append("no errors", style=muted)
        if t.orphans:
            text.append_text(Text.assemble(sep))
            text.append(f"⚠ {len(t.orphans)} orphan{'s' if len(t.orphans) != 1 else ''}",
                        style=theme_style(self.app, "text-warning", bold=True))
        patterns = self._antipatterns()
        if patterns:
            text.append_text(Text.assemble(sep))
            text.append(patterns, style=theme_style(self.app, "text-warning", bold=True))
            text.append(" (i)", style=muted)
        moved = len(t.clock_shifts)
        if moved:
            text.append_text(Text.assemble(sep))
            warn = theme_style(self.app, "text-warning", bold=True)
            spans_word = f"{moved} span{'s' if moved != 1 else ''}"
            if t.adjusted:
                text.append(f"⇄ clock skew: {spans_word} adjusted", style=warn)
                text.append(" (a: as read)", style=muted)
            else:
                text.append(f"⚠ clock skew: {spans_word} as read", style=warn)
                text.append(" (a: adjust)", style=muted)
        if t.logs:
            text.append_text(Text.assemble(sep, (f"{len(t.logs):,}", "bold"),
                                           (f" log record{'s' if len(t.logs) != 1 else ''} (r)", muted)))
        text.append_text(Text.assemble(sep, ("critical path ", muted), (fmt_duration(a.critical_path_ns) + share, "bold")))
        if a.other_paths:
            # The orphan subtrees' paths overlap the root's in time: apart, never added to it.
            others = len(a.other_paths)
            text.append_text(Text.assemble(
                sep, ("orphans' paths ", muted), (fmt_duration(sum(ns for _, ns in a.other_paths)), "bold"),
                (f" in {others} subtree{'s' if others != 1 else ''}", muted)))
        text.append_text(Text.assemble(
            sep, (f"{len(t.spans):,}", "bold"), (" span" if len(t.spans) == 1 else " spans", muted), sep,
            (f"{len(a.services):,}", "bold"), (" service" if len(a.services) == 1 else " services", muted), sep,
            ("depth ", muted), (f"{a.max_depth + 1}", "bold"), sep,
            (fmt_time(t.start_ns, self.app.utc), muted),
        ))
        self._origins = error_origins(t) if errors else []
        if self._origins:
            # Errors climb to the callers: a third line names the span where they start, and why.
            origins = self._origins
            o = t.spans[origins[0]]
            text.append("\n")
            text.append("✗ failed first: ", style=error_style)
            text.append(clean(o.service, 30), style="bold")
            text.append(": ")
            text.append(clean(o.name, 50))
            if o.status_message:
                text.append(" — ")
                text.append(clean(o.status_message, 100), style=error_style)
            if len(origins) > 1:
                text.append(f"  (+{len(origins) - 1} more)", style=muted)
            text.append("   f: go there · e: next error", style=muted)
        self.query_one("#trace-header", Static).update(text)

    # -- detail --------------------------------------------------------------------------------
    def on_waterfall_span_highlighted(self, message: Waterfall.SpanHighlighted) -> None:
        self._show_span(message.pos)
        self._update_search_count()

    def on_waterfall_span_activated(self, message: Waterfall.SpanActivated) -> None:
        self.set_focus(self.detail)

    def _show_span(self, pos: int | None) -> None:
        detail = self.detail
        if pos is None:
            detail.clear_fields("No span selected.")
            return
        if pos < 0:  # a missing parent
            rows = self.waterfall.row_view
            assert rows is not None
            missing = rows.missing_parent(pos)
            orphans = [o for o in self.trace.orphans if self.trace.spans[o].parent_id == missing]
            detail.show_fields(missing_parent_fields(self.trace, missing, orphans),
                               title=f"missing parent {clean(missing, 32)}")
            return
        a = self.analysis
        span = self.trace.spans[pos]
        linked_from = self.linked_from if self.linked_from and span.span_id == self._start_span else None
        # Sorted once per store (and again only after it changed), not on every keypress.
        standing = durations_of(self.app.store).standing(span.resource.service, span.name, span.duration_ns)
        fields = span_fields(self.trace, pos, self_time_ns=a.self_times[pos],
                             on_path_ns=a.on_path.get(pos, 0), loaded_traces=self.app.store.traces,
                             utc=self.app.utc, standing=standing, linked_from=linked_from)
        detail.show_fields(fields, title=clean(self.trace.spans[pos].name, 60))

    def action_copy(self) -> None:
        field = self.detail.highlighted_field
        if field is None:
            return
        value = field.value if field.kind != "link" or field.target is None else " ".join(field.target)
        self.app.copy_to_clipboard(value)
        what = field.key or "value"
        self.notify(f"copied {clean(what, 40)} ({len(value):,} characters)", markup=False)

    def action_view_value(self) -> None:
        field = self.detail.highlighted_field
        if field is None:
            return
        self.app.push_screen(ValueScreen(field.key or "value", field.value))

    def on_follow_link(self, message: FollowLink) -> None:
        """A link chosen in the detail pane: remember where it was followed from (Esc returns)."""
        message.stop()
        here = self._here()
        if message.trace_id != self.trace.trace_id:
            self.app.follow(here, message.trace_id, message.span_id)
            return
        pos = self.trace.position(message.span_id)
        if pos is None:
            self.notify(f"span {clean(message.span_id, 40)} is not in this trace", severity="warning",
                        markup=False)
            return
        if message.span_id != here[1]:
            self.app.back_stack.append(here)
            self.app.forward_stack.clear()
            self.linked_from = here
            self._start_span = message.span_id
        self.view.select_pos(pos)
        self.set_focus(self.view)

    def _selected_node(self) -> int | None:
        """The span under the cursor of the view on screen (a negative node: a missing parent's row)."""
        return self.flame.selected_pos if self.in_flame else self.waterfall.selected_node

    def _here(self) -> tuple[str, str]:
        """(trace id, span id) of the selected span: where history returns to."""
        pos = self.view.selected_pos
        return self.trace.trace_id, self.trace.spans[pos].span_id if pos is not None else ""

    def action_history(self, direction: int) -> None:
        app, here = self.app, self._here()
        moved = app.go_back(here) if direction < 0 else app.go_forward(here)
        if not moved:
            self.notify("no followed link to go back to" if direction < 0 else "nothing to go forward to",
                        timeout=2)

    def select_span(self, span_id: str) -> bool:
        pos = self.trace.position(span_id)
        return pos is not None and self.view.select_pos(pos)

    def action_other_trace(self, direction: int) -> None:
        """The next or previous trace of the list (as filtered and sorted there)."""
        index = self.app.index
        at = index.index_of(self.trace.trace_id)
        rows = index.rows
        if at is None or not 0 <= at + direction < len(rows):
            self.notify("no next trace in the list" if direction > 0 else "no previous trace in the list",
                        timeout=2)
            return
        self.app.back_stack.clear()
        self.app.forward_stack.clear()
        self.app.open_trace(rows[at + direction].trace_id)

    # -- events ------------------------------------------------------------------------------
    def action_events(self) -> None:
        from tracetui.ui.screens.events import EventsScreen

        def chosen(pos: int | None) -> None:
            if pos is not None and not self.view.select_pos(pos):
                self.notify("that span's service is hidden (s: services)", timeout=3)
            self.set_focus(self.view)

        self.app.push_screen(EventsScreen(self.trace), chosen)

    # -- logs ----------------------------------------------------------------------------------
    @property
    def logs_view(self) -> LogList:
        return self.query_one(LogList)

    def _show_logs(self) -> None:
        n = len(self.trace.logs)
        title = (f"Logs of the trace ({n:,}, in time order) · Enter: go to its span · r or Esc: back"
                 if n else "No log records name this trace · r: close")
        self.logs_view.set_rows(trace_log_rows(self.trace), title)

    def action_logs(self) -> None:
        """Show the trace's logs (and go there); from there, back to the waterfall and hide them."""
        view = self.logs_view
        if view.has_class("-hidden"):
            view.remove_class("-hidden")
            self.set_focus(view)
        elif view.has_focus:
            view.add_class("-hidden")
            self.set_focus(self.view)
        else:
            self.set_focus(view)

    def on_log_list_selected(self, message: LogList.Selected) -> None:
        message.stop()
        pos = message.row.pos
        if pos is None:
            why = "it names no span" if not message.row.record.span_id else "its span is not in this trace"
            self.notify(f"{why}: nothing to go to", severity="warning", markup=False, timeout=3)
            return
        self.view.select_pos(pos)
        self.set_focus(self.view)

    # -- services ------------------------------------------------------------------------------
    def action_services(self) -> None:
        panel = self.query_one(ServiceFilter)
        if panel.has_class("-hidden"):
            panel.remove_class("-hidden")
            self.set_focus(panel)  # now, not deferred: keys typed ahead go there
        elif panel.has_focus:
            panel.add_class("-hidden")
            self.set_focus(self.view)
        else:
            self.set_focus(panel)

    def on_service_visibility_changed(self, message: ServiceVisibilityChanged) -> None:
        self.waterfall.set_hidden_services(set(message.hidden))
        self.waterfall.set_dimmed_services(set(message.dimmed))
        self.flame.set_dimmed_services(set(message.hidden) | set(message.dimmed))
        self._update_search_count()

    # -- search --------------------------------------------------------------------------------
    def action_search(self) -> None:
        self.search_bar.open()

    def on_query_bar_applied(self, message: QueryBar.Applied) -> None:
        """Highlight the matches (as the user types); Enter also jumps to the next one."""
        message.stop()
        self._query_text = message.text
        self.search_query = None if message.query.is_empty else message.query
        self._match_count = self.view.set_search(self.search_query)
        if message.submitted and self._match_count:
            self.view.next_match(1)
        self._update_search_count()
        if message.submitted:
            self.set_focus(self.view)

    def _update_search_count(self) -> None:
        bar = self.search_bar
        if not self._query_text.strip():
            bar.set_count("")
            return
        if not self._match_count:
            bar.set_count(Text("no match", style=theme_style(self.app, "text-warning", bold=True)))
            return
        current = self.view.match_index()  # 1-based among the matches, in row order; None if not one
        n = self._match_count
        only = " · only these shown (o: all)" if self.waterfall.model and self.waterfall.model.only_matches else ""
        bar.set_count((f"{current}/{n}" if current else f"{n:,} match{'es' if n != 1 else ''}") + only)

    def action_only_matches(self) -> None:
        model = self.waterfall.model
        if model is None:
            return
        if not model.only_matches and not self._query_text.strip():
            self.notify("search first (/): o then shows only the matching spans", timeout=3)
            return
        self.waterfall.set_only_matches(not model.only_matches)
        self._update_search_count()

    def action_next_match(self, direction: int) -> None:
        if not self._query_text.strip():
            self.action_search()
            return
        if not self.view.next_match(direction):
            self.notify("no more matches", timeout=2)
        self._update_search_count()

    def action_next_error(self, direction: int) -> None:
        if not self.analysis.error_positions:
            self.notify("this trace has no errors", timeout=2)
        elif not self.view.next_error(direction):
            self.notify("no more errors that way", timeout=2)

    def action_first_failure(self) -> None:
        """Select the span where errors start (the next origin on each press)."""
        origins = self._origins
        if not origins:
            self.notify("this trace has no errors", timeout=2)
            return
        current = self.view.selected_pos
        nxt = origins[(origins.index(current) + 1) % len(origins)] if current in origins else origins[0]
        self.view.select_pos(nxt)

    def action_next_critical(self, direction: int) -> None:
        if not self.view.next_critical(direction):
            self.notify("end of the critical path", timeout=2)

    # -- statistics ----------------------------------------------------------------------------
    def action_statistics(self) -> None:
        """The trace's spans added up by service / operation; Enter there selects a group's spans."""
        from tracetui.analysis.stats import trace_stats
        from tracetui.ui.screens.trace_stats import TraceStatsScreen

        a = self.analysis
        stats = trace_stats(self.trace, selfs=a.self_times, on_path=a.on_path)
        self.app.push_screen(TraceStatsScreen(self.trace.trace_id, stats, self.select_spans))

    def select_spans(self, query_text: str) -> None:
        """Search for `query_text` (a span group naming the spans chosen): they are highlighted
        and the cursor goes to the first; n/N step through them."""
        self.search_bar.apply_text(query_text)

    # -- lint ----------------------------------------------------------------------------------
    def _antipatterns(self) -> str:
        """"⚠ retry ×1, N+1 ×2: 31.2ms" for the header: each anti-pattern found in this trace,
        and the critical-path time they cost together ("" when none, or the trace is too big)."""
        if len(self.trace.spans) > ANTIPATTERN_SPANS:
            return ""
        key = (self.trace.version, id(self.analysis))
        if self._patterns_key != key:
            from tracetui.analysis.lint.antipatterns import antipattern_hits

            hits = antipattern_hits(self.trace, self.analysis.sections)
            counts: dict[str, int] = {}
            for h in hits:
                counts[h.kind] = counts.get(h.kind, 0) + 1
            cost = sum(h.cost_ns or 0 for h in hits)
            names = {"n_plus_one": "N+1", "sequential_calls": "sequential calls", "retry": "retry"}
            self._patterns = (f"⚠ {', '.join(f'{names[k]} ×{n}' for k, n in counts.items())}: "
                              f"{fmt_duration(cost)} of critical path") if hits else ""
            self._patterns_key = key
        return self._patterns

    def action_lint(self) -> None:
        from tracetui.ui.screens.lint import LintScreen

        self.app.push_screen(LintScreen(self.trace.trace_id), self._lint_jump)

    def _lint_jump(self, target: tuple[str, str] | None) -> None:
        if target is None:
            return
        trace_id, span_id = target
        if trace_id != self.trace.trace_id:  # a split trace's other half
            self.app.open_trace(trace_id, span_id)
            return
        pos = self.trace.position(span_id)
        if pos is not None and not self.waterfall.select_pos(pos):
            self.notify("that span's service is hidden (s: services)", timeout=3)
    # -- clock skew ----------------------------------------------------------------------------
    def action_toggle_skew(self) -> None:
        """Adjust clock skew, or show times as read: for every trace (the list re-sorts too)."""
        store = self.app.store
        on = not store.adjust_skew
        changed = store.set_adjust_skew(on)
        state = "adjusted for clock skew" if on else "as read (clock skew not adjusted)"
        if self.trace.trace_id in changed:
            self._grow()  # at once, not throttled like a live feed
        if changed:
            self.app.spans_added(changed, mark_new=False)  # the list summarizes and re-sorts them
        n = len(changed)
        self.notify(f"times {state}: {n} trace{'s' if n != 1 else ''} changed", timeout=3)

    # -- leaving -------------------------------------------------------------------------------
    def action_quit_deliberately(self) -> None:
        """q in a trace quits only when pressed again within QUIT_AGAIN_S: a q meant for the list
        (or typed one time too many) does not throw away where the user was."""
        now = time.monotonic()
        if now - self._quit_asked <= QUIT_AGAIN_S:
            self.app.exit()
            return
        self._quit_asked = now
        self.notify("press q again to quit · Esc goes back to the list", timeout=QUIT_AGAIN_S)

    def action_back(self) -> None:
        bar = self.search_bar
        panel = self.query_one(ServiceFilter)
        if bar.input.has_focus:
            bar.stop_timer()
            if bar.input.value:
                bar.clear()
            bar.close()
            self.set_focus(self.view)
            return
        if panel.has_focus or self.detail.has_focus or self.logs_view.has_focus:
            self.set_focus(self.view)
            return
        if self.in_flame:
            sandwich = self.query_one("#sandwich")
            if not sandwich.has_class("-hidden") and not self.flame.has_focus:
                sandwich.add_class("-hidden")
                self.set_focus(self.flame)
                return
            if self.flame.zoom_out():
                return
        if self.app.back_stack:
            self.action_history(-1)
            return
        if self.app.screen is self and len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    # -- live ----------------------------------------------------------------------------------
    def spans_arrived(self, trace_ids: frozenset[str], new_ids: set[str]) -> None:
        if self.trace.trace_id not in trace_ids or self._grow_pending:
            return
        if self.trace.version == self._grown_version:
            return  # already shown (the skew toggle grew the view at once)
        # A live feed may send spans of this trace many times a second; analysing a big trace
        # again each time would eat the UI thread: at most one re-analysis per GROW_SECONDS.
        wait = max(0.0, self._last_grow + GROW_SECONDS - time.monotonic())
        if wait:
            self._grow_pending = True
            self.set_timer(wait, self._grow)
        else:
            self._grow()

    def _grow(self) -> None:
        self._grow_pending = False
        self._last_grow = time.monotonic()
        self._grown_version = self.trace.version
        self.analysis = TraceAnalysis(self.trace)
        self.app.colours.show(self.analysis.service_order)
        self.waterfall.show_trace(self.trace, self.analysis)
        self.query_one(ServiceFilter).set_services(self.analysis.services)
        if self._flame_shown:
            self.flame.show_trace(self.trace, self.analysis, self.flame.selected_pos)
            self._sandwich = None
            if not self.query_one("#sandwich").has_class("-hidden"):
                self._sandwich = SandwichModel(self.trace, self.analysis)
                self.query_one(OperationTable).show(self._sandwich)
        self._update_header()
        self._show_span(self._selected_node())
        self._show_logs()

    def system_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Toggle service filter", "Show or hide the list of services", self.action_services)
        yield SystemCommand("Search in this trace", "Highlight matching spans", self.action_search)
        yield SystemCommand("Next error", "Jump to the next span with status ERROR",
                            lambda: self.action_next_error(1))
        yield SystemCommand("Follow the critical path", "Jump to the next span on the critical path",
                            lambda: self.action_next_critical(1))
        yield SystemCommand("Flame graph", "Switch between the waterfall and the flame graph (w)",
                            self.action_toggle_flame)
        yield SystemCommand("Toggle detail pane", "Show or hide the span detail pane", self.action_toggle_detail)
        yield SystemCommand("Trace statistics", "Spans added up by service and operation", self.action_statistics)
        yield SystemCommand("Lint this trace", "Broken instrumentation and anti-patterns, with the spans",
                            self.action_lint)
        yield SystemCommand("Logs of this trace", "Every log record of the trace in time order; Enter goes to its span",
                            self.action_logs)
        yield SystemCommand("Toggle clock skew adjustment", "Times adjusted for clock skew, or as read",
                            self.action_toggle_skew)
        yield SystemCommand("Back to the trace list", "Close this trace", self.action_back)
