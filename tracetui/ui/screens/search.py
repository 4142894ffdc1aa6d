"""The backend search form: a modal that returns the `SearchParams` to run (or None).

Service and operation are picked from the backend's own lists (fetched in a thread worker, so a
slow backend never freezes the form); tags are `key=value` words; durations like `200ms`; the
time range is the last 15m/1h/6h/24h or absolute times; Tempo adds a raw TraceQL box.
Nothing here runs the search: the caller does, with the value this screen dismisses with.
"""

from __future__ import annotations

import shlex

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static

from tracetui.render.text import clean
from tracetui.sources.backends import Backend
from tracetui.sources.backends.params import ParamError, SearchParams, build_params, go_duration, rfc3339

RANGES = (("last 15m", "15m"), ("last 1h", "1h"), ("last 6h", "6h"), ("last 24h", "24h"),
          ("absolute", "absolute"))


def _range_of(params: SearchParams) -> str:
    """The time-range choice for these params: a preset, "absolute", or the params' own `since`."""
    if params.start_ns is not None or params.end_ns is not None:
        return "absolute"
    return go_duration(params.since_ns)


def _ranges(current: str) -> list[tuple[str, str]]:
    """The presets, plus the current relative range when it is not one (e.g. `--since 30m`)."""
    presets = [v for _, v in RANGES]
    extra = [] if current in presets or current == "absolute" else [(f"last {current}", current)]
    return [*RANGES[:-1], *extra, RANGES[-1]]


def _option(text: str) -> tuple[Text, str]:
    """A Select option whose label is shown literally (names come from other programs)."""
    return Text(clean(text), no_wrap=True, overflow="ellipsis"), text


class SearchScreen(ModalScreen[SearchParams | None]):
    """Edit a backend search. Enter (in any box) or the Search button runs it; Esc cancels."""

    HELP_TITLE = "Backend search"

    DEFAULT_CSS = """
    SearchScreen { align: center middle; }
    SearchScreen > #search-dialog {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    SearchScreen #search-title { text-style: bold; width: 1fr; margin: 1 0; }
    SearchScreen .row { height: auto; margin-bottom: 1; }
    SearchScreen .row > Label { width: 12; }
    SearchScreen .row > Input, SearchScreen .row > Select { width: 1fr; margin-right: 1; }
    SearchScreen #search-error { color: $error; height: auto; }
    SearchScreen #search-hint { color: $text-muted; height: auto; }
    SearchScreen #search-buttons { height: auto; align-horizontal: right; }
    SearchScreen #search-buttons > Button { margin-left: 1; }
    SearchScreen .-hidden { display: none; }
    """

    BINDINGS: list[BindingType] = [
        Binding("escape", "cancel", "Cancel", id="search.cancel"),
        Binding("ctrl+s", "submit", "Search", id="search.submit"),
    ]

    def __init__(self, backend: Backend, params: SearchParams) -> None:
        super().__init__()
        self.backend = backend
        self.params = params
        self.is_tempo = backend.kind == "tempo"

    def compose(self) -> ComposeResult:
        p = self.params
        rng = _range_of(p)
        start, end = p.window()
        with Vertical(id="search-dialog"):
            yield Static(Text(f"Search {self.backend.label}"), id="search-title")
            with Horizontal(classes="row"):
                yield Label("Service")
                yield Select([_option(p.service)] if p.service else [], prompt="(loading services…)",
                             value=p.service or Select.NULL, id="service", compact=True)
            with Horizontal(classes="row"):
                yield Label("Operation")
                yield Select([_option(p.operation)] if p.operation else [], prompt="any operation",
                             value=p.operation or Select.NULL, id="operation", compact=True)
            with Horizontal(classes="row"):
                yield Label("Tags")
                yield Input(" ".join(shlex.quote(f"{k}={v}") if v else k for k, v in p.tags),
                            placeholder="key=value key2=value2 (all must match one span)", id="tags", compact=True)
            with Horizontal(classes="row"):
                yield Label("Duration")
                yield Input(go_duration(p.min_duration_ns) if p.min_duration_ns is not None else "",
                            placeholder="min, e.g. 200ms", id="min-duration", compact=True)
                yield Input(go_duration(p.max_duration_ns) if p.max_duration_ns is not None else "",
                            placeholder="max, e.g. 2s", id="max-duration", compact=True)
            with Horizontal(classes="row"):
                yield Label("Time")
                yield Select(_ranges(rng), value=rng, allow_blank=False, id="range", compact=True)
                yield Input(str(p.limit), placeholder="limit", type="integer", id="limit", compact=True)
            with Horizontal(classes="row" + ("" if rng == "absolute" else " -hidden"), id="absolute"):
                yield Label("From / to")
                yield Input(rfc3339(start), placeholder="2026-11-25T01:00:00Z", id="start", compact=True)
                yield Input(rfc3339(end), placeholder="2026-11-25T02:00:00Z", id="end", compact=True)
            if self.is_tempo:
                with Horizontal(classes="row"):
                    yield Label("TraceQL")
                    yield Input(p.query or "", placeholder='{ resource.service.name = "checkout" && status = error }',
                                id="traceql", compact=True)
            yield Static("Enter in a box or ctrl+s: search · Esc: cancel · Enter on a list opens it",
                         id="search-hint", markup=False)
            yield Static("", id="search-error", markup=False)
            with Horizontal(id="search-buttons"):
                yield Button("Search", variant="primary", id="go")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#service", Select).focus()
        self._load_services()
        self._load_tag_names()
        if self.params.service:
            self._load_operations(self.params.service)

    # -- the backend's lists, fetched off the UI thread ------------------------------------------
    @work(thread=True, group="search-services", exit_on_error=False)
    def _load_services(self) -> None:
        try:
            services = self.backend.services()
        except Exception as e:  # a BackendError, one line
            self.app.call_from_thread(self._show_error, f"services: {e}")
            services = []
        prompt = "choose a service" if self.backend.needs_service else "any service"
        self.app.call_from_thread(self._set_options, "#service", services, prompt)

    @work(thread=True, exclusive=True, group="search-operations", exit_on_error=False)
    def _load_operations(self, service: str) -> None:
        try:
            ops = self.backend.operations(service)
        except Exception as e:
            self.app.call_from_thread(self._show_error, f"operations: {e}")
            ops = []
        self.app.call_from_thread(self._set_options, "#operation", ops, "any operation")

    @work(thread=True, group="search-tags", exit_on_error=False)
    def _load_tag_names(self) -> None:
        try:
            names = self.backend.tag_names()
        except Exception:  # only suggestions: a backend without tag lists is fine
            return
        if names:
            self.app.call_from_thread(self._set_tag_suggestions, names)

    def _set_options(self, selector: str, values: list[str], prompt: str) -> None:
        if not self.is_mounted:
            return
        select = self.query_one(selector, Select)
        current = select.value
        select.set_options([_option(v) for v in values])
        select.prompt = prompt
        if current in values:
            select.value = current

    def _set_tag_suggestions(self, names: list[str]) -> None:
        if self.is_mounted:
            self.query_one("#tags", Input).suggester = SuggestFromList([f"{n}=" for n in names],
                                                                       case_sensitive=False)

    def _show_error(self, text: str) -> None:
        if self.is_mounted:
            self.query_one("#search-error", Static).update(Text(clean(text)))

    # -- events ------------------------------------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "service":
            ops = self.query_one("#operation", Select)
            ops.set_options([])
            if isinstance(event.value, str):
                ops.prompt = "any operation (loading…)"
                self._load_operations(event.value)
        elif event.select.id == "range":
            self.query_one("#absolute").set_class(event.value != "absolute", "-hidden")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "go":
            self.action_submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        try:
            params = self.read_params()
        except ParamError as e:
            self._show_error(str(e))
            return
        if self.backend.needs_service and not params.service:
            self._show_error("choose a service: a Jaeger search needs one")
            self.query_one("#service", Select).focus()
            return
        self.dismiss(params)

    def read_params(self) -> SearchParams:
        """The form as SearchParams; raises ParamError (one line) for what does not parse."""

        def text(selector: str) -> str:
            return self.query_one(selector, Input).value.strip()

        def chosen(selector: str) -> str | None:
            v = self.query_one(selector, Select).value
            return v if isinstance(v, str) else None

        try:
            tags = tuple(shlex.split(text("#tags")))
        except ValueError as e:
            raise ParamError(f"tags: {e}") from None
        rng = self.query_one("#range", Select).value
        limit = text("#limit")
        query = text("#traceql") if self.is_tempo else ""
        return build_params(
            service=None if query else chosen("#service"),
            operation=None if query else chosen("#operation"),
            tags=() if query else tags,
            min_duration=text("#min-duration") or None, max_duration=text("#max-duration") or None,
            since=None if rng == "absolute" else str(rng),
            start=text("#start") if rng == "absolute" else None,
            end=text("#end") if rng == "absolute" else None,
            limit=int(limit) if limit.isdigit() else None, query=query or None)
