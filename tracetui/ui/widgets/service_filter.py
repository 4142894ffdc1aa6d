"""The service filter panel: each service with its colour and span count; hide, dim, or show only one.

Space (or Enter) hides/shows the highlighted service, `d` dims/undims it, `o` shows only it, `a`
shows all. The panel posts `ServiceVisibilityChanged`; the screen tells the waterfall.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tracetui.render.text import clean
from tracetui.ui.messages import ServiceVisibilityChanged
from tracetui.ui.theme import theme_style
from tracetui.ui.widgets.option_list import StopAtEndsOptionList


class ServiceFilter(StopAtEndsOptionList):
    """One line per service: `■ name  count  state`."""

    HELP_TITLE = "Service filter panel"
    BINDINGS: list[BindingType] = [
        Binding("space", "toggle_hidden", "Hide", id="services.toggle"),
        Binding("d", "toggle_dimmed", "Dim", id="services.dim"),
        Binding("o", "only", "Only", id="services.only"),
        Binding("a", "show_all", "All", id="services.all"),
        Binding("k", "cursor_up", "Up", show=False, id="services.up_vi"),
        Binding("j", "cursor_down", "Down", show=False, id="services.down_vi"),
    ]

    DEFAULT_CSS = """
    ServiceFilter { border: none; padding: 0 1; background: $surface; }
    ServiceFilter:focus { border: none; background-tint: $foreground 3%; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(markup=False, id=id, classes=classes)
        self.services: list[tuple[str, int]] = []
        self.hidden: set[str] = set()
        self.dimmed: set[str] = set()

    def set_services(self, services: Sequence[tuple[str, int]]) -> None:
        """(service, span count) pairs; keeps hidden/dimmed choices for services still present."""
        keep = self.highlighted
        self.services = list(services)
        names = {n for n, _ in self.services}
        self.hidden &= names
        self.dimmed &= names
        self.clear_options()
        self.add_options([Option(self._prompt(n, c), id=f"s{i}") for i, (n, c) in enumerate(self.services)])
        if self.services:
            self.highlighted = min(keep or 0, len(self.services) - 1)

    def _prompt(self, name: str, count: int) -> Text:
        from tracetui.ui.palette import service_color

        text = Text(no_wrap=True, overflow="ellipsis", end="")
        hidden, dimmed = name in self.hidden, name in self.dimmed
        swatch = "□" if hidden else "■"
        text.append(f"{swatch} ", style=service_color(self.app, name))
        label_style = theme_style(self.app, "text-muted") if hidden or dimmed else ""
        text.append(clean(name, 40), style=label_style)
        text.append(f"  {count:,}", style=theme_style(self.app, "text-muted"))
        if hidden:
            text.append("  hidden", style=theme_style(self.app, "text-warning", bold=True))
        elif dimmed:
            text.append("  dimmed", style=theme_style(self.app, "text-muted", italic=True))
        return text

    @property
    def highlighted_service(self) -> str | None:
        h = self.highlighted
        return self.services[h][0] if h is not None and 0 <= h < len(self.services) else None

    def _changed(self) -> None:
        for i, (n, c) in enumerate(self.services):
            self.replace_option_prompt_at_index(i, self._prompt(n, c))
        self.post_message(ServiceVisibilityChanged(frozenset(self.hidden), frozenset(self.dimmed)))

    def action_toggle_hidden(self) -> None:
        name = self.highlighted_service
        if name is None:
            return
        self.hidden ^= {name}
        self.dimmed.discard(name)
        self._changed()

    def action_toggle_dimmed(self) -> None:
        name = self.highlighted_service
        if name is None:
            return
        self.dimmed ^= {name}
        self.hidden.discard(name)
        self._changed()

    def action_only(self) -> None:
        name = self.highlighted_service
        if name is None:
            return
        self.hidden = {n for n, _ in self.services if n != name}
        self.dimmed.clear()
        self._changed()

    def action_show_all(self) -> None:
        self.hidden.clear()
        self.dimmed.clear()
        self._changed()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_toggle_hidden()
