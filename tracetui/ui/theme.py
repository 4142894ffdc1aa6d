"""Rich styles from the current Textual theme, for text built in Python (never fixed colours)."""

from __future__ import annotations

from rich.style import Style
from textual.app import App

_cache: dict[tuple[str, str, bool, bool], Style] = {}


def theme_style(app: App, variable: str, *, bold: bool = False, italic: bool = False) -> Style:
    """A style whose colour is the theme's CSS variable (`error`, `warning`, `accent`, `text-muted`…)."""
    key = (app.theme, variable, bold, italic)
    style = _cache.get(key)
    if style is None:
        value = app.get_css_variables().get(variable)
        if value and value.startswith("auto"):  # "auto 60%": a contrast colour; dim reads the same
            _cache[key] = style = Style(dim=True, bold=bold or None, italic=italic or None)
            return style
        try:
            style = Style(color=value, bold=bold or None, italic=italic or None) if value else Style(bold=bold)
        except Exception:  # a colour Rich cannot parse (e.g. with alpha): keep the text readable
            style = Style(bold=bold or None, italic=italic or None)
        _cache[key] = style
    return style
