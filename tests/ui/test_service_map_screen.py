"""The service map in the explorer: `m` draws the listed traces' calls, an edge selected filters
the list to the traces with that call, `f` focuses on a service."""

from __future__ import annotations

from conftest import SAMPLES
from loading import load_files
from ui_helpers import screen_text, table_rows

from tracetui.ui.app import make_app
from tracetui.ui.screens.service_map import ServiceMapScreen
from tracetui.ui.screens.trace_list import TraceListScreen

CHECKOUT = "4bf92f3577b34da6a3ce929d0e0e4736"


def shop_app():
    store, _ = load_files(SAMPLES / "shop.json")
    return make_app(store, sources=["shop.json"], utc=True)


async def _select(pilot, app, caller: str, callee: str) -> None:
    graph = app.screen.graph
    for _ in range(len(graph.picture.edges)):
        if app.screen.edge.key == (caller, callee):
            return
        await pilot.press("j")
    raise AssertionError(f"no edge {caller} → {callee}")


async def drawn(app, pilot) -> None:
    """The map reads the calls off the event loop: wait for its worker and what it draws."""
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_m_draws_the_map_with_numbers_on_its_arrows():
    app = shop_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("M")
        await drawn(app, pilot)
        assert isinstance(app.screen, ServiceMapScreen)
        text = screen_text(app)
        assert "7 edges between 9 services" in text and "all 5 traces" in text
        assert "│ payments" in text and "6× " in text and "▶" in text
        await _select(pilot, app, "checkout", "payments")
        await pilot.pause()
        assert "checkout → payments  3 calls · 2 errors (66.7%)" in screen_text(app)


async def test_enter_on_an_edge_lists_the_traces_that_contain_the_call():
    app = shop_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("M")
        await drawn(app, pilot)
        await _select(pilot, app, "checkout", "payments")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TraceListScreen)
        rows = table_rows(app)
        assert len(rows) == 2 and all("POST /checkout" in r for r in rows)
        assert "filter: calls checkout → payments (2 shown)" in screen_text(app)
        await pilot.press("escape")  # the edge filter ends
        await pilot.pause()
        assert len(table_rows(app)) == 5


async def test_f_keeps_the_paths_through_the_callee_and_esc_returns():
    app = shop_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("M")
        await drawn(app, pilot)
        await _select(pilot, app, "frontend", "catalog")
        await pilot.press("f")
        await drawn(app, pilot)
        screen = app.screen
        assert screen.focus_service == "catalog"
        assert [e.key for e in screen.smap.edges] == [("frontend", "catalog")]
        assert "paths through catalog" in screen_text(app) and "│ payments" not in screen_text(app)
        await pilot.press("escape")
        await drawn(app, pilot)
        assert app.screen.focus_service is None and len(app.screen.smap.edges) == 7
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TraceListScreen)


async def test_the_map_follows_the_lists_filter():
    app = shop_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("slash")
        await pilot.press(*"recommendations")
        await pilot.press("enter")
        await pilot.pause(0.3)
        await pilot.press("M")
        await drawn(app, pilot)
        # only `GET /` calls recommendations: its two calls, not the checkout's
        assert [e.key for e in app.screen.smap.edges] == [("frontend", "catalog"), ("frontend", "recommendations")]
        assert "1 traces (filter: recommendations)" in screen_text(app)
