"""The export dialog: the open trace or the listed traces to a file, in a format picked here.

Writes on the app's thread (the store is only read there, docs/architecture.md), through the
same writers as `tracetui export` (`render/export.py`)."""

from __future__ import annotations

import os

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet

from tracetui.model.trace import Trace
from tracetui.render.text import clean

FORMATS = {"otlp": ("OTLP JSON Lines (the Collector's file exporter)", "traces.jsonl"),
           "jaeger": ("Jaeger JSON (Jaeger UI's upload)", "traces-jaeger.json"),
           "zipkin": ("Zipkin v2 JSON", "traces-zipkin.json")}


class ExportDialog(ModalScreen[str | None]):
    """Pick a format (↑/↓ or click) and a file; Enter writes, Esc cancels."""

    BINDINGS: list[BindingType] = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical { width: 72; height: auto; border: round $accent; background: $panel; padding: 0 1; }
    ExportDialog Label { width: 100%; }
    ExportDialog #export-error { color: $text-error; }
    """

    def __init__(self, traces: list[Trace], what: str) -> None:
        super().__init__()
        self.traces = traces
        self.what = what
        self.fmt = "otlp"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Export {clean(self.what, 60)}", markup=False)
            with RadioSet(id="export-format"):
                for i, (key, (text, _)) in enumerate(FORMATS.items()):
                    yield RadioButton(text, value=i == 0, id=f"export-{key}")
            yield Label("File (Enter writes, Esc cancels):", markup=False)
            yield Input(FORMATS["otlp"][1], id="export-path")
            yield Label("", id="export-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        old_default = FORMATS[self.fmt][1]
        self.fmt = (event.pressed.id or "export-otlp").removeprefix("export-")
        path = self.query_one(Input)
        if path.value in ("", old_default):
            path.value = FORMATS[self.fmt][1]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = os.path.expanduser(event.value.strip())
        if not path:
            self._error("name a file")
            return
        from tracetui.render.export import write_traces

        tmp = f"{path}.tmp-{os.getpid()}"
        try:
            try:
                with open(tmp, "wb") as f:
                    n = write_traces(self.traces, self.fmt, f)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as e:
            self._error(f"{path}: cannot write: {e.strerror or e}")
            return
        t = len(self.traces)
        self.app.notify(clean(f"{path}: {t:,} trace{'s' if t != 1 else ''}, {n:,} spans written ({self.fmt})"),
                        markup=False)
        self.dismiss(path)

    def _error(self, text: str) -> None:
        self.query_one("#export-error", Label).update(clean(text))

    def action_cancel(self) -> None:
        self.dismiss(None)
