"""The app's service colours (tracetui.viewmodels.colours): one table for every widget."""

from __future__ import annotations

from textual.app import App

from tracetui.viewmodels.colours import ServiceColours

_fallback = ServiceColours()


def colours_of(app: App) -> ServiceColours:
    """The session's colour table (an app without one, as in a widget test, shares a default)."""
    return getattr(app, "colours", _fallback)


def service_color(app: App, name: str) -> str:
    """The colour (hex) of a service in this app."""
    return colours_of(app).colour(name)
