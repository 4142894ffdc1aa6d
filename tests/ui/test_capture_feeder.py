"""A browser tab of `serve --listen` follows the shared capture: spans appended show up, marked new."""

from __future__ import annotations

import asyncio
import time

from sources.test_capture_tail import _line
from ui_helpers import table_rows

from tracetui.model import TraceStore
from tracetui.ui.app import make_app
from tracetui.ui.feeders.capture import CaptureFeeder


async def _wait(pilot, cond, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    await pilot.pause()


async def test_lines_appended_to_the_capture_appear_in_the_list(tmp_path):
    path = tmp_path / "capture.jsonl"
    path.write_bytes(_line("1" * 32, "already there"))
    app = make_app(TraceStore(), feeders=[CaptureFeeder(str(path), "127.0.0.1:4318")])
    async with app.run_test(size=(120, 30)) as pilot:
        await _wait(pilot, lambda: len(app.store) == 1)
        with path.open("ab") as f:
            f.write(_line("2" * 32, "just arrived"))
        await _wait(pilot, lambda: len(app.store) == 2)
        rows = table_rows(app)
        assert any("just arrived" in r for r in rows) and any("already there" in r for r in rows)
        assert "2" * 32 in app.screen.table.new_ids and "1" * 32 not in app.screen.table.new_ids
        assert "● live 127.0.0.1:4318 · 2 received" in app.feeder(CaptureFeeder).status_note()
