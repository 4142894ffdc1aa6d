"""Work in slices on the event loop: other tasks run between slices, and cancelling stops the work."""

from __future__ import annotations

import asyncio

import pytest

from tracetui.ui.slices import run_in_slices


def counting(n: int, done: list[int]):
    for i in range(n):
        done.append(i)
        yield ("counting", i + 1, n)
    return sum(done)


async def test_other_tasks_run_between_slices_and_the_result_comes_back():
    done: list[int] = []
    seen: list[int] = []  # how far the work was each time the other task ran

    async def other() -> None:
        while len(done) < 1000:
            seen.append(len(done))
            await asyncio.sleep(0)

    reported: list[tuple[str, int, int]] = []
    watcher = asyncio.create_task(other())
    result = await run_in_slices(counting(1000, done), lambda *p: reported.append(p), budget=0.0)
    await watcher
    assert result == sum(range(1000))
    assert len(set(seen)) > 100  # the other task ran all along, not only before or after
    assert reported[-1] == ("counting", 1000, 1000)


async def test_cancelling_stops_the_work_at_the_next_slice():
    done: list[int] = []
    task = asyncio.create_task(run_in_slices(counting(10**6, done), budget=0.0))
    for _ in range(5):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stopped_at = len(done)
    await asyncio.sleep(0)
    assert 0 < stopped_at < 100 and len(done) == stopped_at
