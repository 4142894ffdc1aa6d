"""The query bar: the trace list's filter and the trace view's search (one widget, two uses).

A label, an input and a count on one line, the query's one-line error below it. What is typed is
parsed after a pause in typing (`delay`) and on Enter; a query that parses is posted as
`QueryBar.Applied` for the screen to apply; one that does not shows its error and posts nothing.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from tracetui.model.query import Query, QueryError, parse_query
from tracetui.render.text import clean
from tracetui.ui.theme import theme_style


class QueryBar(Vertical):
    """Hidden until `open()`. Its parts are named `{prefix}-bar`, `-label`, `-input`, `-count`, `-error`."""

    DEFAULT_CSS = """
    QueryBar { height: auto; }
    QueryBar .-hidden { display: none; }
    """

    class Applied(Message):
        """This text parsed: the screen applies `query` (empty text: a query matching everything).
        `submitted`: by Enter (else after a pause in typing, or by `clear`)."""

        def __init__(self, bar: QueryBar, query: Query, text: str, submitted: bool) -> None:
            super().__init__()
            self.bar = bar
            self.query = query
            self.text = text
            self.submitted = submitted

        @property
        def control(self) -> QueryBar:
            return self.bar

    def __init__(self, prefix: str, label: str, placeholder: str, delay: float, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.prefix = prefix
        self.label = label
        self.placeholder = placeholder
        self.delay = delay
        self._timer: Timer | None = None
        self._count_cells = -1

    def compose(self) -> ComposeResult:
        p = self.prefix
        with Horizontal(id=f"{p}-bar", classes="-hidden"):
            yield Static(self.label, id=f"{p}-label", markup=False)
            yield Input(placeholder=self.placeholder, id=f"{p}-input")
            yield Static("", id=f"{p}-count", markup=False)
        yield Static("", id=f"{p}-error", classes="-hidden", markup=False)

    # -- parts ---------------------------------------------------------------------------------
    @property
    def input(self) -> Input:
        return self.query_one(f"#{self.prefix}-input", Input)

    @property
    def is_open(self) -> bool:
        return not self.query_one(f"#{self.prefix}-bar").has_class("-hidden")

    def set_count(self, text: str | Text) -> None:
        # The count is as wide as its text: a layout only when that width changes (a layout
        # re-arranges and repaints the whole screen; the count changes with every batch loaded).
        cells = cell_len(text) if isinstance(text, str) else text.cell_len
        self.query_one(f"#{self.prefix}-count", Static).update(text, layout=cells != self._count_cells)
        self._count_cells = cells

    # -- opening and closing -------------------------------------------------------------------
    def open(self) -> None:
        """Show the bar and put the cursor in it."""
        self.query_one(f"#{self.prefix}-bar").remove_class("-hidden")
        self.screen.set_focus(self.input)  # now, not deferred: keys typed ahead go there

    def hide(self) -> None:
        """Hide the bar (its error line stays until the text parses)."""
        self.query_one(f"#{self.prefix}-bar").add_class("-hidden")

    def close(self) -> None:
        """Hide the bar and its error; forget a pending parse."""
        self.stop_timer()
        self.hide()
        self.query_one(f"#{self.prefix}-error").add_class("-hidden")

    def clear(self) -> None:
        """Empty the input and apply the empty query."""
        self.input.value = ""
        self._parse("", submitted=False)

    def apply_text(self, text: str) -> None:
        """Show the bar with `text` in it and apply it as if typed and submitted with Enter."""
        self.query_one(f"#{self.prefix}-bar").remove_class("-hidden")
        with self.input.prevent(Input.Changed):
            self.input.value = text
        self.stop_timer()
        self._parse(text, submitted=True)

    def stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    # -- typing --------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        # Apply as the user types, but not on every key of a fast typist on a big list or trace.
        self.stop_timer()
        value = event.value
        self._timer = self.set_timer(self.delay, lambda: self._parse(value, submitted=False))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.stop_timer()
        self._parse(event.value, submitted=True)

    def _parse(self, text: str, submitted: bool) -> None:
        error = self.query_one(f"#{self.prefix}-error", Static)
        try:
            query = parse_query(text)
        except QueryError as e:
            error.update(Text(f"✗ {clean(e, 200)}", style=theme_style(self.app, "text-error", bold=True)))
            error.remove_class("-hidden")
            return
        error.add_class("-hidden")
        self.post_message(self.Applied(self, query, text, submitted))
