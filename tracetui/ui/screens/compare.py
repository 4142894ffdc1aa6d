"""The comparison screen: the listed traces split into a selection and a baseline.

Opened from the trace list (`c`) for the traces it lists (after its `/` filter). The plots are
drawn from the list's summaries at once; the tables come from `tracetui.analysis.compare`,
computed on the app's event loop in slices of a few milliseconds (`tracetui.ui.slices`: keys
are answered between them) over a snapshot of the listed traces (analysis/compare/snapshot.py: a
trace's spans are copied only when the tables need that trace). First each sampled
trace's facts (progress in the title and above the tables), then any split in a fraction of
that. A newer request cancels the computation in flight: its results are never shown.

Keys: `+`/`-` the slowest percentage, `e` errors, `/` a query, `[`/`]` and `{`/`}` the lower and
upper edges of a duration range on the histogram, `b` the baseline query, `t` trace or span
scope (the operation under the cursor), Tab between the tables, Enter on a row: the trace list
filtered to the traces that have it (Esc there comes back here), Esc back to the list.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from tracetui.analysis.compare import AttributeRow, Comparer, Comparison, OperationRow, Selection
from tracetui.analysis.compare.snapshot import TraceSnapshot
from tracetui.analysis.compare.steps import Step, run
from tracetui.model.gcpause import freeze_loaded
from tracetui.model.query import QueryError
from tracetui.render.text import clean
from tracetui.ui.screens.base import TraceTuiScreen
from tracetui.ui.slices import run_in_slices
from tracetui.ui.theme import theme_style
from tracetui.ui.widgets.compare_plots import DurationHistogram, DurationScatter
from tracetui.ui.widgets.compare_tables import AttributesTable, OperationsTable
from tracetui.ui.widgets.query_bar import QueryBar
from tracetui.viewmodels.compare import CompareModel

PROGRESS_SECONDS = 0.1
PRECOMPUTED_ROWS = 200  # operations rows whose percentiles are computed with the tables


class CompareState:
    """What survives a trip to the filtered trace list and back: the model and the analysis."""

    def __init__(self, model: CompareModel, traces: TraceSnapshot) -> None:
        self.model = model
        self.traces = traces
        self.comparer: Comparer | None = None


class CompareScreen(TraceTuiScreen):
    HELP_TITLE = "Comparison"
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
        Binding("f", "crisp", "CRISP diff", id="compare.crisp",
                tooltip="The critical path of many traces: the selection against the baseline, as a flame graph diff"),
    ]

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
        # A full collection now, while the screen changes anyway, then what is alive is kept out
        # of later ones (as after a load, model/gcpause.py): the collections started by the
        # analysis's allocations then walk the analysis's objects alone. Otherwise each walked
        # the list, its summaries and the widgets too (47k objects at 1M spans, 20-30 ms each,
        # 45-75 ms with the analysis's) between two slices of the computation.
        freeze_loaded(collect=True)
        get = app.store.get
        summaries, traces = [], []
        for s in app.index.rows:
            t = get(s.trace_id)
            if t is not None:
                summaries.append(s)
                traces.append(t)
        snapshot = TraceSnapshot(traces, [s.duration_ns for s in summaries], [s.error_count for s in summaries])
        return cls(CompareState(CompareModel(summaries), snapshot))

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
        # While the tables compute, each says so (and how far), before what it shows.
        busy = Text(f" · {self._busy}", style=theme_style(self.app, "text-accent")) if self._busy else ""
        self.query_one("#compare-ops-title", Static).update(
            Text.assemble("Operations", busy, " · by the difference in critical-path time per trace "
                          "(Enter: traces with it)", no_wrap=True, overflow="ellipsis"))
        passing = sum(r.passes for r in c.attributes) if c is not None else 0
        self.query_one("#compare-attrs-title", Static).update(
            Text.assemble("Attributes", busy, f" · share of {scope}"
                          + (f" · {passing:,} pass q ≤ 0.05" if c is not None else "") + " (s: scope)",
                          no_wrap=True, overflow="ellipsis"))

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

    def _progress(self) -> Callable[[str, int, int], None]:
        """A progress callback for `run_in_slices`: the title says it at most every PROGRESS_SECONDS."""
        last = [time.monotonic()]

        def progress(what: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_SECONDS and self._busy:
                last[0] = now
                self._busy = f"{what}: {done:,} of {total:,} traces…"
                self._titles()

        return progress

    def _table_steps(self, selection: Selection, baseline: str | None, scope_op: tuple[str, str] | None
                     ) -> Generator[Step, None, Comparison]:
        state = self.state
        if state.comparer is None:
            state.comparer = Comparer(state.traces)
        result = yield from state.comparer.compare_steps(selection, baseline, scope_op)
        for row in result.operations[:PRECOMPUTED_ROWS]:
            row.percentiles()  # sorting durations here, not while the rows are drawn
            yield None
        return result

    @work(exclusive=True, group="compare", exit_on_error=False)
    async def _compute(self, selection: Selection, baseline: str | None, scope_op: tuple[str, str] | None) -> None:
        """The tables for this split, in slices on the event loop; a newer `_compute` (or `_find`)
        cancels this one (Textual's exclusive group) at its next slice."""
        try:
            result = await run_in_slices(self._table_steps(selection, baseline, scope_op), self._progress())
        except QueryError as e:
            self._failed(str(e))
            return
        self._show(result, (selection, baseline, scope_op))

    @work(exclusive=True, group="compare", exit_on_error=False)
    async def _find(self, row: object, scope_op: tuple[str, str] | None, label: str) -> None:
        """The traces with a row's value or operation (all listed traces: facts of the ones not
        sampled yet are computed), then the trace list shows them."""
        comparer = self.state.comparer
        assert comparer is not None
        steps = comparer.traces_with_steps(row, scope_op)  # type: ignore[arg-type]
        progress = self._progress()
        ids = await run_in_slices(steps, lambda what, done, total: progress("finding the traces", done, total))
        self._list_traces(ids, label)

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

    def action_crisp(self) -> None:
        """CRISP's flame graph diff of this selection against this baseline (issue 13)."""
        from tracetui.ui.screens.crisp import CrispScreen

        m, state = self.model, self.state
        c = m.comparison
        baseline = m.baseline if m.baseline and m.baseline.strip() else None
        if c is not None and c.selection == m.selection and c.baseline_query == baseline:
            in_sel, in_base = c.in_selection, c.in_baseline  # the tables' split: no query to run again
        else:
            if state.comparer is None:
                state.comparer = Comparer(state.traces)
            try:
                in_sel, in_base = run(state.comparer.masks_steps(m.selection, m.baseline))
            except QueryError as e:
                self.notify(f"cannot split: {clean(str(e), 200)}", severity="warning", markup=False)
                return
        ids = state.traces.trace_ids
        groups = ({ids[i] for i, x in enumerate(in_sel) if x}, {ids[i] for i, x in enumerate(in_base) if x})
        if not groups[0] or not groups[1]:
            self.notify("the selection or the baseline is empty: nothing to diff", severity="warning", timeout=3)
            return
        self.app.push_screen(CrispScreen(groups=groups, mode="groups"))

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
