"""The lint panel: the findings of `tracetui lint` over every trace (from the trace list) or one
trace (from its view). Enter on a finding or a span closes it with that span to show."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from tracetui.render.text import clean
from tracetui.ui.screens.base import TraceTuiScreen
from tracetui.ui.widgets.lint_view import LintView
from tracetui.viewmodels.lint import LintPanelModel


class LintScreen(TraceTuiScreen):
    """Dismissed with (trace id, span id) to show, or None (Esc)."""

    HELP_TITLE = "Lint"
    DEFAULT_CSS = """
    LintScreen > #lint-message { height: auto; max-height: 4; padding: 0 1; background: $panel; }
    """
    BINDINGS: list[BindingType] = [
        Binding("escape,q,i", "close", "Back", id="lint.close"),
    ]

    def __init__(self, trace_id: str | None = None) -> None:
        super().__init__()
        self.trace_id = trace_id

    def compose(self) -> ComposeResult:
        yield Static(f"Linting {len(self.app.store):,} traces…", id="lint-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from tracetui.render.lint import time_problems

        # The whole store even for one trace: a callee "instrumented elsewhere" and a caller "in
        # another trace" are facts about all the data. Off the event loop: a million spans take
        # seconds. (Live traces that change meanwhile are linted as the worker finds them.)
        traces, problems = list(self.app.store), list(time_problems(self.app.problems))

        def report():  # noqa: ANN202
            from tracetui.analysis.lint import lint

            return lint(traces, problems)

        self.off_the_loop("lint", report, self._show)

    def _show(self, report) -> None:
        model = LintPanelModel(report, self.app.store, self.trace_id)
        view = LintView(model, id="lint-view")
        self.mount(view, before="#lint-message")
        self.query_one("#lint-message", Static).update(clean(model.message(0)))
        view.focus()

    @property
    def view(self) -> LintView:
        return self.query_one(LintView)

    def on_lint_view_highlighted(self, message: LintView.Highlighted) -> None:
        message.stop()
        self.query_one("#lint-message", Static).update(clean(self.view.model.message(message.row)))

    def on_lint_view_jump(self, message: LintView.Jump) -> None:
        message.stop()
        self.dismiss((message.trace_id, message.span_id))

    def action_close(self) -> None:
        self.dismiss(None)
