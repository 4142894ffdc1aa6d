"""A new source of spans is one small feeder plugged into the one app (tracetui/ui/feeders/).

`TickerFeeder` below is the whole of such a feeder: it sends spans from a thread, has a note in
the status bar and two keys whose visibility depends on its state (through `check_action`).
"""

from __future__ import annotations

import inspect
import pkgutil
import threading
from importlib import import_module

import orjson
from otlp_sample import TRACE_A, _resource, _span
from textual.app import App
from textual.binding import Binding, BindingType
from ui_helpers import SIZE, sample_app, screen_text

import tracetui.ui
from tracetui.loaders import read_bytes
from tracetui.model import TraceStore
from tracetui.ui.app import TraceTuiApp, make_app
from tracetui.ui.feeders.base import Feeder, FeederBase
from tracetui.ui.screens.help import HelpScreen
from tracetui.ui.widgets.trace_table import TraceTable


def _spans(i: int) -> list:
    doc = orjson.dumps({"resourceSpans": [_resource("ticker", [_span(f"{i:032x}", f"{i:016x}", "", f"tick-{i}",
                                                                      i * 1000, i * 1000 + 5)])]})
    return [s for b in read_bytes(doc, "ticker") for s in b.spans]


class TickerFeeder(FeederBase):
    """Sends one trace per `tick()` from a thread; `P` pauses, `U` resumes (only one is shown)."""

    NAME = "ticker"
    BINDINGS: list[BindingType] = [
        Binding("P", "pause", "Pause ticks", id="ticker.pause"),
        Binding("U", "resume", "Resume ticks", id="ticker.resume"),
    ]

    def __init__(self) -> None:
        self.paused = False
        self.sent = 0
        self.stopped = False

    def tick(self) -> None:
        """Send the next trace from another thread, as a receiver or poller would (the thread
        waits for the app's thread to have added it)."""
        self.sent += 1
        spans = _spans(self.sent)
        threading.Thread(target=self.app.call_from_thread, args=(self._add, spans)).start()

    def _add(self, spans: list) -> None:  # on the app's thread: the store changes here only
        self.app.spans_added(self.app.store.add(spans), mark_new=True)

    def status_note(self) -> str:
        return f"ticker: {self.sent} sent" + (" (paused)" if self.paused else "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.paused if action == "resume" else not self.paused

    def action_pause(self) -> None:
        self.paused = True
        self.app.refresh_status()
        self.app.refresh_bindings()

    def action_resume(self) -> None:
        self.paused = False
        self.app.refresh_status()
        self.app.refresh_bindings()

    async def stop(self) -> None:
        self.stopped = True


def _footer(app: App) -> str:
    return screen_text(app).splitlines()[-1]


async def test_a_feeder_plugged_in_with_make_app_feeds_the_list_and_shows_its_note():
    ticker = TickerFeeder()
    app = make_app(TraceStore(), feeders=[ticker], utc=True)
    assert isinstance(ticker, Feeder)
    async with app.run_test(size=SIZE) as pilot:
        assert app.feeder(TickerFeeder) is ticker
        assert "0 traces · 0 spans · ticker: 0 sent" in screen_text(app)
        for _ in range(3):
            ticker.tick()
        for _ in range(100):
            await pilot.pause(0.02)
            if len(app.index.rows) == 3:
                break
        await pilot.pause()
        text = screen_text(app)
        assert "3 traces · 3 spans · ticker: 3 sent" in text
        assert "tick-3" in text and "tick-1" in text
        assert app.screen.query_one(TraceTable).new_ids == {f"{i:032x}" for i in (1, 2, 3)}
    assert ticker.stopped  # stopped when the app closed


async def test_a_feeders_keys_show_in_the_footer_by_its_check_action_and_run_its_actions():
    ticker = TickerFeeder()
    app = make_app(TraceStore(), feeders=[ticker])
    async with app.run_test(size=(160, 24)) as pilot:
        await pilot.pause()
        footer = _footer(app)
        assert "Pause ticks" in footer and "Resume ticks" not in footer
        await pilot.press("U")  # hidden: not run
        assert not ticker.paused
        await pilot.press("P")
        assert ticker.paused
        await pilot.pause()
        footer = _footer(app)
        assert "Resume ticks" in footer and "Pause ticks" not in footer
        assert "ticker: 0 sent (paused)" in screen_text(app)
        await pilot.press("U")
        assert not ticker.paused


async def test_help_lists_a_feeders_keys_with_the_apps():
    app = make_app(TraceStore(), feeders=[TickerFeeder()])
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Quit" in text and "Pause ticks" in text and "Resume ticks" in text


async def test_a_feeders_note_is_plain_text_not_markup():
    class Noisy(FeederBase):
        NAME = "noisy"

        def status_note(self) -> str:
            return "listening on 127.0.0.1:4318 · [b]2,300[/b] spans/s"

    app = sample_app(feeders=[Noisy()])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "4 traces · 9 spans · listening on 127.0.0.1:4318 · [b]2,300[/b] spans/s" in screen_text(app)


async def test_spans_that_arrive_while_a_trace_opens_are_in_its_view():
    """A backend re-fetches a trace as it opens; spans may land before the view is mounted."""
    app = sample_app()
    async with app.run_test(size=SIZE) as pilot:
        late = orjson.dumps({"resourceSpans": [_resource("checkout", [
            _span(TRACE_A, "a0000000000000ff", "a000000000000002", "late span", 20, 40)])]})
        app.open_trace(TRACE_A)  # pushed, not yet mounted
        ids = app.store.add([s for b in read_bytes(late, "late") for s in b.spans])
        app.spans_added(ids, mark_new=False)
        await pilot.pause()
        await pilot.pause()
        assert "late span" in screen_text(app)
        assert len(app.screen.waterfall.row_view) == len(app.store.get(TRACE_A).spans)


def test_two_feeders_with_one_name_are_refused():
    try:
        make_app(TraceStore(), feeders=[TickerFeeder(), TickerFeeder()])
    except ValueError as e:
        assert "same name" in str(e)
    else:
        raise AssertionError("accepted two feeders named alike")


def test_there_is_one_app_class():
    """Files, live receiving and backends are feeders of one app, not subclasses of it."""
    apps = set()
    for mod in pkgutil.walk_packages(tracetui.ui.__path__, "tracetui.ui."):
        module = import_module(mod.name)
        apps |= {obj for _, obj in inspect.getmembers(module, inspect.isclass)
                 if issubclass(obj, App) and obj.__module__ == module.__name__}
    assert apps == {TraceTuiApp}
