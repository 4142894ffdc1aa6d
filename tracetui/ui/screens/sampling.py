"""The sampling preview panel: edit a tail-sampling policy, see what it keeps and loses."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, Static

from tracetui.ui.typed_app import tui_app
from tracetui.viewmodels.sampling import PolicyText, SamplingPanelModel

EDIT_DELAY = 0.25  # recomputed after a pause in typing


class SamplingScreen(ModalScreen[None]):
    """Keep errors / slower than / rate; the preview below follows every edit. Esc closes."""

    HELP_TITLE = "Sampling preview"
    BINDINGS: list[BindingType] = [
        Binding("escape", "dismiss", "Close", id="sampling.close"),
    ]
    DEFAULT_CSS = """
    SamplingScreen { align: center middle; }
    SamplingScreen > Vertical { width: 90%; height: 85%; border: round $accent; background: $surface; padding: 0 1; }
    SamplingScreen Horizontal { height: auto; }
    SamplingScreen Label { padding: 1 1 0 0; }
    SamplingScreen #sampling-slower { width: 1fr; }
    SamplingScreen #sampling-rate { width: 14; }
    SamplingScreen #sampling-result { height: 1fr; padding-top: 1; }
    SamplingScreen #sampling-hint { height: 1; color: $text-muted; }
    """

    def __init__(self, policy: PolicyText | None = None) -> None:
        super().__init__()
        self.policy = policy or PolicyText()
        self._timer: Timer | None = None
        self.model: SamplingPanelModel | None = None

    def compose(self) -> ComposeResult:
        p = self.policy
        with Vertical() as box:
            box.border_title = Content("Sampling preview")
            yield Static("Which loaded traces a tail-sampling policy keeps; the rate picks by trace id as the "
                         "Collector's probabilistic sampler does. Esc closes.", id="sampling-hint", markup=False)
            with Horizontal():
                yield Checkbox("keep errors", p.keep_errors, id="sampling-errors")
                yield Label("slower than")
                yield Input(p.slower_than, placeholder="500ms, GET /checkout=200ms", id="sampling-slower")
                yield Label("rate")
                yield Input(p.rate, placeholder="5%", id="sampling-rate")
            yield Static("", id="sampling-result", markup=False)

    def on_mount(self) -> None:
        self.model = SamplingPanelModel(tui_app(self.app).store)
        self.recompute()
        self.query_one("#sampling-slower", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(EDIT_DELAY, self.recompute)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.recompute()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.recompute()

    def recompute(self) -> None:
        self._timer = None
        self.policy = PolicyText(
            keep_errors=self.query_one("#sampling-errors", Checkbox).value,
            slower_than=self.query_one("#sampling-slower", Input).value,
            rate=self.query_one("#sampling-rate", Input).value,
        )
        assert self.model is not None
        lines = self.model.update(self.policy)
        self.query_one("#sampling-result", Static).update("\n".join(lines))  # cleaned text, markup off
