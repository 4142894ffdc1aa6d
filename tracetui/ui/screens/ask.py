"""Two small modals that return a value: pick one of a list, or type one line."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tracetui.render.text import clean

_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 80%; max-width: 100; height: auto; max-height: 80%; border: round $accent;
                    background: $surface; padding: 0 1; }}
{name} .ask-hint {{ height: auto; color: $text-muted; }}
{name} .ask-error {{ height: auto; color: $error; }}
{name} OptionList {{ height: auto; max-height: 20; border: none; }}
"""


class PickScreen(ModalScreen[str | None]):
    """One of `choices` ((value, label) pairs; the labels are data and are cleaned); Esc: None."""

    HELP_TITLE = "Pick one"
    BINDINGS: list[BindingType] = [Binding("escape", "dismiss(None)", "Close", id="pick.close")]
    DEFAULT_CSS = _CSS.format(name="PickScreen")

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Content(self.title_text)
            yield Static("Enter picks · Esc closes", classes="ask-hint", markup=False)
            yield OptionList(*(Option(Content(clean(label, 200)), id=str(k)) for k, (_, label) in
                               enumerate(self.choices)))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [v for v, _ in self.choices]
        if self.current in values:
            options.highlighted = values.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)][0])


class AskScreen(ModalScreen[str | None]):
    """One line of text, checked by `check` (which returns an error message, or "" when fine)."""

    HELP_TITLE = "Type a value"
    BINDINGS: list[BindingType] = [Binding("escape", "dismiss(None)", "Close", id="ask.close")]
    DEFAULT_CSS = _CSS.format(name="AskScreen")

    def __init__(self, title: str, hint: str, value: str = "", check: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.value = value
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Content(self.title_text)
            yield Static(self.hint, classes="ask-hint", markup=False)
            yield Input(self.value, id="ask-input")
            yield Static("", classes="ask-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.check(event.value) if self.check is not None else ""
        if error:
            self.query_one(".ask-error", Static).update(clean(error))
            return
        self.dismiss(event.value)
