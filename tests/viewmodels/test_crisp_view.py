"""What the CRISP screen shows: windows, the diffs, the top call paths."""

from __future__ import annotations

from incident import AFTER, BEFORE, SLOW_OPERATION, load

from tracetui.analysis.crisp import crisp
from tracetui.viewmodels.crisp_view import CrispModel


def model(**kw) -> CrispModel:
    store = load(BEFORE, AFTER)
    sources = [(s, {t.trace_id for t in store.traces_from(s)}) for s in store.sources()]
    return CrispModel(crisp(store), sources=sources, **kw)


def biggest_growth(m: CrispModel) -> str:
    t = m.flame()
    grew = max(range(len(t)), key=lambda n: t.delta[n])
    return t.label[grew]


def test_the_window_mode_draws_the_mean_of_the_window_and_presets_change_it():
    m = model()
    whole = m.flame().grand_total
    m.preset(0)
    assert m.window == (0, 50) and len(m.shown()) == 60
    assert m.flame().grand_total < whole  # the fastest half spends less on the critical path
    assert m.flame().delta is None and "P0–50: 60 of 120 traces" in m.title()


def test_the_diff_modes_colour_the_slow_replicas_query_as_what_grew():
    m = model()
    assert m.available_modes() == ["window", "windows", "sources"]  # no comparison split given
    assert m.cycle_mode() == "windows"
    assert biggest_growth(m) == SLOW_OPERATION
    assert m.crisp.paths.frame[m.changes()[0].path] == SLOW_OPERATION
    assert m.cycle_mode() == "sources"
    a, b = m.sides()
    assert (a.name, len(a.profiles), b.name, len(b.profiles)) == (BEFORE.name, 40, AFTER.name, 80)
    assert biggest_growth(m) == SLOW_OPERATION
    assert m.cycle_mode() == "window"


def test_the_groups_mode_compares_the_selection_with_the_baseline():
    store = load(AFTER)
    ranked = sorted(store, key=lambda t: t.duration_ns)
    sel, base = {t.trace_id for t in ranked[-8:]}, {t.trace_id for t in ranked[:-8]}
    m = CrispModel(crisp(store), groups=(sel, base))
    assert m.set_mode("groups")
    a, b = m.sides()
    assert (a.name, len(a.profiles), b.name, len(b.profiles)) == ("baseline", 72, "selection", 8)
    assert biggest_growth(m) == SLOW_OPERATION


def test_top_call_paths_at_p50_p95_p99():
    m = model()
    tops = dict(m.tops())
    assert set(tops) == {50, 95, 99}
    assert all(m.crisp.paths.frame[top[0][0]] == SLOW_OPERATION for top in tops.values())
    assert tops[50][0][1] < 50_000_000 < tops[95][0][1]  # a healthy query at P50, the slow one at P95
