"""Keys are answered while a big file loads: the list does not wait for the load to end."""

from __future__ import annotations

import asyncio

from big_dump import scaled_shop_dump
from textual import events
from ui_helpers import SIZE, sample_app, screen_text, wait_loaded

from tracetui.model import TraceStore
from tracetui.sources.files import read_source
from tracetui.sources.streaming import STREAM_MIN_BYTES


async def _until(check, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        assert loop.time() < end, "timed out"
        await asyncio.sleep(0.005)


async def test_a_key_pressed_while_a_big_file_loads_takes_effect_before_the_load_ends(tmp_path):
    path = tmp_path / "shop_x1000.json"
    spans, traces = scaled_shop_dump(path, 1000)  # 62,000 spans of real SDK output, ~58 MB
    assert path.stat().st_size > STREAM_MIN_BYTES  # decoded piece by piece while it is read
    loader_done = []

    def loader():
        yield from read_source(str(path))
        loader_done.append(True)

    app = sample_app(TraceStore(), loader=loader)
    async with app.run_test(size=SIZE) as pilot:
        await _until(lambda: len(app.index.rows) > 0)  # the first rows, while the rest is read
        assert app.status.loading and not loader_done
        app.post_message(events.Key("d", "d"))  # what a terminal sends: sort by duration
        await _until(lambda: app.index.sort == "duration")
        # The key was answered while the loader was still decoding the file.
        text = screen_text(app)
        assert not loader_done and app.status.loading
        assert "sorted by duration ▼" in text and "loading…" in text
        await wait_loaded(app, pilot, timeout=120)
        assert app.store.span_count == spans and len(app.index.rows) == traces
        slowest = max(s.duration_ns for s in app.index.rows)
        assert app.index.rows[0].duration_ns == slowest  # the order the key asked for, kept to the end
