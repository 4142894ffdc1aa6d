"""`X` in the explorer: the open trace or the listed traces to a file, in the format picked."""

from __future__ import annotations

import orjson
from conftest import SAMPLES
from loading import load_files

from tracetui.ui.app import make_app
from tracetui.ui.screens.export import ExportDialog

CHECKOUT = "4bf92f3577b34da6a3ce929d0e0e4736"


def shop_app():
    store, _ = load_files(SAMPLES / "shop.json")
    return make_app(store, sources=["shop.json"], utc=True)


async def test_shift_x_on_the_list_writes_the_listed_traces(tmp_path):
    app = shop_app()
    out = tmp_path / "all.jsonl"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        path = app.screen.query_one("#export-path")
        path.value = str(out)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)
    back, problems = load_files(out)
    assert not problems and len(back) == 5 and back.span_count == 62


async def test_shift_x_in_a_trace_writes_that_trace_in_the_format_picked(tmp_path):
    app = shop_app()
    out = tmp_path / "one.json"
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_trace(CHECKOUT)
        await pilot.pause()
        await pilot.press("X")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        await pilot.click("#export-jaeger")
        await pilot.pause()
        assert dialog.query_one("#export-path").value == "traces-jaeger.json"  # the default follows the format
        dialog.query_one("#export-path").value = str(out)
        dialog.query_one("#export-path").focus()
        await pilot.press("enter")
        await pilot.pause()
    doc = orjson.loads(out.read_bytes())
    assert [t["traceID"] for t in doc["data"]] == [CHECKOUT]


async def test_a_file_that_cannot_be_written_is_said_in_the_dialog(tmp_path):
    app = shop_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("X")
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(tmp_path / "no" / "such" / "dir.json")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert "cannot write" in str(app.screen.query_one("#export-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)
