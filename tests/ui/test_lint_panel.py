"""The lint panel: `i` on the list (every trace) or in a trace (that trace); Enter on a finding or
a span opens the trace with that span selected."""

from __future__ import annotations

from conftest import SAMPLES
from ui_helpers import SIZE, sample_app, screen_text

from tracetui.model import TraceStore
from tracetui.sources.files import load_paths
from tracetui.ui.screens.lint import LintScreen
from tracetui.ui.screens.trace_list import TraceListScreen
from tracetui.ui.screens.trace_view import TraceViewScreen
from tracetui.ui.widgets.lint_view import LintView
from tracetui.viewmodels.lint import FINDING, GROUP, SPAN


def broken_app():
    store = TraceStore()
    assert not [p for p in load_paths([str(SAMPLES / "broken.json")], store) if not p.warning]
    return sample_app(store)


def first_row(view: LintView, level: str, kind: str) -> int:
    return next(i for i, r in enumerate(view.model.rows) if r.level == level and r.kind == kind)


async def linted(app, pilot) -> None:
    """The panel lints off the event loop: wait for its worker, then for the view it mounts."""
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_enter_on_a_span_of_the_list_wide_panel_opens_its_trace_with_the_span_selected():
    app = broken_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TraceListScreen)
        await pilot.press("i")
        await linted(app, pilot)
        assert isinstance(app.screen, LintScreen)
        text = screen_text(app)
        assert "Orphans (parent not in the trace)" in text and "spans of inventory are missing" in text
        assert "from checkout to inventory have no server span" in text
        view = app.screen.query_one(LintView)
        row = first_row(view, SPAN, "orphan_spans") + 1  # the second orphan listed
        while view.cursor < row:
            await pilot.press("down")
        trace_id, span_id = view.model.rows[row].target
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TraceViewScreen) and screen.trace.trace_id == trace_id
        selected = screen.trace.spans[screen.waterfall.selected_pos]
        assert selected.span_id == span_id and selected.service == "inventory"


async def test_enter_on_a_finding_in_a_traces_panel_selects_its_first_span_in_the_same_view():
    app = broken_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        checkout = next(t for t in app.store if t.root is not None and t.root.name == "POST /checkout")
        app.open_trace(checkout.trace_id)
        await pilot.pause()
        trace_view = app.screen
        await pilot.press("i")
        await linted(app, pilot)
        view = app.screen.query_one(LintView)
        assert view.model.trace_id == checkout.trace_id
        # Only this trace's findings: one trace, so no "in 2 traces".
        assert all(f.trace_ids == [checkout.trace_id] for f in view.model.findings)
        row = first_row(view, FINDING, "missing_server_span")
        while view.cursor < row:
            await pilot.press("down")
        target = view.model.rows[row].target
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is trace_view  # back in the same view, not a new one
        selected = checkout.spans[trace_view.waterfall.selected_pos]
        assert (checkout.trace_id, selected.span_id) == target
        assert selected.service == "checkout" and selected.name.startswith("GET /api/stock")


async def test_space_folds_a_group_and_esc_goes_back():
    app = broken_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await linted(app, pilot)
        view = app.screen.query_one(LintView)
        before = len(view.model.rows)
        assert view.model.rows[0].level == GROUP
        await pilot.press("space")
        assert len(view.model.rows) < before and "▸" in screen_text(app)
        await pilot.press("enter")  # Enter on a group folds too
        assert len(view.model.rows) == before
        await pilot.press("escape")
        assert isinstance(app.screen, TraceListScreen)


async def test_the_trace_views_header_counts_the_anti_patterns_and_their_cost():
    store = TraceStore()
    load_paths([str(SAMPLES / "shop.json")], store)
    app = sample_app(store)
    async with app.run_test(size=(160, 35)) as pilot:
        await pilot.pause()
        app.open_trace("4bf92f3577b34da6a3ce929d0e0e4736")  # the checkout: a retry after a 503
        await pilot.pause()
        header = screen_text(app).splitlines()[1]
        assert "⚠ retry ×1: " in header and "of critical path (i)" in header
        home = next(t for t in store if t.root.name == "GET /")  # two calls one after the other
        app.open_trace(home.trace_id)
        await pilot.pause()
        assert "⚠ sequential calls ×1: " in screen_text(app).splitlines()[1]


async def test_the_panel_answers_keys_while_it_lints(monkeypatch):
    """Lint of a million spans takes many seconds: the panel says so and Esc closes it at once."""
    import threading

    import tracetui.analysis.lint as lint_module

    release = threading.Event()
    real = lint_module.lint

    def slow(*args):
        release.wait(10)
        return real(*args)

    monkeypatch.setattr(lint_module, "lint", slow)
    app = broken_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, LintScreen) and "Linting" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TraceListScreen)
        release.set()
        await app.workers.wait_for_complete()
