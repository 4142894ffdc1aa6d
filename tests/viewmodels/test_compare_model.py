"""The comparison screen's model: log buckets, the split on the histogram, the scatter's dots."""

from __future__ import annotations

from tracetui.analysis.summary import TraceSummary
from tracetui.viewmodels.compare import BUCKETS, SEL, SPLIT, CompareModel, attribute_columns, log_edges

MS = 1_000_000


def summary(i: int, duration_ms: float, start_s: int = 0, errors: int = 0) -> TraceSummary:
    return TraceSummary(f"t{i}", "api", "GET /", start_s * 10**9, int(duration_ms * MS), 3, ["api"], errors, 0, True)


def test_log_edges_grow_by_the_same_factor():
    edges = log_edges(1 * MS, 1000 * MS, 3)
    assert edges == [1 * MS, 10 * MS, 100 * MS, 1000 * MS]
    assert len(log_edges(5, 5)) == BUCKETS + 1


def test_the_default_selection_is_the_slowest_ten_percent_and_the_split_is_drawn_there():
    m = CompareModel([summary(i, 10 + i) for i in range(20)])  # 10 .. 29 ms
    mask = m.quick_mask()
    assert [s for s, d in zip(mask, m.durations, strict=True) if s] == [True] * 3
    assert min(d for s, d in zip(mask, m.durations, strict=True) if s) == 27 * MS
    lines = m.histogram(BUCKETS, 4)
    axis = lines[-1]
    assert [x for x, (_, style) in enumerate(axis) if style == SPLIT] == [m.bucket_of(27 * MS)]
    # The selected traces' bars are drawn as selected, right of the split only.
    selected_columns = {x for line in lines[:-1] for x, (_, style) in enumerate(line) if style == SEL}
    assert selected_columns and min(selected_columns) >= m.bucket_of(27 * MS)


def test_moving_the_split_turns_the_selection_into_a_duration_range():
    m = CompareModel([summary(i, 1 + i * 10) for i in range(50)])
    before = sum(m.quick_mask())
    m.move_split(-3)
    assert m.selection.kind == "range" and m.selection.high_ns is None
    assert sum(m.quick_mask()) > before
    low = m.selection.low_ns
    assert all((d >= low) == s for d, s in zip(m.durations, m.quick_mask(), strict=True))
    m.move_top(-5)
    assert m.selection.high_ns is not None
    assert all((low <= d <= m.selection.high_ns) == s for d, s in zip(m.durations, m.quick_mask(), strict=True))
    m.change_percent(1)
    assert m.selection.kind == "slowest" and m.selection.percent == 10  # back to the slowest, then up
    m.change_percent(1)
    assert m.selection.percent == 20


def test_the_scatter_puts_slow_late_traces_top_right():
    m = CompareModel([summary(0, 1, start_s=0), summary(1, 1000, start_s=100)])
    lines = m.scatter(10, 3)
    assert lines[0][-1][0] != " " and lines[0][-1][1] == SEL  # the slow one is the selected 10%
    assert lines[-1][0][0] != " " and lines[-1][0][1] != SEL


def test_the_scatter_recolours_for_a_new_selection_and_redraws_for_a_new_size():
    summaries = [summary(i, 1 + i * 7, start_s=i) for i in range(60)]
    m = CompareModel(summaries)
    first = m.scatter(12, 4)
    m.change_percent(1)  # the slowest 20%: more cells selected, the dots where they were
    wider = m.scatter(12, 4)
    fresh = CompareModel(summaries)
    fresh.change_percent(1)
    assert wider == fresh.scatter(12, 4)
    assert [c for line in wider for c, _ in line] == [c for line in first for c, _ in line]
    assert sum(style == SEL for line in wider for _, style in line) > sum(style == SEL for line in first for _, style in line)
    other = m.scatter(20, 5)
    assert len(other) == 5 and len(other[0]) == 20 and other == fresh.scatter(20, 5)


def test_tables_keep_the_names_readable_when_narrow():
    cols = attribute_columns(60)
    assert [c.title for c in cols][:2] == ["Key", "Value"] and sum(c.width + 1 for c in cols) <= 60
