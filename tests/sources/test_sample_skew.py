"""sample_traces/skew.json (generate.py `write_skew_sample`): SDK-made traces whose catalog host
clock runs 40 ms behind. What the README and the sample README say it shows."""

from __future__ import annotations

from conftest import SAMPLES

from tracetui.analysis.clock_skew import detect
from tracetui.model import TraceStore
from tracetui.sources.files import load_paths

MS = 1_000_000


def _load(adjust: bool) -> TraceStore:
    store = TraceStore(adjust_skew=adjust)
    assert not [p for p in load_paths([str(SAMPLES / "skew.json")], store) if not p.warning]
    return store


def test_every_trace_names_the_catalogs_clock_about_40ms_behind_its_caller():
    store = _load(True)
    assert len(store) == 4
    for t in store:
        (f,) = detect(t)
        assert (f.service, f.parent_service) == ("catalog", "frontend")
        assert 35 * MS < f.offset_ns < 45 * MS  # 40ms, less half the difference of the latencies


def test_adjusted_the_traces_are_40ms_shorter_than_as_read():
    adjusted, raw = _load(True), _load(False)
    for t in adjusted:
        as_read = raw.get(t.trace_id)
        assert 30 * MS < as_read.duration_ns - t.duration_ns < 45 * MS
        assert t.root.name in ("GET /", "GET /products/{sku}")
