"""The comparison screen: the listed traces split into a selection and a baseline.

Opened from the trace list (`c`) for the traces it lists (after its `/` filter). The plots are
drawn from the list's summaries at once; the tables come from `tracetui.analysis.compare`,
computed in a thread worker on copies of the traces (the store is the app thread's, see the
threading rule): first each trace's facts (with progress in the title), then any split in a
fraction of that. Keys are answered throughout; a newer request supersedes an older one.

Keys: `+`/`-` the slowest percentage, `e` errors, `/` a query, `[`/`]` and `{`/`}` the lower and
upper edges of a duration range on the histogram, `b` the baseline query, `t` trace or span
scope (the operation under the cursor), Tab between the tables, Enter on a row: the trace list
filtered to the traces that have it (Esc there comes back here), Esc back to the list.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from tracetui.analysis.compare import AttributeRow, Comparer, Comparison, OperationRow, Selection
from tracetui.model.query import QueryError
from tracetui.model.trace import Trace
from tracetui.render.text import clean
from tracetui.ui.screens.base import TraceTuiScreen
from tracetui.ui.theme import theme_style
from tracetui.ui.widgets.compare_plots import DurationHistogram, DurationScatter
from tracetui.ui.widgets.compare_tables import AttributesTable, OperationsTable
from tracetui.ui.widgets.query_bar import QueryBar
from tracetui.viewmodels.compare import CompareModel

PROGRESS_SECONDS = 0.1
PRECOMPUTED_ROWS = 200  # operations rows whose percentiles the worker computes


class _Stopped(Exception):
    """The worker was cancelled (a newer request, or the screen closed)."""


class CompareState:
    """What survives a trip to the filtered trace list and back: the model and the analysis."""

    def __init__(self, model: CompareModel, traces: list[Trace]) -> None:
        self.model = model
        self.traces = traces
        self.comparer: Comparer | None = None


class CompareScreen(TraceTuiScreen):
    BINDINGS: list[BindingType] = [
        Binding("escape", "back", "Back", id="compare.back"),
        Binding("plus", "percent(1)", "Slower %", id="compare.percent_up"),
        Binding("minus", "percent(-1)", "Fewer %", show=False, id="compare.percent_down"),
        Binding("e", "errors", "Errors", id="compare.errors"),
        Binding("slash", "select_query", "Query", id="compare.query"),
        Binding("left_square_bracket", "split(-1)", "Split ←", id="compare.split_left"),
        Binding("right_square_bracket", "split(1)", "Split →", id="compare.split_right"),
        Binding("left_curly_bracket", "top(-1)", "Upper edge ←", show=False, id="compare.top_left"),
        Binding("right_curly_bracket", "top(1)", "Upper edge →", show=False, id="compare.top_right"),
        Binding("b", "baseline_query", "Baseline", id="compare.baseline"),
        Binding("s", "scope", "Scope", id="compare.scope"),
    ]

    class Progress(Message):
        def __init__(self, what: str, done: int, total: int) -> None:
            super().__init__()
            self.what, self.done, self.total = what, done, total

    def __init__(self, state: CompareState) -> None:
        super().__init__()
        self.state = state
        self.model = state.model
        self._busy = ""  # what is being computed (shown in the title), "" when nothing
        self._note = ""
        self._computed_for: tuple | None = None

    @classmethod
    def for_listed(cls, app) -> CompareScreen:
        """The screen for the traces the app's trace list shows now (copies: see the module doc)."""
        summaries = list(app.index.rows)
        traces = []
        for s in summaries:
            t = app.store.get(s.trace_id)
            if t is not None:
                traces.append(Trace(t.trace_id, t.spans, adjust_skew=False))  # spans as shown (adjusted)
        return cls(CompareState(CompareModel(summaries), traces))

    def compose(self) -> ComposeResult:
        yield Static("", id="compare-title", markup=False)
        with Horizontal(id="compare-plots"):
            with Vertical(id="compare-histogram-box"):
                yield Static("Duration (log buckets)", classes="compare-plot-title", markup=False)
                yield DurationHistogram(self.model, id="compare-histogram")
            with Vertical(id="compare-scatter-box"):
                yield Static("Duration by start time", classes="compare-plot-title", markup=False)
                yield DurationScatter(self.model, id="compare-scatter")
        yield QueryBar("select", "Selection:", "a query: error, host.name=b, duration>800ms …", 10.0)
        yield QueryBar("baseline", "Baseline:", "a query (empty: every trace not selected)", 10.0)
        yield Static("", id="compare-ops-title", markup=False)
        yield OperationsTable(id="compare-ops")
        yield Static("", id="compare-attrs-title", markup=False)
        yield AttributesTable(id="compare-attrs")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.ops.focus()
        self._titles()
        self.call_after_refresh(self._recompute)  # the plots are painted first, then the work starts

    @property
    def computing(self) -> bool:
        """Whether the analysis (or a search for a row's traces) is running."""
        return bool(self._busy)

    @property
    def ops(self) -> OperationsTable:
        return self.query_one(OperationsTable)

    @property
    def attrs(self) -> AttributesTable:
        return self.query_one(AttributesTable)

    # -- titles ----------------------------------------------------------------------------------
    def _titles(self) -> None:
        m = self.model
        c = m.comparison
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Compare", style="bold")
        mask = m.quick_mask()
        current = c is not None and c.selection == m.selection and c.baseline_query == m.baseline
        n_sel = sum(mask) if mask is not None else (c.selection_count if current and c else None)
        text.append("  ·  selection: ")
        text.append(m.selection_label(), style=theme_style(self.app, "text-warning", bold=True))
        text.append(f" · {n_sel:,} traces" if n_sel is not None else " · …")
        text.append("  ·  baseline: ")
        text.append(clean(m.baseline, 40) if m.baseline else "the rest", style="bold")
        if current and c is not None:
            text.append(f" · {c.baseline_count:,} traces")
        elif m.baseline is None and n_sel is not None:
            text.append(f" · {len(m) - n_sel:,} traces")
        if self._busy or self._note:
            text.append(f"  ·  {self._busy or self._note}", style=theme_style(self.app, "text-accent"))
        self.query_one("#compare-title", Static).update(text)
        scope = "traces" if m.scope_op is None else f"spans of {clean(m.scope_op[0])}: {clean(m.scope_op[1], 60)}"
        self.query_one("#compare-ops-title", Static).update(
            Text("Operations · by the difference in critical-path time per trace (Enter: traces with it)",
                 no_wrap=True, overflow="ellipsis"))
        passing = sum(r.passes for r in c.attributes) if c is not None else 0
        self.query_one("#compare-attrs-title", Static).update(
            Text(f"Attributes · share of {scope}" + (f" · {passing:,} pass q ≤ 0.05" if c is not None else "")
                 + " (s: scope)", no_wrap=True, overflow="ellipsis"))

    def _plots_changed(self) -> None:
        self.query_one(DurationHistogram).changed()
        self.query_one(DurationScatter).changed()
        self._titles()

    # -- computing -------------------------------------------------------------------------------
    def _recompute(self) -> None:
        m = self.model
        want = (m.selection, m.baseline, m.scope_op)
        if want == self._computed_for:
            return
        self._busy = "analysing…" if self.state.comparer is None else "comparing…"
        self._titles()
        self._compute(m.selection, m.baseline, m.scope_op)

    def _progress(self, worker, what: str) -> Callable[[int, int], None]:
        """A progress callback for the worker: posts at most every PROGRESS_SECONDS; stops the
        work when the worker was cancelled (a newer request, or the screen closed)."""
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise _Stopped
            now = time.monotonic()
            if now - last[0] >= PROGRESS_SECONDS:
                last[0] = now
                self.post_message(self.Progress(what, done, total))

        return progress

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def _compute(self, selection: Selection, baseline: str | None, scope_op: tuple[str, str] | None) -> None:
        worker = get_current_worker()
        state = self.state
        if state.comparer is None:
            state.comparer = Comparer(state.traces)
        try:
            result = state.comparer.compare(selection, baseline, scope_op, progress=self._progress(worker, "analysing"))
        except _Stopped:
            return
        except QueryError as e:
            self.app.call_from_thread(self._failed, str(e))
            return
        for row in result.operations[:PRECOMPUTED_ROWS]:
            row.percentiles()  # sorting durations here, not on the app's thread when rows are drawn
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, result, (selection, baseline, scope_op))

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def _find(self, row: object, scope_op: tuple[str, str] | None, label: str) -> None:
        """The traces with a row's value or operation (all listed traces: facts of the ones not
        sampled yet are computed), then the trace list shows them."""
        worker = get_current_worker()
        comparer = self.state.comparer
        assert comparer is not None
        try:
            ids = comparer.traces_with(row, scope_op, progress=self._progress(worker, "finding the traces"))  # type: ignore[arg-type]
        except _Stopped:
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._list_traces, ids, label)

    def on_compare_screen_progress(self, message: Progress) -> None:
        if not self._busy:
            return  # a late message: the work it counted is done
        self._busy = f"{message.what}: {message.done:,} of {message.total:,} traces…"
        self._titles()

    def _failed(self, error: str) -> None:
        self._busy = ""
        self.notify(clean(error, 200), severity="error", markup=False)
        self._titles()

    def _show(self, result: Comparison, key: tuple) -> None:
        if key != (self.model.selection, self.model.baseline, self.model.scope_op):
            return  # superseded: the next result is on its way
        self.model.comparison = result
        self._computed_for = key
        self._busy = ""
        self._note = (f"tables from a sample of {result.selection_sampled:,} + {result.baseline_sampled:,} traces"
                      if result.sampled else "")
        empty = "Nothing to compare: " + ("the selection" if not result.selection_count else "the baseline") + \
            " has no traces." if not result.selection_count or not result.baseline_count else "No rows."
        self.ops.set_rows(result.operations, empty)
        self.attrs.set_rows(result.attributes, empty)
        self._plots_changed()

    # -- the selection ---------------------------------------------------------------------------
    def _changed(self) -> None:
        self._plots_changed()
        self._recompute()

    def action_percent(self, step: int) -> None:
        self.model.change_percent(step)
        self._changed()

    def action_errors(self) -> None:
        self.model.selection = Selection.errors()
        self._changed()

    def action_split(self, step: int) -> None:
        self.model.move_split(step)
        self._changed()

    def action_top(self, step: int) -> None:
        self.model.move_top(step)
        self._changed()

    def action_select_query(self) -> None:
        bar = self.query_one("#select-bar").parent
        assert isinstance(bar, QueryBar)
        bar.open()

    def action_baseline_query(self) -> None:
        bar = self.query_one("#baseline-bar").parent
        assert isinstance(bar, QueryBar)
        bar.open()

    def on_query_bar_applied(self, message: QueryBar.Applied) -> None:
        message.stop()
        if not message.submitted:
            return
        text = message.text.strip()
        if message.bar.prefix == "select":
            self.model.selection = Selection.matching(text) if text else Selection.slowest()
        else:
            self.model.baseline = text or None
        message.bar.close()
        self.ops.focus()
        self._changed()

    def action_scope(self) -> None:
        m = self.model
        if m.scope_op is not None:
            m.scope_op = None
        else:
            row = self.ops.current
            if row is None:
                self.notify("pick an operation in the table first", markup=False)
                return
            m.scope_op = row.op
        self._titles()
        self._recompute()

    # -- rows ------------------------------------------------------------------------------------
    def on_compare_table_chosen(self, message: OperationsTable.Chosen) -> None:
        if self.state.comparer is None:
            return
        row = message.row
        if isinstance(row, OperationRow):
            label = f"has {row.service}: {row.name}"
        else:
            assert isinstance(row, AttributeRow)
            label = f"{row.key} {row.value}" if row.kind != "value" else f"{row.key}={row.value}"
        self._busy = "finding the traces…"
        self._titles()
        self._computed_for = None  # the work below supersedes any comparison in flight
        self._find(row, self.model.scope_op, label)

    def _list_traces(self, ids: list[str], label: str) -> None:
        self._busy = ""
        if self.app.screen is not self:
            return
        self.app.pop_screen()
        show: Callable[[set[str], str, CompareState], None] | None = getattr(self.app.screen, "show_only", None)
        if show is not None:
            show(set(ids), label, self.state)

    def action_back(self) -> None:
        for bar in self.query(QueryBar):
            if bar.is_open:
                bar.close()
                self.ops.focus()
                return
        self.workers.cancel_group(self, "compare")
        self.app.pop_screen()
