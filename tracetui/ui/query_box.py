"""Parsing what was typed in a filter or search box, with its error shown beside it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tracetui.model.query import Query, QueryError, parse_query
from tracetui.render.text import clean
from tracetui.ui.theme import theme_style


def parse_into(text: str, error_label: Static) -> Query | None:
    """The query, or None after showing its one-line error in `error_label` (hidden when fine)."""
    try:
        query = parse_query(text)
    except QueryError as e:
        error_label.update(Text(f"✗ {clean(e, 200)}", style=theme_style(error_label.app, "text-error", bold=True)))
        error_label.remove_class("-hidden")
        return None
    error_label.add_class("-hidden")
    return query
