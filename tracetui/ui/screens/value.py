"""A modal showing one value in full (a long attribute, a stack trace), read-only and selectable."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from tracetui.render.text import clean, clean_multiline


class ValueScreen(ModalScreen[None]):
    """The full value of one field. `y` copies it; Esc closes."""

    HELP_TITLE = "Full value"
    BINDINGS: list[BindingType] = [
        Binding("escape,q", "dismiss", "Close", id="value.close"),
        Binding("y", "copy", "Copy", id="value.copy"),
    ]
    DEFAULT_CSS = """
    ValueScreen { align: center middle; }
    ValueScreen > Vertical { width: 90%; height: 85%; border: round $accent; background: $surface; }
    ValueScreen #value-hint { height: 1; color: $text-muted; padding: 0 1; }
    ValueScreen TextArea { height: 1fr; border: none; }
    """

    def __init__(self, title: str, value: str) -> None:
        super().__init__()
        self.title_text = clean(title, 80)
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Content(self.title_text)  # plain: keys are never markup
            yield Static(f"{len(self.value):,} characters · y copies · Esc closes", id="value-hint",
                         markup=False)
            yield TextArea(clean_multiline(self.value), read_only=True, soft_wrap=True,
                           show_line_numbers=False)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.value)
        self.notify(f"copied {len(self.value):,} characters")
