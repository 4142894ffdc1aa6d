"""Snapshots of the main screens on sample_traces/shop.json at 120x35, times in UTC.

Update after a deliberate change of a screen: pytest tests/ui/test_snapshots.py --snapshot-update
(then look at the SVGs in tests/ui/__snapshots__ before committing them).
"""

from __future__ import annotations

import pytest
from conftest import SAMPLES  # tests/ is on sys.path (tests/conftest.py)
from ui_helpers import SIZE

from tracetui.model import TraceStore
from tracetui.sources.files import load_paths
from tracetui.ui.app import make_app

SHOP = SAMPLES / "shop.json"
pytestmark = pytest.mark.skipif(not SHOP.exists(), reason="sample_traces/shop.json is missing")


def _app():
    store = TraceStore()
    problems = load_paths([str(SHOP)], store)
    return make_app(store, problems=problems, sources=["sample_traces/shop.json"], utc=True)


def _slowest_failing(app) -> str:
    failing = [t for t in app.store if t.error_count]
    return max(failing, key=lambda t: t.duration_ns).trace_id


async def _open_slowest_failing(pilot) -> None:
    await pilot.pause()
    pilot.app.open_trace(_slowest_failing(pilot.app))
    await pilot.pause()


def test_trace_list_sorted_by_duration(snap_compare):
    assert snap_compare(_app(), press=["d"], terminal_size=SIZE)


def test_trace_view_on_the_first_error(snap_compare):
    assert snap_compare(_app(), press=["e"], terminal_size=SIZE, run_before=_open_slowest_failing)


def test_trace_view_with_a_service_hidden(snap_compare):
    assert snap_compare(_app(), press=["s", "space"], terminal_size=SIZE, run_before=_open_slowest_failing)


def test_flame_graph_on_the_first_error(snap_compare):
    assert snap_compare(_app(), press=["w", "e"], terminal_size=SIZE, run_before=_open_slowest_failing)
