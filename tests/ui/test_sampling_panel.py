"""The sampling panel: `p` on the list, edit the policy, the kept share follows."""

from __future__ import annotations

from conftest import SAMPLES
from ui_helpers import screen_text

from tracetui.model import TraceStore
from tracetui.sources.files import load_paths
from tracetui.ui.app import make_app
from tracetui.ui.screens.sampling import SamplingScreen


def _store() -> TraceStore:
    store = TraceStore()
    load_paths([str(SAMPLES / "shop.json")], store)
    return store


async def test_the_panel_shows_the_kept_share_and_follows_edits():
    store = _store()
    errors = sum(1 for t in store if t.error_count)
    app = make_app(store, sources=["shop.json"], utc=True)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SamplingScreen)
        text = screen_text(app)
        # default policy: keep errors, slower than 500ms, 5% of the rest (th:f3333 keeps none here)
        kept_by_hand = sum(1 for t in store if t.error_count or t.duration_ns >= 500_000_000
                           or int(t.trace_id[-14:], 16) >= 0xf3333 << 36)
        assert f"kept {kept_by_hand} of 5 traces ({100 * kept_by_hand / 5:.1f}%)" in text
        assert screen.model.preview.kept_traces == kept_by_hand >= errors

        rate = screen.query_one("#sampling-rate")
        rate.value = "100%"
        await pilot.pause(0.4)
        assert "kept 5 of 5 traces (100.0%)" in screen_text(app)

        rate.value = "lots"
        await pilot.pause(0.4)
        assert "not a rate: 'lots'" in screen_text(app)

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SamplingScreen)
        await pilot.press("p")  # opens again with the policy as left
        await pilot.pause()
        assert app.screen.query_one("#sampling-rate").value == "lots"
