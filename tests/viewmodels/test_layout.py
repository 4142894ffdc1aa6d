"""Bar projection, ticks and zoom windows: the waterfall's maths, without a terminal."""

import pytest

from tracetui.viewmodels.layout import axis_line, col_of, nice_step, project, ticks, zoom_window

# A 10-cell window over 0..800 ns: one cell = 80 ns, one eighth = 10 ns.
W = (0, 800, 10)


def bar(start, end):
    return project(start, end, *W)


def test_whole_window_is_full_blocks():
    b = bar(0, 800)
    assert (b.col, b.text, b.lead_partial) == (0, "█" * 10, False)


def test_right_edge_is_exact_to_an_eighth():
    b = bar(0, 130)  # 13 eighths: one full cell and 5/8 of the next
    assert (b.col, b.text) == (0, "█▋")


def test_left_edge_inside_a_cell_is_drawn_with_swapped_colours():
    b = bar(100, 320)  # eighths 10..32: cell 1 from its 2/8, cells 2 and 3 full
    assert b.col == 1 and b.lead_partial
    assert b.text == "▎██"  # the ▎ stands for the empty left quarter of cell 1


def test_tiny_span_keeps_one_eighth():
    b = bar(400, 401)
    assert b.col == 5 and b.text == "▏" and b.end_eighth - b.start_eighth == 1


def test_zero_length_span_at_the_right_edge_is_visible():
    b = bar(800, 800)
    assert b.col == 9 and len(b.text) == 1


def test_span_outside_the_window_has_no_bar_and_overhangs_are_clipped():
    assert bar(900, 1000) is None
    b = project(-500, 2000, *W)
    assert (b.col, b.text) == (0, "█" * 10)


def test_bar_filling_the_right_part_of_one_cell():
    b = bar(20, 80)  # eighths 2..8 of cell 0
    assert (b.col, b.text, b.lead_partial) == (0, "▎", True)


@pytest.mark.parametrize(("span", "ticks_max", "step"), [
    (1000, 10, 100), (1000, 4, 500), (1000, 3, 500), (1000, 6, 200), (7, 10, 1), (3_000_000, 5, 1_000_000),
    (150_000_000, 8, 20_000_000),
])
def test_nice_steps_are_1_2_5_times_a_power_of_ten(span, ticks_max, step):
    assert nice_step(span, ticks_max) == step


def test_ticks_are_labelled_from_the_trace_start():
    # 100 cells over 0..100 ms, ≥10 cells apart: a tick every 10 ms.
    t = ticks(0, 100_000_000, 100, origin_ns=0)
    assert t[0] == (0, "0") and t[1] == (10, "10.0ms") and t[-1] == (99, "100ms")


def test_zoomed_ticks_keep_offsets_from_the_trace_start():
    # Window 1.5 ms .. 2.5 ms of a trace starting at 1_000_000_000 ns.
    origin = 1_000_000_000
    t = ticks(origin + 1_500_000, origin + 2_500_000, 50, origin)
    # 50 cells, ≥10 apart: at most 5 ticks over 1 ms → every 200 µs, at multiples of the step.
    assert [label for _, label in t] == ["1.60ms", "1.80ms", "2.00ms", "2.20ms", "2.40ms"]
    assert [c for c, _ in t] == [5, 15, 25, 35, 45]


def test_axis_line_fits_the_width_and_shows_labels():
    line = axis_line(0, 100_000_000, 60, 0)
    assert len(line) == 60
    assert line.startswith("│0") and "│20.0ms" in line and "│80.0ms" in line
    # A label never overwrites another: each tick mark starts one whole label.
    assert line.count("│") == len(line.split()) == 5


def test_col_of():
    assert col_of(0, *W) == 0 and col_of(800, *W) == 9 and col_of(81, *W) == 1
    assert col_of(801, *W) is None


def test_zoom_in_around_a_point_and_back_out_to_the_bounds():
    bounds = (0, 1000)
    w = zoom_window((0, 1000), bounds, centre_ns=500, factor=0.5, min_width_ns=1)
    assert w == (250, 750)
    w2 = zoom_window(w, bounds, centre_ns=700, factor=0.5, min_width_ns=1)
    assert w2[1] - w2[0] == 250 and w2[0] <= 700 <= w2[1]
    assert zoom_window(w2, bounds, 700, 100.0) == (0, 1000)


def test_zoom_stays_inside_the_trace_and_above_the_minimum_width():
    w = zoom_window((0, 1000), (0, 1000), centre_ns=990, factor=0.1, min_width_ns=300)
    # 990 stays at 99% of the window, which is 300 ns wide (not 100) and inside the trace.
    assert w == (693, 993)
    assert zoom_window((600, 1000), (0, 1000), centre_ns=1000, factor=0.5, min_width_ns=1) == (800, 1000)
