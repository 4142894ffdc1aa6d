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
    AUTO_FOCUS = "LintView"
    BINDINGS: list[BindingType] = [
        Binding("escape,q,i", "close", "Back", id="lint.close"),
    ]

    def __init__(self, trace_id: str | None = None) -> None:
        super().__init__()
        self.trace_id = trace_id

    def compose(self) -> ComposeResult:
        from tracetui.analysis.lint import lint
        from tracetui.render.lint import time_problems

        app = self.app
        # The whole store even for one trace: a callee "instrumented elsewhere" and a caller "in
        # another trace" are facts about all the data.
        report = lint(app.store, time_problems(app.problems))
        model = LintPanelModel(report, app.store, self.trace_id)
        yield LintView(model, id="lint-view")
        yield Static(clean(model.message(0)), id="lint-message", markup=False)
        yield Footer()

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
