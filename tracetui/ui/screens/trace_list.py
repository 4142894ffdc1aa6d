"""The trace list screen: every trace, sortable, filterable with the query language."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Input, Static

from tracetui.render.text import clean
from tracetui.render.units import count
from tracetui.ui.messages import SortRequested
from tracetui.ui.screens.base import TraceTuiScreen
from tracetui.ui.theme import theme_style
from tracetui.ui.widgets.query_bar import QueryBar
from tracetui.ui.widgets.status_bar import StatusBar
from tracetui.ui.widgets.trace_table import TraceTable
from tracetui.viewmodels.exceptions import describe
from tracetui.viewmodels.trace_list import SORT_KEYS, TraceIdFilter

FILTER_DELAY = 0.15


class _TraceIds:
    """A trace-list filter that lists these traces (the comparison's Enter)."""

    def __init__(self, ids: set[str]) -> None:
        self.ids = ids

    def match_trace(self, trace) -> bool:
        return trace.trace_id in self.ids


class TraceListScreen(TraceTuiScreen):
    """One row per trace. `/` filters, `d`/`t`/`o` sort, Enter opens."""

    HELP_TITLE = "Trace list"

    BINDINGS: list[BindingType] = [
        Binding("slash", "filter", "Filter", id="list.filter"),
        Binding("d", "sort('duration')", "By duration", id="list.sort_duration"),
        Binding("t", "sort('start')", "By time", id="list.sort_start"),
        Binding("o", "cycle_sort", "Next sort", id="list.sort_cycle"),
        Binding("i", "lint", "Lint", tooltip="Broken instrumentation and anti-patterns in every trace",
                id="list.lint"),
        Binding("p", "sampling", "Sampling", show=False,
                tooltip="Preview a tail-sampling policy: what it keeps and loses", id="list.sampling"),
        Binding("1", "sort('start')", "Sort by start", show=False, id="list.sort_1"),
        Binding("2", "sort('duration')", "Sort by duration", show=False, id="list.sort_2"),
        Binding("3", "sort('spans')", "Sort by spans", show=False, id="list.sort_3"),
        Binding("4", "sort('errors')", "Sort by errors", show=False, id="list.sort_4"),
        Binding("M", "service_map", "Service map", tooltip="The calls between services of the listed traces",
                show=False, id="list.service_map"),
        Binding("X", "export", "Export", tooltip="Write the listed traces as OTLP, Jaeger or Zipkin JSON",
                show=False, id="list.export"),
        Binding("c", "compare", "Compare", tooltip="The slowest 10% against the rest (any selection)", id="list.compare"),
        Binding("escape", "escape", "Clear filter", show=False, id="list.escape"),
        Binding("x", "exceptions", "Exceptions", tooltip="Exceptions across the loaded traces, grouped", show=False,
                id="list.exceptions"),  # (not in the footer, full already: ? and Ctrl+P list it)
        Binding("C", "crisp", "CRISP", tooltip="Critical path of many traces, by percentile", id="list.crisp"),
        Binding("m", "mark", "Mark A", tooltip="Mark this trace to diff another against it", show=False,
                id="list.mark"),
        Binding("D", "diff", "Diff with A", tooltip="This trace (B) against the marked one (A)", show=False,
                id="list.diff"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="list-title", markup=False)
        yield QueryBar("filter", "Filter:", "service, name, id, key=value, error, duration>200ms, -negation",
                       FILTER_DELAY)
        yield TraceTable(self.app.index, utc=self.app.utc, id="trace-table")
        yield StatusBar()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._filter_text = ""
        self._compare_back: tuple[object, str, object] | None = None  # (query, text, CompareState)
        self._sampling = None  # the sampling panel's last policy
        self.table.rows_changed()
        self.table.focus()
        self._update_title()
        self.watch(self.app, "theme", self._update_title, init=False)
        self.watch(self.app, "status", self._status_changed, init=False)

    def _status_changed(self, _status: object) -> None:
        # An empty list says why it is empty (loading, problems); rows do not depend on the
        # status: no repaint of the whole table for every status of a load.
        if not self.app.index.rows:
            self.table.refresh()

    def action_sampling(self) -> None:
        """The sampling preview panel; it keeps its policy between openings."""
        from tracetui.ui.screens.sampling import SamplingScreen

        screen = SamplingScreen(self._sampling)
        self.app.push_screen(screen, lambda _: setattr(self, "_sampling", screen.policy))

    @property
    def table(self) -> TraceTable:
        return self.query_one(TraceTable)

    @property
    def filter_bar(self) -> QueryBar:
        return self.query_one(QueryBar)

    # -- fed by the app ------------------------------------------------------------------------
    def spans_arrived(self, trace_ids: frozenset[str], new_ids: set[str]) -> None:
        table = self.table
        if new_ids:
            table.new_ids |= new_ids
        table.rows_changed(follow_top=not new_ids)
        self._update_title()

    def trace_opened(self, trace_id: str) -> None:
        table = self.table
        if trace_id in table.new_ids:
            table.new_ids.discard(trace_id)
            table.marks_changed()

    def on_trace_table_scale_changed(self) -> None:
        self._update_title()

    def display_changed(self) -> None:
        self.table.utc = self.app.utc
        self.table.invalidate_rows()

    # -- title ---------------------------------------------------------------------------------
    def _update_title(self) -> None:
        index = self.app.index
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("tracetui", style="bold")
        text.append(f"  ·  {count(index.total, 'trace')}")
        arrow = "▼" if index.descending else "▲"
        text.append(f"  ·  sorted by {index.sort} {arrow}")
        if index.query is not None:
            text.append("  ·  ")
            text.append(f"filter: {clean(self._filter_text, 80)} ({len(index.rows):,} shown)",
                        style=theme_style(self.app, "text-accent", bold=True))
        muted = theme_style(self.app, "text-muted")
        text.append("  ·  ")
        text.append("✗", style=theme_style(self.app, "text-error", bold=True))
        text.append(" errors ", style=muted)
        text.append("⚠", style=theme_style(self.app, "text-warning", bold=True))
        text.append(" orphans", style=muted)
        if self.table.log_scale:
            text.append("  ·  bars: log scale", style=muted)
        sources = self.app.sources
        if sources:
            text.append("  ·  ")
            text.append(clean(", ".join("stdin" if s == "-" else s for s in sources), 80),
                        style=theme_style(self.app, "text-muted"))
        self.query_one("#list-title", Static).update(text, layout=False)  # one line, its width fixed
        self.filter_bar.set_count(f"{len(index.rows):,} of {count(index.total, 'trace')}")

    # -- sorting -------------------------------------------------------------------------------
    def action_sort(self, key: str) -> None:
        self.app.index.set_sort(key)
        self.table.go_top()  # a new order is read from its top: the slowest, the newest…
        self._update_title()

    def action_cycle_sort(self) -> None:
        index = self.app.index
        nxt = SORT_KEYS[(SORT_KEYS.index(index.sort) + 1) % len(SORT_KEYS)]
        self.action_sort(nxt)

    def on_sort_requested(self, message: SortRequested) -> None:
        self.action_sort(message.key)

    # -- filtering -----------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.filter_bar.open()

    def action_escape(self) -> None:
        bar = self.filter_bar
        if self._compare_back is not None and not bar.input.has_focus:
            self._back_to_compare()
        elif bar.input.has_focus and bar.input.value:
            bar.clear()
        elif bar.is_open:
            if not bar.input.value:
                bar.hide()
            self.set_focus(self.table)
        elif isinstance(self.app.index.query, TraceIdFilter):  # an exception's or an edge's traces: back to all
            self.show_traces(None)

    # -- exceptions ----------------------------------------------------------------------------
    def action_exceptions(self) -> None:
        """Exceptions across the loaded traces; Enter there lists the traces of one kind here."""
        from tracetui.ui.screens.exceptions import ExceptionsScreen

        self.app.push_screen(ExceptionsScreen(list(self.app.store), lambda g: self.show_traces(
            TraceIdFilter(g.trace_ids, f"exception {describe(g)}"))))

    def show_traces(self, only: TraceIdFilter | None) -> None:
        """List only the traces of `only` (an exception group's, a service map edge's); None: every
        trace again. Esc or a typed filter ends it."""
        app = self.app
        bar = self.filter_bar
        if only is None:
            self._filter_text = ""
            bar.clear()
        else:
            with bar.input.prevent(Input.Changed):  # the typed filter gives way to this one
                bar.input.value = ""
            bar.stop_timer()
            bar.hide()
            self._filter_text = only.text
            app.index.set_query(app.store, only)
            self.table.go_top()
        self.table.rows_changed()
        self._update_title()
        self.set_focus(self.table)

    # -- the comparison ----------------------------------------------------------------------
    def action_compare(self) -> None:
        """Compare the traces listed now (after the filter): the slowest 10% against the rest."""
        from tracetui.ui.screens.compare import CompareScreen

        if not self.app.index.rows:
            self.notify("no traces listed to compare", markup=False)
            return
        self._compare_back = None
        self.app.push_screen(CompareScreen.for_listed(self.app))

    def show_only(self, trace_ids: set[str], label: str, state: object) -> None:
        """List only these traces (a row chosen in the comparison); Esc goes back to it."""
        index = self.app.index
        self._compare_back = (index.query, self._filter_text, state)
        index.set_query(self.app.store, _TraceIds(trace_ids))
        self._filter_text = label
        self.table.go_top()
        self.table.focus()
        self._update_title()

    def _back_to_compare(self) -> None:
        from tracetui.ui.screens.compare import CompareScreen

        assert self._compare_back is not None
        query, text, state = self._compare_back
        self._compare_back = None
        self.app.index.set_query(self.app.store, query)  # type: ignore[arg-type]
        self._filter_text = text
        self.table.rows_changed()
        self._update_title()
        self.app.push_screen(CompareScreen(state))  # type: ignore[arg-type]

    def on_query_bar_applied(self, message: QueryBar.Applied) -> None:
        message.stop()
        self._compare_back = None
        self._filter_text = message.text
        app = self.app
        app.index.set_query(app.store, None if message.query.is_empty else message.query)
        self.table.rows_changed()
        self._update_title()
        if message.submitted:
            self.set_focus(self.table)

    def listed_traces(self) -> list:
        store = self.app.store
        return [t for t in (store.get(r.trace_id) for r in self.app.index.rows) if t is not None]

    def _scope(self, n: int) -> str:
        if self.app.index.query is None:
            return f"all {n:,} traces"
        return f"{n:,} traces (filter: {clean(self._filter_text, 40)})"

    def action_service_map(self) -> None:
        from tracetui.ui.screens.service_map import ServiceMapScreen

        traces = self.listed_traces()
        self.app.push_screen(ServiceMapScreen(traces, self._scope(len(traces))))

    def action_export(self) -> None:
        from tracetui.ui.screens.export import ExportDialog

        traces = self.listed_traces()
        if traces:
            self.app.push_screen(ExportDialog(traces, self._scope(len(traces))))

    # -- lint ----------------------------------------------------------------------------------
    def action_lint(self) -> None:
        from tracetui.ui.screens.lint import LintScreen

        def jump(target: tuple[str, str] | None) -> None:
            if target is not None:
                self.app.open_trace(*target)

        self.app.push_screen(LintScreen(), jump)
    # -- across traces -----------------------------------------------------------------------------
    def action_crisp(self) -> None:
        """CRISP over the listed traces; its selection-against-baseline diff starts as the
        comparison's default split: the slowest 10% against the rest (`c` then `f` for another)."""
        from tracetui.analysis.compare import Selection, split
        from tracetui.ui.screens.crisp import CrispScreen

        app = self.app
        listed = [t for s in app.index.rows if (t := app.store.get(s.trace_id)) is not None]
        chosen, rest = split(listed, Selection.slowest())
        groups = ({t.trace_id for t in chosen}, {t.trace_id for t in rest}) if chosen and rest else None
        app.push_screen(CrispScreen(groups=groups))

    def action_mark(self) -> None:
        """Mark the selected trace as A (again: unmark)."""
        s = self.table.selected
        if s is None:
            return
        table = self.table
        table.marked_id = None if table.marked_id == s.trace_id else s.trace_id
        table.marks_changed()
        if table.marked_id is not None:
            self.notify("marked as A: pick another trace and press D to diff it against A", timeout=3)

    def action_diff(self) -> None:
        """The selected trace (B) against the marked one (A)."""
        from tracetui.ui.screens.trace_diff import TraceDiffScreen

        table, store = self.table, self.app.store
        s = table.selected
        a = store.get(table.marked_id) if table.marked_id is not None else None
        if a is None or s is None:
            self.notify("mark a trace with m first (A), then press D on another (B)", severity="warning")
            return
        if s.trace_id == a.trace_id:
            self.notify("this is the marked trace (A): pick another to diff against it", severity="warning")
            return
        b = store.get(s.trace_id)
        if b is not None:
            self.app.push_screen(TraceDiffScreen(a, b))

    def system_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("CRISP: critical path of many traces", "A flame graph of the traces of one root "
                            "operation, by percentile", self.action_crisp)
        yield SystemCommand("Mark this trace as A (m)", "Then D on another trace diffs it against A",
                            self.action_mark)
        yield SystemCommand("Diff this trace against A (D)", "The union of both call trees, by change in "
                            "critical path", self.action_diff)
        yield SystemCommand("Service map (M)", "The calls between services of the listed traces, as a graph",
                            self.action_service_map)
        yield SystemCommand("Export traces (X)", "Write the listed traces as OTLP, Jaeger or Zipkin JSON",
                            self.action_export)
        for key in SORT_KEYS:
            yield SystemCommand(f"Sort traces by {key}", f"Order the trace list by {key}",
                                lambda k=key: self.action_sort(k))
        yield SystemCommand("Filter traces", "Type a query to filter the trace list", self.action_filter)
        yield SystemCommand("Exceptions", "Exceptions across the loaded traces, grouped", self.action_exceptions)
        yield SystemCommand("Lint all traces", "Broken instrumentation and anti-patterns, with the spans",
                            self.action_lint)
        yield SystemCommand("Sampling preview", "What a tail-sampling policy would keep and lose", self.action_sampling)
