"""Trace statistics: one trace's spans added up by service, operation or both (Jaeger UI's
Trace Statistics), sortable; Enter selects the spans of a group in the waterfall."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from tracetui.analysis.stats import SpanStats
from tracetui.render.text import clean
from tracetui.render.units import fmt_duration
from tracetui.ui.screens.base import TraceTuiScreen
from tracetui.ui.widgets.stats_table import StatsTable
from tracetui.viewmodels.trace_stats import NAME_KEY, StatsTableModel


class TraceStatsScreen(TraceTuiScreen):
    """`b` changes the grouping, `o`/`O` the sort column, `r` reverses; Enter selects; Esc goes back."""

    HELP_TITLE = "Trace statistics"
    AUTO_FOCUS = "#stats-table"
    BINDINGS: list[BindingType] = [
        Binding("escape", "back", "Back", id="stats.back"),
        Binding("b", "group", "Group by", id="stats.group"),
        Binding("o", "sort(1)", "Next sort", id="stats.sort_next"),
        Binding("O", "sort(-1)", "Previous sort", show=False, id="stats.sort_prev"),
        Binding("r", "reverse", "Reverse", id="stats.reverse"),
    ]
    DEFAULT_CSS = """
    TraceStatsScreen #stats-title { height: 1; padding: 0 1; background: $panel; color: $text; }
    TraceStatsScreen #stats-table { height: 1fr; }
    """

    def __init__(self, trace_id: str, stats: SpanStats, on_choose: Callable[[str], None], by: str = "service") -> None:
        super().__init__()
        self.trace_id = trace_id
        self.model = StatsTableModel(stats, by=by)
        self.on_choose = on_choose

    def compose(self) -> ComposeResult:
        yield Static("", id="stats-title", markup=False)
        yield StatsTable(self.model, id="stats-table")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._update_title()

    @property
    def table(self) -> StatsTable:
        return self.query_one(StatsTable)

    def _update_title(self) -> None:
        m = self.model
        sort = "name" if m.sort == NAME_KEY else next(c.title for c in m.columns if c.key == m.sort)
        self.query_one("#stats-title", Static).update(
            f"Statistics of trace {clean(self.trace_id, 40)} · {fmt_duration(m.stats.duration_ns)} · "
            f"by {m.by} · sorted by {sort} {'▼' if m.descending else '▲'} · Enter: select the spans")

    def action_group(self) -> None:
        self.model.next_grouping()
        self.table.rows_changed()
        self._update_title()

    def action_sort(self, step: int) -> None:
        self.model.next_sort(step)
        self.table.rows_changed()
        self._update_title()

    def action_reverse(self) -> None:
        self.model.sort_by(self.model.sort)
        self.table.rows_changed()
        self._update_title()

    def on_stats_table_resorted(self, message: StatsTable.Resorted) -> None:
        self._update_title()

    def on_stats_table_chosen(self, message: StatsTable.Chosen) -> None:
        message.stop()
        self.app.pop_screen()
        self.on_choose(message.query)

    def action_back(self) -> None:
        self.app.pop_screen()
