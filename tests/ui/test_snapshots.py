"""Snapshots of the main screens at 120x35, times in UTC (update: pytest --snapshot-update)."""

from __future__ import annotations

from .helpers import SIZE, sample_app
from .otlp_sample import TRACE_A


def test_trace_list_sorted_by_duration(snap_compare):
    assert snap_compare(sample_app(), press=["d"], terminal_size=SIZE)


def test_trace_view_on_the_failed_span(snap_compare):
    async def open_trace(pilot):
        await pilot.pause()
        pilot.app.open_trace(TRACE_A)
        await pilot.pause()

    assert snap_compare(sample_app(), press=["e"], terminal_size=SIZE, run_before=open_trace)


def test_trace_view_with_the_service_panel(snap_compare):
    async def open_trace(pilot):
        await pilot.pause()
        pilot.app.open_trace(TRACE_A)
        await pilot.pause()

    assert snap_compare(sample_app(), press=["s", "j", "space"], terminal_size=SIZE, run_before=open_trace)
