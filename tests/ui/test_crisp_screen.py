"""The CRISP screen and the diff of two traces, driven as a user would."""

from __future__ import annotations

import asyncio
import time

from incident import AFTER, BEFORE, ROOT, SLOW_OPERATION, load
from ui_helpers import SIZE, screen_text, table_rows

from tracetui.ui.app import make_app
from tracetui.ui.screens.ask import AskScreen, PickScreen
from tracetui.ui.screens.crisp import CrispScreen
from tracetui.ui.screens.trace_diff import TraceDiffScreen
from tracetui.ui.screens.trace_list import TraceListScreen
from tracetui.ui.widgets.icicle import IcicleView
from tracetui.ui.widgets.trace_table import TraceTable

WIDE = (150, 40)


def app_of(*paths):
    store = load(*paths)
    return make_app(store, sources=[p.name for p in paths], utc=True)


async def profiled(app, pilot, timeout: float = 20.0) -> CrispScreen:
    """Press C and wait until the worker has profiled the traces."""
    await pilot.press("C")
    screen = app.screen
    assert isinstance(screen, CrispScreen)
    deadline = time.monotonic() + timeout
    while screen.model is None:
        assert time.monotonic() < deadline, "profiling never finished"
        await asyncio.sleep(0.05)
    await pilot.pause()
    return screen


def drawn(view: IcicleView) -> list[str]:
    return ["".join(seg.text for seg in view.render_line(y)) for y in range(view.size.height)]


async def test_shift_c_opens_the_flame_graph_of_the_most_frequent_root_with_the_top_paths_beside():
    app = app_of(AFTER)
    async with app.run_test(size=WIDE) as pilot:
        screen = await profiled(app, pilot)
        text = screen_text(app)
        assert ROOT in text and "P0–100: 80 of 80 traces" in text
        assert any(SLOW_OPERATION in line for line in drawn(screen.flame))
        side = "\n".join(line.split("▏", 1)[1] for line in text.splitlines() if "▏" in line)
        side = side[side.index("Top call paths"):]
        for pct in ("P50", "P95", "P99"):
            assert pct in side
        assert side.count(SLOW_OPERATION) == 3  # on top at each percentile


async def test_the_tail_diff_lists_the_slow_query_first_and_presets_go_back_to_one_window():
    app = app_of(AFTER)
    async with app.run_test(size=WIDE) as pilot:
        screen = await profiled(app, pilot)
        await pilot.press("x")
        text = screen_text(app)
        assert "P95–100 (4 traces) against P0–50 (40)" in text
        changes = text[text.index("Largest changes"):].splitlines()
        first = next(line for line in changes[3:] if line.strip(" ▏│"))
        assert SLOW_OPERATION in first and "+" in first
        await pilot.press("1")
        assert screen.model.mode == "window" and "P0–50: 40 of 80 traces" in screen_text(app)


async def test_a_custom_window_is_typed_and_a_bad_one_is_refused_in_place():
    app = app_of(AFTER)
    async with app.run_test(size=WIDE) as pilot:
        screen = await profiled(app, pilot)
        await pilot.press("w")
        assert isinstance(app.screen, AskScreen)
        app.screen.query_one("#ask-input").value = "90-80"
        await pilot.press("enter")
        assert isinstance(app.screen, AskScreen) and "0 ≤ A < B ≤ 100" in screen_text(app)
        app.screen.query_one("#ask-input").value = "75-100"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.model.window == (75, 100)
        assert "P75–100: 20 of 80 traces" in screen_text(app)


async def test_before_and_after_sources_diff_and_the_root_is_picked_from_a_list():
    app = app_of(BEFORE, AFTER)
    async with app.run_test(size=WIDE) as pilot:
        screen = await profiled(app, pilot)
        await pilot.press("x", "x")
        assert screen.model.mode == "sources"
        text = screen_text(app)
        assert f"{AFTER.name} (80 traces) against {BEFORE.name} (40)" in text
        await pilot.press("r")
        assert isinstance(app.screen, PickScreen)
        assert f"{ROOT}  (120 traces)" in screen_text(app)
        await pilot.press("escape")
        assert app.screen is screen


async def test_enter_zooms_into_a_frame_and_escape_zooms_out_then_goes_back():
    app = app_of(AFTER)
    async with app.run_test(size=WIDE) as pilot:
        screen = await profiled(app, pilot)
        flame = screen.flame
        await pilot.press("down", "down")  # the root, its widest callee, and the next
        node = flame.selected_node
        await pilot.press("enter")
        assert flame.icicle.zoom == node
        assert "zoomed:" in screen_text(app)
        await pilot.press("escape")
        assert flame.icicle.zoom is not None  # one level up: the parent fills the width now
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, TraceListScreen)


async def test_mark_a_trace_then_diff_another_against_it():
    app = app_of(AFTER)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("d")  # slowest first
        table = app.screen.query_one(TraceTable)
        slowest = table.selected.trace_id
        await pilot.press("D")
        assert isinstance(app.screen, TraceListScreen)  # nothing marked yet: a hint, no screen
        await pilot.press("m")
        assert table_rows(app)[0].startswith("A ")
        await pilot.press("G", "D")
        screen = app.screen
        assert isinstance(screen, TraceDiffScreen)
        assert screen.a.trace_id == slowest
        text = screen_text(app)
        rows = text[text.index("call path"):].splitlines()
        slow_row = next(r for r in rows if SLOW_OPERATION in r)
        assert "−" in slow_row.split()[-1]  # B (fast) spent less in the slow query
        await pilot.press("s")
        assert screen.b.trace_id == slowest


async def test_the_screens_fit_the_default_size():
    app = app_of(AFTER)
    async with app.run_test(size=SIZE) as pilot:
        await profiled(app, pilot)
        await pilot.press("x")
        assert "Largest changes" in screen_text(app)


async def test_spans_arriving_are_announced_and_u_profiles_again():
    store = load(AFTER)
    before = load(BEFORE)
    app = make_app(store, sources=[AFTER.name], utc=True)
    async with app.run_test(size=WIDE) as pilot:
        screen = await profiled(app, pilot)
        assert len(screen.model.crisp.profiles) == 80
        ids = store.add([s for t in before for s in t.spans], source=str(BEFORE))
        app.spans_added(ids, mark_new=True)
        deadline = time.monotonic() + 10
        while not screen._stale:  # the app tells the screens once it has summarized the traces
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        await pilot.pause()
        assert "new spans arrived: u profiles again" in screen_text(app)
        old = screen.model
        await pilot.press("u")
        deadline = time.monotonic() + 20
        while screen.model is old or screen._progress:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        await pilot.pause()
        assert len(screen.model.crisp.profiles) == 120
        assert "new spans arrived" not in screen_text(app)
        assert "sources" in screen.model.available_modes()


async def test_without_traces_the_screen_says_so():
    from tracetui.model import TraceStore

    app = make_app(TraceStore(), utc=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("C")
        await pilot.pause()
        assert "No traces loaded." in screen_text(app)
        await pilot.press("x", "1", "w")  # nothing to cut: no error
        assert isinstance(app.screen, CrispScreen)
