"""Help: every key, generated from the bindings of the app, the screen and its widgets."""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tracetui.ui.app import TraceTuiApp
from tracetui.ui.feeders.base import FeederBase


def _own_bindings(cls: type) -> list[Binding]:
    """Bindings declared by tracetui classes in `cls`'s hierarchy (not Textual's own plumbing)."""
    out: list[Binding] = []
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("tracetui"):
            continue
        declared = klass.__dict__.get("BINDINGS")
        if declared:
            out.extend(Binding.make_bindings(declared))
    return out


def help_title(cls: type) -> str:
    """A section's title: the class's HELP_TITLE, else its name in words ("Trace table")."""
    title = cls.__dict__.get("HELP_TITLE") or getattr(cls, "HELP_TITLE", None)
    if title:
        return title
    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", cls.__name__)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else cls.__name__


def all_binding_ids() -> set[str]:
    """Every binding id of the app, its screens, widgets and feeders (what `[keys]` may remap)."""
    import tracetui.ui.feeders.backend
    import tracetui.ui.feeders.files
    import tracetui.ui.feeders.live
    import tracetui.ui.screens.problems
    import tracetui.ui.screens.search
    import tracetui.ui.screens.trace_list
    import tracetui.ui.screens.trace_view
    import tracetui.ui.screens.value  # noqa: F401  (their classes declare the bindings)

    ids: set[str] = set()
    seen: set[type] = set()
    todo: list[type] = [DOMNode, FeederBase]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    for cls in seen:
        if cls.__module__.startswith("tracetui"):
            ids.update(b.id for b in _own_bindings(cls) if b.id)
    return ids


def binding_sections(app: App, screen: Screen) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section title, [(keys, description)])]: the app's keys, the screen's, then each widget's.

    Keys bound to the same action with the same description are merged: "j, ↓"; the description
    ends with the binding id in brackets, the name a `[keys]` table in config.toml remaps.
    """
    nodes: list[DOMNode] = [app, screen]
    seen_classes: set[type] = set()
    for widget in screen.query("*"):
        if type(widget) not in seen_classes and type(widget).__module__.startswith("tracetui"):
            seen_classes.add(type(widget))
            nodes.append(widget)
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for node in nodes:
        merged: dict[tuple[str, str], list[str]] = {}
        ids: dict[tuple[str, str], str] = {}  # the first binding id: what `[keys]` remaps
        bindings = _own_bindings(type(node))
        if isinstance(node, TraceTuiApp):
            bindings += node.feeder_bindings  # the keys of the feeders plugged in (files, live, backend)
        for b in bindings:
            if b.system:
                continue
            text = b.description or b.action
            if b.tooltip:  # the footer's short word, and the full meaning here
                text = f"{text} — {b.tooltip}"
            keys = merged.setdefault((b.action, text), [])
            shown = app.get_key_display(b)
            if shown not in keys:
                keys.append(shown)
            if b.id:
                ids.setdefault((b.action, text), b.id)
        if not merged:
            continue
        title = help_title(type(node))
        rows = []
        for (action, d), k in merged.items():
            binding_id = ids.get((action, d))
            rows.append((", ".join(k), f"{d}  [{binding_id}]" if binding_id else d))
        sections.append((title, rows))
    palette = (app.get_key_display(Binding(app.COMMAND_PALETTE_BINDING, "")),
               "Command palette (open a trace by id, sort, theme…)")
    if sections and sections[0][0] == getattr(app, "HELP_TITLE", None):
        sections[0][1].append(palette)
    else:
        sections.insert(0, ("Everywhere", [palette]))
    return sections


class HelpScreen(ModalScreen[None]):
    """Every key, in sections. Esc, q or ? close it."""

    HELP_TITLE = "Help"
    BINDINGS: list[BindingType] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-width: 95%; height: 90%; border: round $accent; background: $surface;
        padding: 0 1;
    }
    """

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for title, rows in binding_sections(self.app, self._under):
            table.add_row(Text(title, style="underline"), Text(""))
            for keys, desc in rows:
                table.add_row(Text(keys), Text(desc))
            table.add_row(Text(""), Text(""))
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys (Esc to close)"
            yield Static(table)
