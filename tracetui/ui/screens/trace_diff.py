"""Two traces side by side: the union of their call trees, what changed open, the rest folded."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from tracetui.analysis.trace_diff import diff_traces
from tracetui.model.trace import Trace
from tracetui.render.text import clean
from tracetui.render.units import fmt_duration
from tracetui.ui.screens.base import TraceTuiScreen
from tracetui.ui.theme import theme_style
from tracetui.ui.widgets.diff_tree import DiffTreeView
from tracetui.viewmodels.diff_tree import DiffTreeModel


class TraceDiffScreen(TraceTuiScreen):
    """Trace A (marked in the list) against trace B. `s` swaps them; Esc goes back."""

    HELP_TITLE = "Diff of two traces"
    AUTO_FOCUS = "#diff-tree"
    BINDINGS: list[BindingType] = [
        Binding("escape", "app.pop_screen", "Back", id="diff.back"),
        Binding("s", "swap", "Swap A/B", id="diff.swap"),
    ]

    def __init__(self, a: Trace, b: Trace) -> None:
        super().__init__()
        self.a, self.b = a, b
        self.model = DiffTreeModel(diff_traces(a, b))

    def compose(self) -> ComposeResult:
        yield Static("", id="diff-title", markup=False)
        yield DiffTreeView(self.model, id="diff-tree")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._update_title()

    def _update_title(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        accent = theme_style(self.app, "text-accent", bold=True)
        for label, t in (("A", self.a), ("B", self.b)):
            root = t.root
            name = f"{root.resource.service}: {root.name}" if root is not None else "?"
            text.append(f"{label} ", style=accent)
            text.append(f"{clean(t.trace_id[:16])} {clean(name, 40)} {fmt_duration(t.duration_ns)}")
            text.append("   " if label == "A" else "")
        changed = sum(1 for n in self.model.diff.nodes if n.changed)
        text.append(f"\n{len(self.model.diff.nodes):,} call paths, {changed:,} changed or above a change; "
                    "unchanged subtrees folded (space opens)", style=theme_style(self.app, "text-muted"))
        self.query_one("#diff-title", Static).update(text)

    def action_swap(self) -> None:
        self.a, self.b = self.b, self.a
        self.model = DiffTreeModel(diff_traces(self.a, self.b))
        view = self.query_one(DiffTreeView)
        view.model = self.model
        view.invalidate_rows()
        view.move_cursor(0)
        self._update_title()
