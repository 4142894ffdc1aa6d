"""The problems met while reading the input: one line each, as the headless CLI prints them."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tracetui.loaders.problems import Problem, problem_count
from tracetui.render.text import clean
from tracetui.ui.typed_app import tui_app


class ProblemsScreen(ModalScreen[None]):
    """A list of every problem line (file: where: what). Esc closes."""

    HELP_TITLE = "Problems"
    BINDINGS: list[BindingType] = [
        Binding("escape,q,exclamation_mark", "dismiss", "Close", id="problems.close"),
        Binding("l", "traceless_logs", "Logs of no trace", id="problems.traceless_logs"),
    ]
    DEFAULT_CSS = """
    ProblemsScreen { align: center middle; }
    ProblemsScreen > VerticalScroll {
        width: 90%; height: 80%; border: round $warning; background: $surface; padding: 0 1;
    }
    ProblemsScreen .problem { margin-bottom: 0; }
    """

    def __init__(self, problems: Iterable[Problem], traceless_logs: int = 0) -> None:
        super().__init__()
        self.problems = list(problems)
        self.traceless_logs = traceless_logs

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            n = problem_count(self.problems)
            skipped = sum(p.skipped for p in self.problems)
            scroll.border_title = (f"{n:,} problem{'s' if n != 1 else ''}, {skipped:,} span{'s' if skipped != 1 else ''}"
                                   " skipped (Esc to close)")
            if self.traceless_logs:
                n = self.traceless_logs
                yield Static(f"{n:,} log record{'s' if n != 1 else ''} name{'s' if n == 1 else ''} no trace: "
                             "kept, not under any trace. Press l to list them.", markup=False, classes="problem")
            if not self.problems:
                yield Static("Everything was read without a problem.", markup=False)
            for p in self.problems:
                # Long lines wrap; text from the input is cleaned and never read as markup.
                yield Static(clean(str(p)), markup=False, classes="problem")

    def action_traceless_logs(self) -> None:
        tui_app(self.app).action_traceless_logs()
