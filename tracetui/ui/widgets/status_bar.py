"""The status bar: loading progress, counts, and problems met while reading."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from tracetui.render.text import clean
from tracetui.render.units import count
from tracetui.ui.status import Status
from tracetui.ui.theme import theme_style
from tracetui.ui.typed_app import tui_app


class StatusBar(Horizontal):
    """Reads `app.status` (`tracetui.ui.status.Status`) and shows it on one line."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text-muted; }
    StatusBar > #status-text { width: 1fr; height: 1; padding: 0 1; }
    StatusBar > ProgressBar { width: 34; height: 1; }
    StatusBar > ProgressBar.-hidden { display: none; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="status-text", markup=False)
        # The percentage goes into the text, and only when it is known: never "--%".
        yield ProgressBar(total=None, show_eta=False, show_percentage=False, classes="-hidden")

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._show, init=True)
        self.watch(self.app, "theme", lambda: self._show(tui_app(self.app).status), init=False)

    def _show(self, status: Status) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if status.loading:
            done = f" {status.fraction:.0%}" if status.fraction is not None else ""
            text.append(f"loading…{done} ", style="bold")
        text.append(f"{count(status.traces, 'trace')} · {count(status.spans, 'span')}")
        if status.indexing is not None:
            text.append(f" · indexing for the filter {status.indexing:.0%}")
        if status.logs:
            text.append(f" · {count(status.logs, 'log record')}")
            if status.traceless_logs:
                text.append(f" ({status.traceless_logs:,} of no trace: ! then l)")
        if status.note:
            text.append(" · ")
            text.append(clean(status.note, 120))
        if status.evicted_traces:
            text.append(f" · {status.evicted_traces:,} old traces dropped (retention)")
        if status.duplicate_spans:
            text.append(f" · {status.duplicate_spans:,} repeated spans counted once")
        if status.failure:
            text.append(" · ")
            text.append(clean(status.failure, 120), style=theme_style(self.app, "text-error", bold=True))
        if status.problems:
            what = f"{status.problems:,} problem{'s' if status.problems != 1 else ''}"
            if status.skipped:
                what += f", {status.skipped:,} span{'s' if status.skipped != 1 else ''} skipped"
            text.append(" · ")
            text.append(f"⚠ {what} — press ! to see them", style=theme_style(self.app, "text-warning", bold=True))
        if status.live:  # notes at the end, e.g. browsing a backend: the search and the follow state
            text.append(" · ")
            text.append(clean(status.live, 100), style=theme_style(self.app, "text-accent"))
        self.query_one("#status-text", Static).update(text, layout=False)  # one line, its width fixed
        bar = self.query_one(ProgressBar)
        bar.set_class(not status.loading, "-hidden")
        if status.loading:
            if status.fraction is None:
                bar.update(total=None)
            else:
                bar.update(total=100, progress=round(status.fraction * 100))
