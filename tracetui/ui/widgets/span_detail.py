"""The span detail pane: every field of the selected span, one selectable entry per field.

Fields come from `tracetui.viewmodels.span_fields` (plain data); this widget only draws them. Long
values wrap (and are cut after MAX_SHOWN characters: `v` shows all); a stack trace keeps its
lines. Enter on a link follows it; Enter elsewhere (or `v`) opens the full value; `y` copies it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tracetui.render.text import clean, clean_multiline
from tracetui.ui.messages import FollowLink
from tracetui.ui.theme import theme_style
from tracetui.ui.widgets.option_list import StopAtEndsOptionList
from tracetui.viewmodels.span_fields import HEADING, LINK, TEXT, Field

MAX_SHOWN = 2000
MAX_LINES = 40
KEY_COLUMN_MAX = 32  # a longer key puts its value on the next line


class SpanDetail(StopAtEndsOptionList):
    """Shows `Field`s; posts `FollowLink` for links; the screen copies and opens values."""

    HELP_TITLE = "Span detail pane"
    BINDINGS: list[BindingType] = [
        Binding("k", "cursor_up", "Up", show=False, id="detail.up_vi"),
        Binding("j", "cursor_down", "Down", show=False, id="detail.down_vi"),
        Binding("g", "first", "First", show=False, id="detail.first_vi"),
        Binding("G", "last", "Last", show=False, id="detail.last_vi"),
    ]

    DEFAULT_CSS = """
    SpanDetail { border: none; padding: 0 1; background: $surface; }
    SpanDetail:focus { border: none; background-tint: $foreground 3%; }
    SpanDetail > .option-list--option-highlighted { text-style: none; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(markup=False, id=id, classes=classes)
        self.fields: list[Field] = []

    # -- content -------------------------------------------------------------------------------
    def show_fields(self, fields: Sequence[Field], title: str = "") -> None:
        keep = self.highlighted_field
        self.fields = list(fields)
        self.clear_options()
        self.add_options([self._option(i, f) for i, f in enumerate(self.fields)])
        self.border_title = Content(title)  # plain: a span name is never markup
        # Keep the same key selected when moving between spans (compare "http.status" quickly).
        index = 0
        if keep is not None:
            for i, f in enumerate(self.fields):
                if f.kind == keep.kind and f.key == keep.key and f.kind != HEADING:
                    index = i
                    break
        if self.fields:
            self.highlighted = index

    def clear_fields(self, message: str = "") -> None:
        self.fields = []
        self.clear_options()
        if message:
            self.add_option(Option(Text(message), disabled=True))

    @property
    def highlighted_field(self) -> Field | None:
        h = self.highlighted
        if h is None or not 0 <= h < len(self.fields):
            return None
        return self.fields[h]

    def _option(self, i: int, f: Field) -> Option:
        app = self.app
        key_style = theme_style(app, "text-accent", bold=True)
        muted = theme_style(app, "text-muted")
        looks = {
            "error": theme_style(app, "text-error", bold=True),
            "warning": theme_style(app, "text-warning", bold=True),
            "muted": muted,
            "strong": theme_style(app, "foreground", bold=True),
            "": theme_style(app, "foreground"),
        }
        value_style = looks.get(f.style, looks[""])
        indent = "  " * f.indent
        if f.kind == HEADING:
            return Option(Text(clean(f.value), style=theme_style(app, "text-primary", bold=True),
                               end=""), disabled=True)
        text = Text(indent, end="")
        if f.kind == TEXT:
            text.append_text(self._value_text(f, value_style))
            return Option(text, id=str(i))
        if f.kind == LINK:
            text.append("→ ", style=key_style)
            text.append(clean(f.value), style=value_style)
            if f.note:
                text.append(f"  ({clean(f.note)})", style=muted)
            return Option(text, id=str(i))
        text.append(clean(f.key), style=key_style)
        text.append(": ", style=muted)
        if f.multiline:
            # A block (stack trace) under its key, indented as a whole: wrapped lines keep the margin.
            if f.note:
                text.append(f"({clean(f.note)})", style=muted)
            text.end = "\n"
            block = Padding(self._value_text(f, value_style), (0, 0, 0, 2 * (f.indent + 1)))
            return Option(Group(text, block), id=str(i))
        value = self._value_text(f, value_style)
        if f.note:
            value.append(f"{'  ' if f.value else ''}({clean(f.note)})", style=muted)
        if text.cell_len > KEY_COLUMN_MAX:
            # A very long key: on its own line, the value under it, indented as a whole.
            text.end = "\n"
            return Option(Group(text, Padding(value, (0, 0, 0, 2 * (f.indent + 1)))), id=str(i))
        # Key and value in two columns: a value that wraps goes on under itself, never under
        # the key, so its lines do not read as separate entries.
        grid = Table.grid(expand=True)
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        grid.add_row(text, value)
        return Option(grid, id=str(i))

    @staticmethod
    def _value_text(f: Field, style) -> Text:
        value = f.value
        cut = ""
        if len(value) > MAX_SHOWN:
            cut = f" … ({len(value):,} characters: v shows all)"
            value = value[:MAX_SHOWN]
        if f.multiline:
            lines = clean_multiline(value).split("\n")
            if len(lines) > MAX_LINES:
                cut = cut or f"\n… ({len(lines) - MAX_LINES} more lines: v shows all)"
                lines = lines[:MAX_LINES]
            out = Text("\n".join(lines), style=style)
        else:
            out = Text(clean(value), style=style)
        if cut:
            out.append(cut, style="italic")
        return out

    # -- actions -------------------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        f = self.highlighted_field
        if f is None:
            return
        if f.kind == LINK and f.target is not None:
            self.post_message(FollowLink(*f.target))
        else:
            self.screen.run_action("view_value")  # the screen owns the full-value modal
