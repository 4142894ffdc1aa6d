"""The running app, typed as `TraceTuiApp`: screens, widgets and command providers reach the
store, the index and the options through it (Textual types `node.app` as a plain `App`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import App

if TYPE_CHECKING:
    from tracetui.ui.app import TraceTuiApp


def tui_app(app: App[object]) -> TraceTuiApp:
    """`node.app` as the tracetui app. Every tracetui screen and widget runs inside one (the one
    place this is assumed)."""
    return cast("TraceTuiApp", app)
